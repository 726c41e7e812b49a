package io.nightjar.sensor.spool;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Reads a spool's documents in order from the start (or from a given index): for tests, for
 * {@code nightjar spool dump}, and for the shipper. Single-threaded (the tailer is thread-confined).
 */
public final class SpoolReader implements AutoCloseable
{
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;

    /** Opens the spool in {@code directory} for reading from its first document. */
    public SpoolReader(final Path directory)
    {
        this.queue = Spool.open(directory, null);
        this.tailer = queue.createTailer();
    }

    /** The next document, or null when there is none (yet). */
    public SpoolFormat.Document next()
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return null;
            }
            return SpoolFormat.read(dc.wire().bytes());
        }
    }

    /** Index of the last document read (Chronicle index: cycle and sequence). */
    public long index()
    {
        return tailer.index();
    }

    @Override
    public void close()
    {
        tailer.close();
        queue.close();
    }
}
