package io.nightjar.sensor.spool;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Totals of what retention evicted from a spool, persisted in {@code evictions.properties} beside
 * the queue (written atomically) so that the count survives restarts. Single writer: the spool writer.
 */
public final class EvictionCounters
{
    private static final String FILE = "evictions.properties";

    private long files;
    private long bins;
    private long flowRecords;
    private long bytes;
    private long unshippedBins;
    private long unshippedFlowRecords;

    /** Loads the counters of the spool in {@code directory} (zeros if none were saved). */
    public static EvictionCounters load(final Path directory)
    {
        final EvictionCounters c = new EvictionCounters();
        final Path file = directory.resolve(FILE);
        if (Files.exists(file))
        {
            final Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                p.load(r);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + file, ex);
            }
            c.files = Long.parseLong(p.getProperty("evicted_files", "0"));
            c.bins = Long.parseLong(p.getProperty("evicted_bins", "0"));
            c.flowRecords = Long.parseLong(p.getProperty("evicted_flow_records", "0"));
            c.bytes = Long.parseLong(p.getProperty("evicted_bytes", "0"));
            c.unshippedBins = Long.parseLong(p.getProperty("evicted_unshipped_bins", "0"));
            c.unshippedFlowRecords = Long.parseLong(p.getProperty("evicted_unshipped_flow_records", "0"));
        }
        return c;
    }

    synchronized void add(final long files, final long bins, final long flowRecords, final long bytes)
    {
        this.files += files;
        this.bins += bins;
        this.flowRecords += flowRecords;
        this.bytes += bytes;
    }

    synchronized void addUnshipped(final long bins, final long flowRecords)
    {
        this.unshippedBins += bins;
        this.unshippedFlowRecords += flowRecords;
    }

    /**
     * Bins evicted before the shipper took them: lost to the aggregator (equal to {@link #bins()}
     * when nothing ships).
     */
    public synchronized long unshippedBins()
    {
        return unshippedBins;
    }

    /** Flow records evicted before the shipper took them: lost to the aggregator. */
    public synchronized long unshippedFlowRecords()
    {
        return unshippedFlowRecords;
    }

    synchronized void save(final Path directory)
    {
        final Properties p = new Properties();
        p.setProperty("evicted_files", Long.toString(files));
        p.setProperty("evicted_bins", Long.toString(bins));
        p.setProperty("evicted_flow_records", Long.toString(flowRecords));
        p.setProperty("evicted_bytes", Long.toString(bytes));
        p.setProperty("evicted_unshipped_bins", Long.toString(unshippedBins));
        p.setProperty("evicted_unshipped_flow_records", Long.toString(unshippedFlowRecords));
        final Path tmp = directory.resolve(FILE + ".tmp");
        try
        {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
            {
                p.store(w, "Nightjar spool evictions");
            }
            Files.move(tmp, directory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write eviction counters in " + directory, ex);
        }
    }

    /** Cycle files evicted. */
    public synchronized long files()
    {
        return files;
    }

    /** Bins evicted. */
    public synchronized long bins()
    {
        return bins;
    }

    /** Flow records evicted. */
    public synchronized long flowRecords()
    {
        return flowRecords;
    }

    /** Bytes evicted. */
    public synchronized long bytes()
    {
        return bytes;
    }

    @Override
    public synchronized String toString()
    {
        return files + " files, " + bins + " bins, " + flowRecords + " flow records, " + bytes + " bytes evicted (unshipped: "
            + unshippedBins + " bins, " + unshippedFlowRecords + " flow records)";
    }
}
