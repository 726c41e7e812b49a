package io.nightjar.wire.arrow;

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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
        final BodyTrackingReader messages = new BodyTrackingReader(new ReadChannel(Channels.newChannel(in)), allocator);
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
     * Remembers the body buffer of the last message read. Arrow's reader does not release a body whose record
     * batch fails to deserialise (a buffer offset or length outside the body), so on the failure path, once the
     * reader, its root and every unloaded batch are closed, whatever references that body still has are ours
     * to drop. Confined to the thread of {@link #read}.
     */
    private static final class BodyTrackingReader extends MessageChannelReader
    {
        private ArrowBuf lastBody;

        BodyTrackingReader(final ReadChannel in, final BufferAllocator allocator)
        {
            super(in, allocator);
        }

        @Override
        public MessageResult readNext() throws IOException
        {
            lastBody = null;
            final MessageResult result = super.readNext();
            lastBody = result == null ? null : result.getBodyBuffer();
            return result;
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
