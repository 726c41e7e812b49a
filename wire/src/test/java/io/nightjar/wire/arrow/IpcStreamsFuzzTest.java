package io.nightjar.wire.arrow;

import java.io.ByteArrayInputStream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target for {@link IpcStreams#read} with {@link BatchSchemas#FLOWS}: arbitrary bytes
 * give either a {@link DecodedBatch} of the expected schema whose row count is the sum of its batches,
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
        try (RootAllocator allocator = new RootAllocator(ALLOCATOR_LIMIT_BYTES))
        {
            try (DecodedBatch batch = IpcStreams.read(new ByteArrayInputStream(input), BatchSchemas.FLOWS, allocator))
            {
                assertThat(batch.schema()).isEqualTo(BatchSchemas.FLOWS);
                long rows = 0;
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
        }
    }
}
