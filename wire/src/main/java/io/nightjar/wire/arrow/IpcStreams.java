package io.nightjar.wire.arrow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
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
        return read(in, Channels.newChannel(in), expected, allocator);
    }

    /**
     * Reads a whole IPC stream from the readable bytes of {@code payload} (a BATCH frame's, after its
     * header), advancing its reader index; as {@link #read(InputStream, Schema, BufferAllocator)}, but
     * each message is copied once, straight from the buffer into Arrow's (not through a stream's
     * 8-KiB transfer array).
     *
     * @throws InvalidBatchException if the bytes are not an IPC stream of {@code expected}.
     */
    public static DecodedBatch read(final ByteBuf payload, final Schema expected, final BufferAllocator allocator)
    {
        return read(new ByteBufInputStream(payload), new ByteBufChannel(payload), expected, allocator);
    }

    /** {@code channel} reads the same bytes as {@code in} and moves its position with it. */
    private static DecodedBatch read(final InputStream in, final ReadableByteChannel channel, final Schema expected,
                                     final BufferAllocator allocator)
    {
        final List<ArrowRecordBatch> batches = new ArrayList<>();
        final BodyTrackingReader messages = new BodyTrackingReader(in, channel, allocator);
        long rows = 0;
        try (ArrowStreamReader reader = new CheckedStreamReader(messages, allocator))
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
        catch (final StackOverflowError ex)
        {
            // Arrow converts a schema's fields recursively: nested (or cyclic) children in the flatbuffer recurse
            // without bound; only the reading thread's stack is involved, nothing shared is left half-changed
            batches.forEach(ArrowRecordBatch::close);
            messages.releaseLastBody();
            throw new InvalidBatchException("not a readable Arrow IPC stream: a schema nested too deeply", ex);
        }
    }

    /**
     * Checks each record batch against the schema before Arrow loads it into the root: Arrow trusts the
     * batch's lengths, and loading a row count larger than a buffer holds reallocates the vector and leaks
     * the new buffer when the copy fails (found by IpcStreamsFuzzTest), while offsets outside the data would
     * reach DuckDB's native reader. For the flat schemas of {@link BatchSchemas}: every field node has the
     * batch's length; a validity buffer covers it (or is absent with no nulls); a fixed-width data buffer holds
     * every row; offsets cover every row, start at 0, never decrease and end inside the data.
     */
    private static final class CheckedStreamReader extends ArrowStreamReader
    {
        CheckedStreamReader(final MessageChannelReader messages, final BufferAllocator allocator)
        {
            super(messages, allocator);
        }

        @Override
        protected void loadRecordBatch(final ArrowRecordBatch batch)
        {
            try
            {
                check(batch, getVectorSchemaRoot().getSchema());
            }
            catch (final IOException | RuntimeException ex)
            {
                batch.close();
                throw new InvalidBatchException("record batch does not fit its schema: " + ex.getMessage(), ex);
            }
            super.loadRecordBatch(batch);
        }

        private static void check(final ArrowRecordBatch batch, final Schema schema) throws IOException
        {
            final int rows = batch.getLength();
            final List<ArrowFieldNode> nodes = batch.getNodes();
            final List<ArrowBuf> buffers = batch.getBuffers();
            final List<Field> fields = schema.getFields();
            if (rows < 0 || nodes.size() != fields.size())
            {
                throw new InvalidBatchException(rows + " rows in " + nodes.size() + " field nodes for " + fields.size() + " fields");
            }
            int b = 0;
            for (int f = 0; f < fields.size(); f++)
            {
                final Field field = fields.get(f);
                final ArrowFieldNode node = nodes.get(f);
                if (!field.getChildren().isEmpty() || node.getLength() != rows || node.getNullCount() < 0 || node.getNullCount() > rows)
                {
                    throw new InvalidBatchException(field.getName() + ": node " + node + " in a batch of " + rows + " rows");
                }
                ArrowBuf offsets = null;
                for (final BufferLayout layout : TypeLayout.getTypeLayout(field.getType()).getBufferLayouts())
                {
                    if (b >= buffers.size())
                    {
                        throw new InvalidBatchException(field.getName() + ": missing buffers");
                    }
                    final ArrowBuf buf = buffers.get(b++);
                    final long size = buf.readableBytes();
                    switch (layout.getType())
                    {
                        case VALIDITY ->
                        {
                            if (size < (rows + 7L) / 8 && !(size == 0 && node.getNullCount() == 0))
                            {
                                throw new InvalidBatchException(field.getName() + ": validity of " + size + " bytes for " + rows + " rows");
                            }
                        }
                        case OFFSET ->
                        {
                            if (layout.getTypeBitWidth() != 32 || (rows > 0 && size < (rows + 1L) * 4))
                            {
                                throw new InvalidBatchException(field.getName() + ": offsets of " + size + " bytes for " + rows + " rows");
                            }
                            offsets = rows > 0 ? buf : null;
                        }
                        case DATA ->
                        {
                            if (offsets != null)
                            {
                                checkOffsets(field, offsets, rows, size);
                            }
                            else if (size < (long)rows * layout.getTypeBitWidth() / 8)
                            {
                                throw new InvalidBatchException(field.getName() + ": data of " + size + " bytes for " + rows + " rows");
                            }
                        }
                        default -> throw new InvalidBatchException(field.getName() + ": unexpected buffer " + layout);
                    }
                }
            }
            if (b != buffers.size())
            {
                throw new InvalidBatchException(buffers.size() + " buffers, the schema has " + b);
            }
        }

        /** Offsets are little-endian int32 (Arrow's byte order), from {@code readerIndex}. */
        private static void checkOffsets(final Field field, final ArrowBuf offsets, final int rows, final long dataBytes)
        {
            final long base = offsets.readerIndex();
            int previous = offsets.getInt(base);
            if (previous != 0)
            {
                throw new InvalidBatchException(field.getName() + ": first offset " + previous);
            }
            for (int i = 1; i <= rows; i++)
            {
                final int next = offsets.getInt(base + 4L * i);
                if (next < previous || next > dataBytes)
                {
                    throw new InvalidBatchException(field.getName() + ": offset " + next + " at row " + i + " after " + previous
                        + " (data of " + dataBytes + " bytes)");
                }
                previous = next;
            }
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

        BodyTrackingReader(final InputStream stream, final ReadableByteChannel channel, final BufferAllocator allocator)
        {
            // the channel reads only what each message asks for, so between messages its position and the stream's agree
            super(new ReadChannel(channel), allocator);
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

    /** A channel over a buffer's readable bytes: reads advance its reader index (shared with a {@link ByteBufInputStream} over it). */
    private static final class ByteBufChannel implements ReadableByteChannel
    {
        private final ByteBuf buf;

        ByteBufChannel(final ByteBuf buf)
        {
            this.buf = buf;
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            if (!buf.isReadable())
            {
                return dst.hasRemaining() ? -1 : 0;
            }
            final int n = Math.min(dst.remaining(), buf.readableBytes());
            final int limit = dst.limit();
            dst.limit(dst.position() + n);
            buf.readBytes(dst);
            dst.limit(limit);
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
