package io.nightjar.aggregator.store;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.Iterator;
import java.util.List;

/**
 * Presents many already-read record batches of one schema as a single Arrow stream, so that the
 * store inserts a whole group of BATCH frames with one statement. Does not own the batches.
 */
final class ConcatenatingReader extends ArrowReader
{
    private final Schema schema;
    private final Iterator<ArrowRecordBatch> batches;
    private long bytes;

    ConcatenatingReader(final BufferAllocator allocator, final Schema schema, final List<ArrowRecordBatch> batches)
    {
        super(allocator);
        this.schema = schema;
        this.batches = batches.iterator();
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
        new VectorLoader(getVectorSchemaRoot()).load(b);
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
