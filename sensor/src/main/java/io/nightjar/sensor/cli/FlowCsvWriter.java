package io.nightjar.sensor.cli;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes every flow record of every closed bin as one CSV row (for {@code summarize --flows}).
 * Columns are documented in the README ("Flow records"). Single-threaded: the pipeline's thread.
 */
public final class FlowCsvWriter implements BinListener, AutoCloseable
{
    /** The header row. */
    public static final String HEADER = "bin_start,bin_seconds,src,proto,port,class,fingerprint,victim,packets,bytes," +
        "distinct_destinations,first_ts_us,last_ts_us,tcp_flags,ttl_min,ttl_max,syn_window,syn_options";

    private final Writer out;
    private final StringBuilder row = new StringBuilder(256);

    /** Creates (or truncates) {@code file} and writes the header. */
    public FlowCsvWriter(final Path file) throws IOException
    {
        this.out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
        out.write(HEADER);
        out.write('\n');
    }

    @Override
    public void onBinClosed(final long binStartNanos, final long binLengthNanos, final BinCounters counters, final FlowTable t)
    {
        final String binStart = Instant.ofEpochSecond(0, binStartNanos).toString();
        final String binSeconds = Double.toString(binLengthNanos / 1e9);
        try
        {
            for (int f = 0; f < t.size(); f++)
            {
                final StringBuilder r = row;
                r.setLength(0);
                r.append(binStart).append(',').append(binSeconds).append(',')
                    .append(Addresses.toString(t.srcHi(f), t.srcLo(f))).append(',')
                    .append(t.protocol(f)).append(',')
                    .append(t.port(f)).append(',')
                    .append(TrafficClass.ofId(t.trafficClass(f)).key()).append(',')
                    .append(ScannerTool.maskToString(t.fingerprint(f))).append(',')
                    .append(t.hasVictim(f) ? Addresses.toString(t.victimHi(f), t.victimLo(f)) : "").append(',')
                    .append(t.packets(f)).append(',')
                    .append(t.bytes(f)).append(',')
                    .append(t.distinctDestinations(f)).append(',')
                    .append(t.firstNanos(f) / 1000).append(',')
                    .append(t.lastNanos(f) / 1000).append(',')
                    .append(t.tcpFlags(f)).append(',')
                    .append(t.ttlMin(f)).append(',')
                    .append(t.ttlMax(f)).append(',')
                    .append(t.synWindow(f)).append(',');
                if (t.synSeen(f))
                {
                    r.append('"').append(FlowRecord.optionSignature(t.synOptionKinds(f), t.synOptionCount(f), t.synMss(f), t.synWindowScale(f))).append('"');
                }
                r.append('\n');
                out.append(r);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write flow CSV", ex);
        }
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }
}
