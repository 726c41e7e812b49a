package io.nightjar.wire.arrow;

import io.netty.buffer.ByteBufInputStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads the Arrow IPC streams carried in BATCH frames, checking on read that the
 * stream has exactly the expected schema (fields, types and metadata, so also the version).
 */
public final class IpcStreams
{
    private IpcStreams()
    {
    }

    /** Writes {@code root} as one IPC stream: schema, one record batch, end-of-stream marker. */
    public static void write(final VectorSchemaRoot root, final OutputStream out)
    {
        try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out)))
        {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Reads a whole IPC stream into owned record batches.
     *
     * @throws InvalidBatchException if the bytes are not an IPC stream of {@code expected}.
     */
    public static DecodedBatch read(final InputStream in, final Schema expected, final BufferAllocator allocator)
    {
        final List<ArrowRecordBatch> batches = new ArrayList<>();
        final BodyTrackingReader messages = new BodyTrackingReader(in, allocator);
        long rows = 0;
        try (ArrowStreamReader reader = new ArrowStreamReader(messages, allocator))
        {
            final Schema schema = reader.getVectorSchemaRoot().getSchema();
            if (!schema.equals(expected))
            {
                throw new InvalidBatchException("schema differs from " + expected.getCustomMetadata() + ": " + schema);
            }
            final VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch())
            {
                rows += root.getRowCount();
                batches.add(new VectorUnloader(root).getRecordBatch());
            }
            return new DecodedBatch(expected, batches, rows);
        }
        catch (final InvalidBatchException ex)
        {
            batches.forEach(ArrowRecordBatch::close);
            messages.releaseLastBody();
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            batches.forEach(ArrowRecordBatch::close);
            messages.releaseLastBody();
            throw new InvalidBatchException("not a readable Arrow IPC stream: " + ex, ex);
        }
    }

    /**
     * Refuses, before Arrow allocates a heap buffer for it, a message whose metadata length is more than
     * the stream holds (a 169-byte stream could claim 2 GiB and exhaust the heap), when the stream knows
     * exactly what it holds (an in-memory {@link ByteArrayInputStream} or {@link ByteBufInputStream}, as
     * a BATCH frame's payload is). Remembers the body buffer of the last message read. Arrow's reader does not release a body whose record
     * batch fails to deserialise (a buffer offset or length outside the body), so on the failure path, once the
     * reader, its root and every unloaded batch are closed, whatever references that body still has are ours
     * to drop. Confined to the thread of {@link #read}.
     */
    private static final class BodyTrackingReader extends MessageChannelReader
    {
        private final InputStream stream;
        private final boolean exactLength;
        private final byte[] prefix = new byte[8];
        private ArrowBuf lastBody;

        BodyTrackingReader(final InputStream stream, final BufferAllocator allocator)
        {
            // the channel reads from the stream only what each message asks for, so between messages their positions agree
            super(new ReadChannel(Channels.newChannel(stream)), allocator);
            this.stream = stream;
            this.exactLength = stream instanceof ByteArrayInputStream || stream instanceof ByteBufInputStream;
        }

        @Override
        public MessageResult readNext() throws IOException
        {
            lastBody = null;
            if (exactLength)
            {
                checkMessageLength();
            }
            final MessageResult result = super.readNext();
            lastBody = result == null ? null : result.getBodyBuffer();
            return result;
        }

        /** The length prefix, little-endian: 0xFFFFFFFF then int32 length, or (before Arrow 0.15) the int32 length alone. */
        private void checkMessageLength() throws IOException
        {
            final int available = stream.available();
            if (available < 4)
            {
                return; // Arrow reports the end of the stream
            }
            stream.mark(prefix.length);
            final int n = stream.readNBytes(prefix, 0, Math.min(prefix.length, available));
            stream.reset();
            final ByteBuffer b = ByteBuffer.wrap(prefix, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            final int first = b.getInt(0);
            if (first == -1 && n < 8)
            {
                return; // a continuation marker without its length: Arrow reports the end of the stream
            }
            final long length = first == -1 ? b.getInt(4) : first;
            final int prefixBytes = first == -1 ? 8 : 4;
            if (length < 0 || length > available - prefixBytes)
            {
                throw new IOException("a message of " + length + " bytes, but only " + (available - prefixBytes) + " bytes follow");
            }
        }

        /** Drops the references left on the last body; only after everything built from it is closed. */
        void releaseLastBody()
        {
            final ArrowBuf body = lastBody;
            lastBody = null;
            if (body != null && body.refCnt() > 0)
            {
                body.getReferenceManager().release(body.refCnt());
            }
        }
    }
}
