package io.nightjar.sensor.cli;

import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.ship.Shipper;
import io.nightjar.sensor.ship.ShipperSettings;
import io.nightjar.sensor.spool.SpoolRetention;
import io.nightjar.sensor.spool.SpoolWriter;
import io.nightjar.wire.frame.Heartbeat;
import io.nightjar.wire.tls.Units;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code nightjar sensor --read FILE... --spool DIR}: runs the sensor's pipeline over capture files
 * and appends every closed bin to the durable spool; with {@code --aggregator} it also ships the
 * spool and, once the files are done, exits 0 when every record has been acknowledged (exit 3 if
 * {@code --deadline} passes first).
 */
@Command(name = "sensor", mixinStandardHelpOptions = true,
    description = {"Run a sensor: capture (from files with --read), classify, bin into flow records, spool them durably,",
        "and ship them to an aggregator (--aggregator) over mutual TLS.",
        "Exit codes: 0 done (with --aggregator: everything acknowledged), 2 bad input, 3 --deadline passed before every",
        "record was acknowledged (the spool keeps them; the next run resumes)."})
public final class SensorCommand implements Callable<Integer>
{
    /** Holds the logger, so that building the command line (every command) does not start Logback (~60 ms). */
    private static final class Log
    {
        static final Logger LOG = LoggerFactory.getLogger(SensorCommand.class);
    }

    @Option(names = "--read", arity = "1..*", paramLabel = "FILE",
        description = "Capture files to replay (pcap/pcapng, plain or .gz). Without --read (and with --aggregator) the sensor"
            + " ships what its spool holds and exits once all of it is acknowledged.")
    List<Path> files;

    @Option(names = "--spool", paramLabel = "DIR", required = true, description = "Spool directory (Chronicle Queue), created if missing.")
    Path spool;

    @Option(names = "--spool-max-size", paramLabel = "SIZE", defaultValue = "10g",
        description = "Evict the oldest spool files past this total size, e.g. 500m, 10g (default: ${DEFAULT-VALUE}).")
    String spoolMaxSize;

    @Option(names = "--spool-max-age", paramLabel = "DURATION", defaultValue = "30d",
        description = "Evict spool files older than this (default: ${DEFAULT-VALUE}).")
    String spoolMaxAge;

    @Mixin
    PipelineOptions pipeline = new PipelineOptions();

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Mixin
    ShipOptions ship = new ShipOptions();

    @Override
    public Integer call() throws Exception
    {
        final SpoolRetention retention = new SpoolRetention(
            parseSize("--spool-max-size", spoolMaxSize), PipelineOptions.parseDuration("--spool-max-age", spoolMaxAge));
        final ShipperSettings shipping = ship.settings();
        if ((files == null || files.isEmpty()) && shipping == null)
        {
            throw new IllegalArgumentException("give --read FILE... (and/or --aggregator to ship the spool)");
        }
        if (files == null)
        {
            files = List.of();
        }
        try (SpoolWriter writer = new SpoolWriter(spool, retention))
        {
            final FlowPipeline p = pipeline.pipeline(writer);
            Log.LOG.info("sensor: darknet {}, bins of {} s, spool {} (max {} bytes, {})", pipeline.darknet(),
                p.binLengthNanos() / 1e9, spool, retention.maxBytes(), retention.maxAge());
            final Shipper shipper = shipping == null ? null
                : new Shipper(shipping, writer.queue(), writer.mark(), () -> health(p, writer), "nightjar 0.1.0");
            try
            {
                final OfflineReplay replay = new OfflineReplay(quiet ? null : System.err);
                if (!files.isEmpty())
                {
                    replay.run(files, p);
                }
                System.err.printf("sensor: %,d packets from %d file(s) in %.2f s: %,d bins, %,d flow records spooled to %s (%,d bytes); %s%n",
                    p.packets(), files.size(), replay.elapsedNanos() / 1e9, writer.binsWritten(), writer.flowsWritten(), spool,
                    writer.sizeBytes(), writer.evictions());
                if (shipper == null)
                {
                    return 0;
                }
                final long deadline = ship.deadlineMillis();
                shipper.finishWhenDrained();
                if (shipper.awaitDrained(deadline))
                {
                    System.err.printf("sensor: every record acknowledged by %s (sequence %d, %d batches sent, %d reconnects)%n",
                        shipping.host() + ":" + shipping.port(), writer.mark().acknowledgedSequence(), shipper.batchesSent(),
                        shipper.reconnects());
                    return 0;
                }
                System.err.printf("sensor: --deadline %s passed before the aggregator acknowledged everything (acknowledged up to sequence %d;"
                    + " the spool keeps the rest and the next run resumes)%n", ship.deadline, writer.mark().acknowledgedSequence());
                return 3;
            }
            finally
            {
                if (shipper != null)
                {
                    shipper.close();
                }
            }
        }
    }

    private static Heartbeat health(final FlowPipeline p, final SpoolWriter writer)
    {
        return new Heartbeat(System.currentTimeMillis() * 1000, p.packets(), 0, 0, 0, 0, writer.sizeBytes(),
            writer.evictions().unshippedFlowRecords(), writer.evictions().unshippedBins(), 0);
    }

    /**
     * Parses "500m", "10g", "64k", "1024" (bytes).
     *
     * @throws IllegalArgumentException naming the option.
     */
    public static long parseSize(final String option, final String text)
    {
        return Units.parseSize(option, text);
    }
}
