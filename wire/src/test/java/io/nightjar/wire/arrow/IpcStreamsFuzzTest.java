package io.nightjar.wire.arrow;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.function.Supplier;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target for {@link IpcStreams#read} with {@link BatchSchemas#FLOWS}, from a stream
 * and from a buffer, which must agree: arbitrary bytes give either a {@link DecodedBatch} of the expected schema whose row count is the sum of its batches,
 * or an {@link InvalidBatchException}; never another exception, and after the batch is closed the
 * allocator holds no memory (nothing leaked on either path).
 *
 * <p>Seeds under {@code IpcStreamsFuzzTestInputs/} include a valid flow stream written by
 * {@link FlowBatchBuilder}.
 */
class IpcStreamsFuzzTest
{
    /** Bounds what one input may make the reader allocate (a length field may claim gigabytes). */
    private static final long ALLOCATOR_LIMIT_BYTES = 64L << 20;

    @FuzzTest(maxDuration = "60s")
    void arbitraryBytesGiveADecodedBatchOrInvalidBatchExceptionAndLeakNothing(final byte[] input)
    {
        // the two ways in (a stream, a frame's buffer) must agree on every input
        final long viaStream = decode(() -> new ByteArrayInputStream(input), null);
        final long viaBuffer = decode(null, () -> Unpooled.wrappedBuffer(input));
        assertThat(viaBuffer).as("rows read from a ByteBuf (-1: invalid)").isEqualTo(viaStream);
    }

    /** Rows decoded, or -1 for an {@link InvalidBatchException}; checks the batch and that nothing leaked. */
    private static long decode(final Supplier<InputStream> stream, final Supplier<ByteBuf> buffer)
    {
        try (RootAllocator allocator = new RootAllocator(ALLOCATOR_LIMIT_BYTES))
        {
            long rows = -1;
            try (DecodedBatch batch = stream != null ? IpcStreams.read(stream.get(), BatchSchemas.FLOWS, allocator)
                : IpcStreams.read(buffer.get(), BatchSchemas.FLOWS, allocator))
            {
                assertThat(batch.schema()).isEqualTo(BatchSchemas.FLOWS);
                rows = 0;
                for (final ArrowRecordBatch b : batch.batches())
                {
                    assertThat(b.getLength()).isNotNegative();
                    rows += b.getLength();
                }
                assertThat(batch.rows()).isEqualTo(rows);
            }
            catch (final InvalidBatchException expected)
            {
                assertThat(expected.getMessage()).isNotBlank();
            }
            assertThat(allocator.getAllocatedMemory()).as("bytes leaked").isZero();
            return rows;
        }
    }
}
