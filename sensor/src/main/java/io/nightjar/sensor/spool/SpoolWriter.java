package io.nightjar.sensor.spool;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowTable;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Appends closed bins to the sensor's durable spool, a Chronicle Queue in the sensor's data
 * directory, so that nothing is lost while the aggregator is unreachable or the sensor restarts.
 * Hourly cycle files; after each bin the {@link SpoolRetention} bounds are enforced by evicting
 * the oldest cycle files, and every bin and flow record evicted is counted in
 * {@link EvictionCounters} (persisted beside the queue and logged): never silent.
 *
 * <p>Single writer: the pipeline's thread (Chronicle appenders are thread-confined).
 */
public final class SpoolWriter implements BinListener, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);

    private final Path directory;
    private final SpoolRetention retention;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final EvictionCounters evictions;
    private long binsWritten;
    private long flowsWritten;

    /** Opens (or creates) the spool in {@code directory} with the system clock. */
    public SpoolWriter(final Path directory, final SpoolRetention retention)
    {
        this(directory, retention, null);
    }

    /**
     * Opens (or creates) the spool.
     *
     * @param timeProvider clock that decides cycle files (tests use a manual one); null for the system clock.
     */
    public SpoolWriter(final Path directory, final SpoolRetention retention, final TimeProvider timeProvider)
    {
        this.directory = directory;
        this.retention = retention;
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create spool directory " + directory, ex);
        }
        this.queue = Spool.open(directory, timeProvider);
        this.appender = queue.createAppender();
        this.evictions = EvictionCounters.load(directory);
    }

    @Override
    public void onBinClosed(final long binStartNanos, final long binLengthNanos, final BinCounters counters, final FlowTable flows)
    {
        final long binStartMicros = binStartNanos / 1000;
        final long binLengthMicros = binLengthNanos / 1000;
        final int n = flows.size();
        for (int from = 0; from < n; from += SpoolFormat.FLOWS_PER_DOCUMENT)
        {
            final int to = Math.min(n, from + SpoolFormat.FLOWS_PER_DOCUMENT);
            try (DocumentContext dc = appender.writingDocument())
            {
                final Bytes<?> b = dc.wire().bytes();
                SpoolFormat.writeFlowsHeader(b, binStartMicros, binLengthMicros, to - from);
                for (int i = from; i < to; i++)
                {
                    SpoolFormat.writeFlow(b, flows.toRecord(i, binStartMicros, binLengthMicros, true));
                }
            }
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            SpoolFormat.writeBin(dc.wire().bytes(), counters.toSummary(binStartNanos, binLengthNanos, n));
        }
        binsWritten++;
        flowsWritten += n;
        enforceRetention();
    }

    /** Evicts the oldest cycle files while the spool is over its size or age bound. Never the current cycle. */
    public void enforceRetention()
    {
        while (true)
        {
            final File[] files = Spool.cycleFiles(directory);
            if (files.length <= 1)
            {
                return;
            }
            long total = 0;
            for (final File f : files)
            {
                total += f.length();
            }
            final File oldest = files[0];
            final long ageMillis = System.currentTimeMillis() - oldest.lastModified();
            final boolean tooBig = total > retention.maxBytes();
            final boolean tooOld = ageMillis > retention.maxAge().toMillis();
            if (!tooBig && !tooOld)
            {
                return;
            }
            evict(oldest, tooBig ? "size " + total + " B > " + retention.maxBytes() + " B" : "age " + ageMillis / 1000 + " s > " + retention.maxAge());
        }
    }

    private void evict(final File file, final String why)
    {
        final int cycle = queue.firstCycle();
        long bins = 0;
        long flowRecords = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            if (tailer.moveToCycle(cycle))
            {
                while (true)
                {
                    try (DocumentContext dc = tailer.readingDocument())
                    {
                        if (!dc.isPresent() || queue.rollCycle().toCycle(dc.index()) != cycle)
                        {
                            if (dc.isPresent())
                            {
                                dc.rollbackOnClose();
                            }
                            break;
                        }
                        final Bytes<?> b = dc.wire().bytes();
                        final int type = b.readUnsignedByte(b.readPosition());
                        if (type == SpoolFormat.TYPE_BIN)
                        {
                            bins++;
                        }
                        else if (type == SpoolFormat.TYPE_FLOWS)
                        {
                            // count at fixed offset: type, version, binStart, binLength, count
                            flowRecords += b.readInt(b.readPosition() + 18);
                        }
                    }
                }
            }
        }
        final long size = file.length();
        if (!file.delete())
        {
            LOG.error("spool eviction: cannot delete {} ({}); retention not enforced", file, why);
            throw new IllegalStateException("cannot delete spool file " + file);
        }
        queue.refreshDirectoryListing();
        evictions.add(1, bins, flowRecords, size);
        evictions.save(directory);
        LOG.warn("spool eviction: deleted {} ({} bytes, {} bins, {} flow records) because {}; totals: {}",
            file.getName(), size, bins, flowRecords, why, evictions);
    }

    /** Eviction totals since the spool was created. */
    public EvictionCounters evictions()
    {
        return evictions;
    }

    /** Bins written by this writer. */
    public long binsWritten()
    {
        return binsWritten;
    }

    /** Flow records written by this writer. */
    public long flowsWritten()
    {
        return flowsWritten;
    }

    /** Bytes of the spool's cycle files. */
    public long sizeBytes()
    {
        return Arrays.stream(Spool.cycleFiles(directory)).mapToLong(File::length).sum();
    }

    @Override
    public void close()
    {
        appender.close();
        queue.close();
    }

    static Comparator<File> byName()
    {
        return Comparator.comparing(File::getName);
    }

    /** Forces use of the roll cycle constant (documented in {@link Spool}). */
    static RollCycles rollCycle()
    {
        return Spool.ROLL_CYCLE;
    }
}
