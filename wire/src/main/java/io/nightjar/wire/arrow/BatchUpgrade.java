package io.nightjar.wire.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Brings a batch read in an older schema version (from {@link BatchSchemas#OLDEST_READ_VERSION}) to
 * {@link BatchSchemas#VERSION}, so that everything after the reader (the store's writer, its
 * tables) knows one schema per kind. Version 2 flow batches have the fields of version 3 and are
 * relabelled without a copy; version 2 bin batches get the {@link BatchSchemas#CAPTURE_COLUMNS} as
 * zeros (those sensors reported only the total {@code capture_drops}), their other columns moved
 * over without a copy. Stateless; called on the thread that read the batch.
 */
public final class BatchUpgrade
{
    private BatchUpgrade()
    {
    }

    /**
     * {@code batch} in the current schema. Takes ownership of {@code batch}: returns it unchanged if it is
     * current, else a batch that owns its memory (the caller closes the result, never {@code batch}).
     *
     * @param batch     a batch read with {@link BatchSchemas#flows(int)} or {@link BatchSchemas#bins(int)}.
     * @param allocator where the zero columns of upgraded bins are allocated.
     */
    public static DecodedBatch toCurrent(final DecodedBatch batch, final BufferAllocator allocator)
    {
        final var meta = batch.schema().getCustomMetadata();
        final int version = Integer.parseInt(meta.get(BatchSchemas.META_VERSION));
        if (version == BatchSchemas.VERSION)
        {
            return batch;
        }
        if (!BatchSchemas.readable(version))
        {
            batch.close();
            throw new InvalidBatchException("schema version " + version + " cannot be upgraded");
        }
        if ("flows".equals(meta.get(BatchSchemas.META_KIND)))
        {
            // the flow fields did not change in version 3
            return new DecodedBatch(BatchSchemas.FLOWS, batch.batches(), batch.rows());
        }
        final List<ArrowRecordBatch> upgraded = new ArrayList<>(batch.batches().size());
        try (batch;
             VectorSchemaRoot old = VectorSchemaRoot.create(batch.schema(), allocator);
             VectorSchemaRoot current = VectorSchemaRoot.create(BatchSchemas.BINS, allocator))
        {
            final VectorLoader loader = new VectorLoader(old);
            for (final ArrowRecordBatch b : batch.batches())
            {
                loader.load(b);
                final int rows = old.getRowCount();
                for (final FieldVector v : old.getFieldVectors())
                {
                    v.makeTransferPair(current.getVector(v.getName())).transfer();
                }
                for (final String name : BatchSchemas.CAPTURE_COLUMNS)
                {
                    final BigIntVector zeros = (BigIntVector)current.getVector(name);
                    zeros.allocateNew(Math.max(rows, 1));
                    for (int i = 0; i < rows; i++)
                    {
                        zeros.set(i, 0L);
                    }
                    zeros.setValueCount(rows);
                }
                current.setRowCount(rows);
                upgraded.add(new VectorUnloader(current).getRecordBatch());
            }
        }
        catch (final RuntimeException ex)
        {
            upgraded.forEach(ArrowRecordBatch::close);
            throw ex;
        }
        return new DecodedBatch(BatchSchemas.BINS, upgraded, batch.rows());
    }
}
