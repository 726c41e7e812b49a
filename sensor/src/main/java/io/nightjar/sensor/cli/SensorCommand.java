package io.nightjar.sensor.cli;

import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.spool.SpoolRetention;
import io.nightjar.sensor.spool.SpoolWriter;
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
 * and appends every closed bin to the durable spool. (Live capture and shipping come with later
 * issues and extend this command.)
 */
@Command(name = "sensor", mixinStandardHelpOptions = true,
    description = "Run a sensor: capture (from files with --read), classify, bin into flow records, spool them durably.")
public final class SensorCommand implements Callable<Integer>
{
    /** Holds the logger, so that building the command line (every command) does not start Logback (~60 ms). */
    private static final class Log
    {
        static final Logger LOG = LoggerFactory.getLogger(SensorCommand.class);
    }

    @Option(names = "--read", arity = "1..*", paramLabel = "FILE", required = true,
        description = "Capture files to replay (pcap/pcapng, plain or .gz).")
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

    @Override
    public Integer call() throws Exception
    {
        final SpoolRetention retention = new SpoolRetention(
            parseSize("--spool-max-size", spoolMaxSize), PipelineOptions.parseDuration("--spool-max-age", spoolMaxAge));
        try (SpoolWriter writer = new SpoolWriter(spool, retention))
        {
            final FlowPipeline p = pipeline.pipeline(writer);
            Log.LOG.info("sensor: darknet {}, bins of {} s, spool {} (max {} bytes, {})", pipeline.darknet(),
                p.binLengthNanos() / 1e9, spool, retention.maxBytes(), retention.maxAge());
            final OfflineReplay replay = new OfflineReplay(quiet ? null : System.err);
            replay.run(files, p);
            System.err.printf("sensor: %,d packets from %d file(s) in %.2f s: %,d bins, %,d flow records spooled to %s (%,d bytes); %s%n",
                p.packets(), files.size(), replay.elapsedNanos() / 1e9, writer.binsWritten(), writer.flowsWritten(), spool,
                writer.sizeBytes(), writer.evictions());
            return 0;
        }
    }

    /**
     * Parses "500m", "10g", "64k", "1024" (bytes).
     *
     * @throws IllegalArgumentException naming the option.
     */
    public static long parseSize(final String option, final String text)
    {
        final String t = text.trim().toLowerCase().replaceAll("i?b$", "");
        try
        {
            final char last = t.charAt(t.length() - 1);
            final long mult = switch (last)
            {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                case 't' -> 1L << 40;
                default -> 1L;
            };
            final long n = Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1));
            if (n <= 0)
            {
                throw new IllegalArgumentException();
            }
            return Math.multiplyExact(n, mult);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(option + ": not a positive size: '" + text + "' (use e.g. 500m, 10g)");
        }
    }
}
