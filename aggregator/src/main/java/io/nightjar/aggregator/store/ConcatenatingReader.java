package io.nightjar.aggregator.store;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Presents many already-read record batches of one wire schema as a single Arrow stream, so that the
 * store inserts a whole group of BATCH frames with one statement. Address columns are presented as
 * the store keeps them ({@link StoredAddress}: a copy of each, little-endian, typed UHUGEINT); every
 * other buffer is the batch's own. Does not own the batches.
 */
final class ConcatenatingReader extends ArrowReader
{
    private final Schema schema;
    private final Iterator<ArrowRecordBatch> batches;
    /** Per address field, the index of its data buffer in a batch. */
    private final int[] addressBuffers;
    private long bytes;

    ConcatenatingReader(final BufferAllocator allocator, final Schema wire, final List<ArrowRecordBatch> batches)
    {
        super(allocator);
        this.schema = StoredAddress.storeSchema(wire);
        this.batches = batches.iterator();
        final List<Field> fields = wire.getFields();
        int n = 0;
        for (final Field f : fields)
        {
            n += StoredAddress.isAddress(f) ? 1 : 0;
        }
        addressBuffers = new int[n];
        int buffer = 0;
        int k = 0;
        for (final Field f : fields)
        {
            if (!f.getChildren().isEmpty())
            {
                throw new IllegalArgumentException("nested field " + f.getName() + ": the store's schemas are flat");
            }
            if (StoredAddress.isAddress(f))
            {
                // a fixed-size binary's buffers: validity, then data
                addressBuffers[k++] = buffer + 1;
            }
            buffer += TypeLayout.getTypeBufferCount(f.getType());
        }
    }

    @Override
    public boolean loadNextBatch() throws java.io.IOException
    {
        if (!batches.hasNext())
        {
            return false;
        }
        final ArrowRecordBatch b = batches.next();
        bytes += b.computeBodyLength();
        if (addressBuffers.length == 0)
        {
            new VectorLoader(getVectorSchemaRoot()).load(b);
            return true;
        }
        // the same batch with its address data buffers replaced by store-order copies (fresh ones for
        // every batch: DuckDB may still be reading the previous batch's buffers on another thread)
        final List<ArrowBuf> buffers = new ArrayList<>(b.getBuffers());
        final List<ArrowBuf> copies = new ArrayList<>(addressBuffers.length);
        for (int k = 0; k < addressBuffers.length; k++)
        {
            final ArrowBuf copy = StoredAddress.toStore(buffers.get(addressBuffers[k]), b.getLength(), allocator);
            copies.add(copy);
            buffers.set(addressBuffers[k], copy);
        }
        try (ArrowRecordBatch stored = new ArrowRecordBatch(b.getLength(), b.getNodes(), buffers))
        {
            new VectorLoader(getVectorSchemaRoot()).load(stored);
        }
        finally
        {
            copies.forEach(ArrowBuf::close);
        }
        return true;
    }

    @Override
    public long bytesRead()
    {
        return bytes;
    }

    @Override
    protected void closeReadSource()
    {
    }

    @Override
    protected Schema readSchema()
    {
        return schema;
    }
}
