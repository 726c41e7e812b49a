package io.nightjar.wire.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What the batch builders share: one reusable set of vectors of a schema, the row count, and
 * writing the rows as one Arrow IPC stream (the body of a BATCH frame). Reusable:
 * {@link #writeTo} then {@link #clear}. One thread at a time.
 */
abstract class BatchBuilder implements AutoCloseable
{
    /** The sensor id every row carries, UTF-8. */
    protected final byte[] sensorId;
    /** The vectors. */
    protected final VectorSchemaRoot root;
    private int rows;

    BatchBuilder(final String sensorId, final Schema schema, final BufferAllocator allocator)
    {
        this.sensorId = sensorId.getBytes(StandardCharsets.UTF_8);
        this.root = VectorSchemaRoot.create(schema, allocator);
        root.allocateNew();
    }

    /** Claims the index of the next row. */
    protected final int nextRow()
    {
        return rows++;
    }

    /** Rows added since the last {@link #clear}. */
    public final int rows()
    {
        return rows;
    }

    /** Writes the rows added so far as one Arrow IPC stream (schema, one batch, end marker). */
    public final void writeTo(final OutputStream out)
    {
        root.setRowCount(rows);
        IpcStreams.write(root, out);
    }

    /** Forgets the rows, keeping the vectors for the next batch. */
    public final void clear()
    {
        rows = 0;
        root.clear();
        root.allocateNew();
    }

    @Override
    public final void close()
    {
        root.close();
    }
}
