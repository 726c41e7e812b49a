package io.nightjar.wire.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The record batches of one BATCH frame, read and checked, owning their Arrow memory until
 * {@link #close}. Handed from the connection that read it to the store's writer.
 *
 * @param schema  the schema the batches follow.
 * @param batches the record batches, in order.
 * @param rows    total rows.
 */
public record DecodedBatch(Schema schema, List<ArrowRecordBatch> batches, long rows) implements AutoCloseable
{
    /** Arrow memory held by the batches, in bytes. */
    public long sizeBytes()
    {
        long n = 0;
        for (final ArrowRecordBatch b : batches)
        {
            n += b.computeBodyLength();
        }
        return n;
    }

    /**
     * Checks that every row's {@code sensor_id} equals {@code sensorId} (a sensor may only ship its
     * own records).
     *
     * @throws InvalidBatchException naming the first foreign id.
     */
    public void requireSensor(final String sensorId, final BufferAllocator allocator)
    {
        final byte[] expected = sensorId.getBytes(StandardCharsets.UTF_8);
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator))
        {
            final VectorLoader loader = new VectorLoader(root);
            for (final ArrowRecordBatch b : batches)
            {
                loader.load(b);
                final VarCharVector ids = (VarCharVector)root.getVector("sensor_id");
                for (int i = 0; i < root.getRowCount(); i++)
                {
                    if (!sameBytes(ids, i, expected))
                    {
                        final byte[] id = ids.isNull(i) ? null : ids.get(i);
                        throw new InvalidBatchException("row " + i + " has sensor_id '"
                            + (id == null ? "null" : new String(id, StandardCharsets.UTF_8)) + "', connection is '" + sensorId + "'");
                    }
                }
            }
        }
    }

    private static boolean sameBytes(final VarCharVector v, final int i, final byte[] expected)
    {
        if (v.isNull(i))
        {
            return false;
        }
        final long start = v.getStartOffset(i);
        final long end = v.getEndOffset(i);
        if (end - start != expected.length)
        {
            return false;
        }
        for (int k = 0; k < expected.length; k++)
        {
            if (v.getDataBuffer().getByte(start + k) != expected[k])
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close()
    {
        batches.forEach(ArrowRecordBatch::close);
    }
}
