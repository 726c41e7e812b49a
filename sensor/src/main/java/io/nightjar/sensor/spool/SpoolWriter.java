package io.nightjar.sensor.spool;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowTable;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * Appends closed bins to the sensor's durable spool, a Chronicle Queue in the sensor's data
 * directory, so that nothing is lost while the aggregator is unreachable or the sensor restarts.
 * Hourly cycle files; after each bin the {@link SpoolRetention} bounds are enforced by evicting
 * the oldest cycles (size = bytes of spooled documents, accounted as they are written and, at
 * start, by one scan of what earlier runs left), and every bin and flow record evicted is counted in
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
    private final SpoolLock lock;
    private final EvictionCounters evictions;
    private final ShipMark mark;
    /** Per cycle: spooled bytes, bins, flow records. */
    private final TreeMap<Integer, long[]> cycleStats = new TreeMap<>();
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
        this.lock = SpoolLock.acquire(directory);
        try
        {
            this.queue = Spool.open(directory, timeProvider);
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
        this.appender = queue.createAppender();
        this.evictions = EvictionCounters.load(directory);
        this.mark = ShipMark.load(directory);
        mark.countLostInto(evictions);
        scanExisting();
    }

    /** Accounts for what earlier runs left in the spool (once, at start). */
    private void scanExisting()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> b = dc.wire().bytes();
                    account(queue.rollCycle().toCycle(dc.index()), b, b.readPosition(), b.readRemaining());
                }
            }
        }
    }

    private void account(final int cycle, final Bytes<?> b, final long start, final long length)
    {
        final long[] stats = cycleStats.computeIfAbsent(cycle, c -> new long[3]);
        stats[0] += length;
        final int type = b.readUnsignedByte(start);
        if (type == SpoolFormat.TYPE_BIN)
        {
            stats[1]++;
        }
        else if (type == SpoolFormat.TYPE_FLOWS)
        {
            stats[2] += b.readInt(start + 18); // type, version, binStart, binLength, count
        }
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
                final long start = b.writePosition();
                SpoolFormat.writeFlowsHeader(b, binStartMicros, binLengthMicros, to - from);
                for (int i = from; i < to; i++)
                {
                    SpoolFormat.writeFlow(b, flows.toRecord(i, binStartMicros, binLengthMicros, true));
                }
                account(queue.rollCycle().toCycle(dc.index()), b, start, b.writePosition() - start);
            }
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> b = dc.wire().bytes();
            final long start = b.writePosition();
            SpoolFormat.writeBin(b, counters.toSummary(binStartNanos, binLengthNanos, n));
            account(queue.rollCycle().toCycle(dc.index()), b, start, b.writePosition() - start);
        }
        binsWritten++;
        flowsWritten += n;
        enforceRetention();
    }

    /**
     * Evicts the oldest cycles while the spool is over its size bound (bytes of spooled documents)
     * or its oldest cycle file is over the age bound. Never the cycle being written.
     */
    public void enforceRetention()
    {
        while (cycleStats.size() > 1)
        {
            long total = 0;
            for (final long[] stats : cycleStats.values())
            {
                total += stats[0];
            }
            final int oldest = cycleStats.firstKey();
            final File file = Spool.cycleFile(directory, oldest);
            final long ageMillis = file.exists() ? System.currentTimeMillis() - file.lastModified() : 0;
            final boolean tooBig = total > retention.maxBytes();
            final boolean tooOld = ageMillis > retention.maxAge().toMillis();
            if (!tooBig && !tooOld)
            {
                return;
            }
            evict(oldest, file, tooBig ? "size " + total + " B > " + retention.maxBytes() + " B" : "age " + ageMillis / 1000 + " s > " + retention.maxAge());
        }
    }

    private void evict(final int cycle, final File file, final String why)
    {
        final long[] stats = cycleStats.remove(cycle);
        mark.lock().lock();
        try
        {
            // documents taken but not yet acknowledged live on only in the shipper's memory: if it loses them
            // (a restart, or the aggregator answering from further back), they are lost too; the mark settles that
            final long taken = mark.taken();
            final long[] c = count(cycle, Math.min(mark.acknowledgedPosition(), taken), taken);
            final long[] unshipped = {c[3], c[4]};
            if (c[2] > 0)
            {
                mark.evictedInFlight(c[2], c[0], c[1]);
            }
            if (file.exists() && !file.delete())
            {
                LOG.error("spool eviction: cannot delete {} ({})", file, why);
                throw new IllegalStateException("cannot delete spool file " + file);
            }
            mark.evictedThrough(queue.rollCycle().toIndex(cycle + 1, 0) - 1);
            queue.refreshDirectoryListing();
            evictions.addUnshipped(unshipped[0], unshipped[1]);
        }
        finally
        {
            mark.lock().unlock();
        }
        evictions.add(1, stats[1], stats[2], stats[0]);
        evictions.save(directory);
        LOG.warn("spool eviction: deleted cycle {} ({}: {} bytes, {} bins, {} flow records) because {}; totals: {}",
            cycle, file.getName(), stats[0], stats[1], stats[2], why, evictions);
    }

    /**
     * One pass over the documents of {@code cycle}: bins, flow records and the last position of those
     * in flight ({@code acked < position <= taken}), then bins and flow records of those after
     * {@code taken} (not yet taken by the shipper): {inFlightBins, inFlightFlows, inFlightLast (0 when
     * none), afterBins, afterFlows}.
     */
    private long[] count(final int cycle, final long acked, final long taken)
    {
        final long[] counts = new long[5];
        try (ExcerptTailer tailer = queue.createTailer())
        {
            if (!tailer.moveToCycle(cycle))
            {
                return counts;
            }
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent() || queue.rollCycle().toCycle(dc.index()) != cycle)
                    {
                        break;
                    }
                    final long index = dc.index();
                    if (index <= acked)
                    {
                        continue;
                    }
                    final int at = index <= taken ? 0 : 3;
                    final Bytes<?> b = dc.wire().bytes();
                    final long start = b.readPosition();
                    if (b.readUnsignedByte(start) == SpoolFormat.TYPE_BIN)
                    {
                        counts[at]++;
                    }
                    else
                    {
                        counts[at + 1] += b.readInt(start + 18);
                    }
                    if (at == 0)
                    {
                        counts[2] = index;
                    }
                }
            }
        }
        return counts;
    }

    /** The queue, for the shipper's tailer (Chronicle queues are thread-safe; tailers are not). */
    public SingleChronicleQueue queue()
    {
        return queue;
    }

    /** The shipping mark that eviction respects. */
    public ShipMark mark()
    {
        return mark;
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

    /** Bytes of the documents in the spool (what retention bounds; cycle files are sparse and larger). */
    public long sizeBytes()
    {
        long total = 0;
        for (final long[] stats : cycleStats.values())
        {
            total += stats[0];
        }
        return total;
    }

    @Override
    public void close()
    {
        try
        {
            appender.close();
            queue.close();
        }
        finally
        {
            lock.close();
        }
    }

}
