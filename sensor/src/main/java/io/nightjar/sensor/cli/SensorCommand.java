package io.nightjar.sensor.cli;

import io.nightjar.sensor.capture.LiveCapture;
import io.nightjar.sensor.capture.LiveSettings;
import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.live.LiveRun;
import io.nightjar.sensor.metrics.MetricsServer;
import io.nightjar.sensor.metrics.SensorMetrics;
import io.nightjar.sensor.ship.Shipper;
import io.nightjar.sensor.ship.ShipperSettings;
import io.nightjar.sensor.spool.SpoolRetention;
import io.nightjar.sensor.spool.SpoolWriter;
import io.nightjar.sensor.summary.EventSummary;
import io.nightjar.sensor.summary.RunSummary;
import io.nightjar.sensor.summary.SummaryAgent;
import io.nightjar.wire.frame.Heartbeat;
import io.nightjar.wire.tls.HostPort;
import io.nightjar.wire.tls.Units;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code nightjar sensor (--read FILE... | --interface IFACE...) --spool DIR}: runs the sensor's
 * pipeline over capture files or live interfaces and appends every closed bin to the durable spool;
 * with {@code --aggregator} it also ships the spool. With {@code --read} it exits 0 once every record
 * has been acknowledged (exit 3 if {@code --deadline} passes first); live, it runs until SIGTERM or
 * {@code --exit-after}, then closes its bin into the spool and gives the shipper {@code --stop-grace}
 * to have it acknowledged.
 */
@Command(name = "sensor", mixinStandardHelpOptions = true,
    description = {"Run a sensor: capture (live with --interface, or from files with --read), classify, bin into flow records,",
        "spool them durably, and ship them to an aggregator (--aggregator) over mutual TLS.",
        "Live capture needs root or CAP_NET_RAW and CAP_NET_ADMIN. SIGTERM closes the open bin into the spool.",
        "Exit codes: 0 done (with --read and --aggregator: everything acknowledged), 2 bad input, 3 --deadline passed before every",
        "record was acknowledged (the spool keeps them; the next run resumes), 4 the capture failed."})
public final class SensorCommand implements Callable<Integer>
{
    /** Holds the logger, so that building the command line (every command) does not start Logback (~60 ms). */
    private static final class Log
    {
        static final Logger LOG = LoggerFactory.getLogger(SensorCommand.class);
    }

    @Option(names = "--read", arity = "1..*", paramLabel = "FILE",
        description = "Capture files to replay (pcap/pcapng, plain or .gz). Without --read or --interface (and with --aggregator)"
            + " the sensor ships what its spool holds and exits once all of it is acknowledged.")
    List<Path> files;

    @Option(names = "--interface", split = ",", paramLabel = "IFACE",
        description = "Capture live from these interfaces (comma-separated or repeated; one capture thread each).")
    List<String> interfaces;

    @Option(names = "--bpf", paramLabel = "FILTER", description = "BPF filter for live capture (tcpdump syntax), e.g. 'not port 22'.")
    String bpf;

    @Option(names = "--snaplen", paramLabel = "BYTES", defaultValue = "" + LiveSettings.DEFAULT_SNAPLEN,
        description = "Bytes kept of each live packet (default: ${DEFAULT-VALUE}: every header Nightjar reads).")
    int snaplen;

    @Option(names = "--promisc", description = "Put the interfaces into promiscuous mode (span ports, routed darknets).")
    boolean promisc;

    @Option(names = "--buffer-mb", paramLabel = "MiB", defaultValue = "64",
        description = "Kernel capture buffer per interface, MiB (default: ${DEFAULT-VALUE}).")
    int bufferMb;

    @Option(names = "--ring-mb", paramLabel = "MiB", defaultValue = "64",
        description = "Hand-over ring from each capture thread to the pipeline, MiB (default: ${DEFAULT-VALUE}).")
    int ringMb;

    @Option(names = "--exit-after", paramLabel = "DURATION",
        description = "Live: stop after this long (e.g. 30s, 10m), as on SIGTERM. For test runs and spot checks.")
    String exitAfter;

    @Option(names = "--summary", paramLabel = "FILE",
        description = "At the end, write the JSON of `nightjar summarize --json` over everything this run captured or read.")
    Path summaryFile;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
        description = "Serve /metrics (Prometheus text), /healthz and /readyz here, e.g. 127.0.0.1:9464.")
    String metricsAddress;

    @Option(names = "--stop-grace", paramLabel = "DURATION", defaultValue = "10s",
        description = "On SIGTERM or --exit-after: how long the shipper may take to have the last bins acknowledged (default: ${DEFAULT-VALUE}).")
    String stopGrace;

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

    /** Counted down once the spool is closed: a SIGTERM's shutdown hook waits for it. */
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception
    {
        try
        {
            return runSensor();
        }
        finally
        {
            stopped.countDown();
        }
    }

    private int runSensor() throws Exception
    {
        final SpoolRetention retention = new SpoolRetention(
            parseSize("--spool-max-size", spoolMaxSize), PipelineOptions.parseDuration("--spool-max-age", spoolMaxAge));
        final ShipperSettings shipping = ship.settings();
        final boolean liveMode = interfaces != null && !interfaces.isEmpty();
        if (files == null)
        {
            files = List.of();
        }
        if (liveMode && !files.isEmpty())
        {
            throw new IllegalArgumentException("--read and --interface exclude each other");
        }
        if (!liveMode && files.isEmpty() && shipping == null)
        {
            throw new IllegalArgumentException("give --interface IFACE, --read FILE... (and/or --aggregator to ship the spool)");
        }
        final List<LiveSettings> live = liveMode ? liveSettings() : List.of();
        if (!liveMode && (exitAfter != null || bpf != null || promisc))
        {
            throw new IllegalArgumentException("--exit-after, --bpf and --promisc need --interface");
        }
        final long exitAfterMillis = exitAfter == null ? -1 : PipelineOptions.parseDuration("--exit-after", exitAfter).toMillis();
        final long graceMillis = PipelineOptions.parseDuration("--stop-grace", stopGrace).toMillis();
        final HostPort metricsAt = metricsAddress == null ? null : HostPort.parse("--metrics", metricsAddress);
        final SensorMetrics metrics = new SensorMetrics();
        try (SpoolWriter writer = new SpoolWriter(spool, retention))
        {
            metrics.spool(writer);
            final RunSummary summary = summaryFile == null ? null : new RunSummary(EventSummary.withDefaults(darknetV4()));
            final SummaryAgent agent = summary == null ? null : new SummaryAgent(summary);
            final BinListener listener = listener(writer, metrics, agent, liveMode);
            final FlowPipeline p = pipeline.pipeline(listener);
            Log.LOG.info("sensor: {}, darknet {}, bins of {} s, spool {} (max {} bytes, {})",
                liveMode ? "live on " + String.join(",", interfaces) : files.size() + " file(s)", pipeline.darknet(),
                p.binLengthNanos() / 1e9, spool, retention.maxBytes(), retention.maxAge());
            final LiveRun run = liveMode ? new LiveRun(live, quiet ? null : System.err) : null;
            metrics.live(run);
            final Shipper shipper = shipping == null ? null
                : new Shipper(shipping, writer.queue(), writer.mark(), () -> health(p, writer, run), "nightjar 0.1.0");
            metrics.shipper(shipper);
            final MetricsServer server = metricsAt == null ? null : new MetricsServer(metricsAt.address(), metrics, () -> readiness(run));
            try
            {
                if (liveMode)
                {
                    return runLive(run, p, writer, shipper, agent, summary, exitAfterMillis, graceMillis);
                }
                return runFiles(p, writer, shipper, agent, summary, shipping);
            }
            finally
            {
                if (shipper != null)
                {
                    shipper.close();
                }
                if (agent != null)
                {
                    agent.close();
                }
                if (server != null)
                {
                    server.close();
                }
            }
        }
    }

    private int runFiles(final FlowPipeline p, final SpoolWriter writer, final Shipper shipper, final SummaryAgent agent,
                         final RunSummary summary, final ShipperSettings shipping) throws Exception
    {
        final OfflineReplay replay = new OfflineReplay(quiet ? null : System.err);
        if (!files.isEmpty())
        {
            replay.run(files, p);
        }
        System.err.printf("sensor: %,d packets from %d file(s) in %.2f s: %,d bins, %,d flow records spooled to %s (%,d bytes); %s%n",
            p.packets(), files.size(), replay.elapsedNanos() / 1e9, writer.binsWritten(), writer.flowsWritten(), spool,
            writer.sizeBytes(), writer.evictions());
        writeSummary(agent, summary, p, replay.damage(), replay.elapsedNanos());
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

    private int runLive(final LiveRun run, final FlowPipeline p, final SpoolWriter writer, final Shipper shipper, final SummaryAgent agent,
                        final RunSummary summary, final long exitAfterMillis, final long graceMillis) throws Exception
    {
        final Thread hook = new Thread(() ->
        {
            Log.LOG.info("sensor: stopping (signal): closing the open bin into the spool");
            run.requestStop();
            try
            {
                stopped.await(graceMillis + 5_000, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "nightjar-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread timer = null;
        if (exitAfterMillis >= 0)
        {
            timer = new Thread(() ->
            {
                try
                {
                    if (run.awaitStarted(60_000))
                    {
                        Thread.sleep(exitAfterMillis);
                    }
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                run.requestStop();
            }, "nightjar-exit-after");
            timer.setDaemon(true);
            timer.start();
        }
        int code = 0;
        try
        {
            try
            {
                run.run(p);
            }
            catch (final IOException ex)
            {
                if (run.captures().isEmpty() && !String.valueOf(ex.getMessage()).startsWith("capture failed"))
                {
                    throw new IllegalArgumentException(ex.getMessage(), ex);
                }
                Log.LOG.error("sensor: {}", ex.getMessage());
                System.err.println("sensor: " + ex.getMessage());
                code = 4;
            }
            if (timer != null)
            {
                timer.interrupt();
            }
            final StringBuilder drops = new StringBuilder();
            for (final LiveCapture c : run.captures())
            {
                drops.append(String.format("; %s: received %,d, dropped by kernel %,d, by interface %,d, by ring %,d", c.interfaceName(),
                    c.received(), c.kernelDrops(), c.interfaceDrops(), c.ringDrops()));
            }
            System.err.printf("sensor: %,d packets live in %.2f s: %,d bins, %,d flow records spooled to %s (%,d bytes)%s%n", p.packets(),
                run.elapsedNanos() / 1e9, writer.binsWritten(), writer.flowsWritten(), spool, writer.sizeBytes(), drops);
            writeSummary(agent, summary, p, List.of(), run.elapsedNanos());
            if (shipper != null)
            {
                shipper.finishWhenDrained();
                if (shipper.awaitDrained(graceMillis))
                {
                    System.err.printf("sensor: every record acknowledged (sequence %d)%n", writer.mark().acknowledgedSequence());
                }
                else
                {
                    System.err.printf("sensor: --stop-grace %s passed with records unacknowledged (up to sequence %d acknowledged);"
                        + " the spool keeps them for the next run%n", stopGrace, writer.mark().acknowledgedSequence());
                }
            }
            return code;
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // shutting down: the hook is running and waits for `stopped` (after the spool is closed)
            }
        }
    }

    private List<LiveSettings> liveSettings()
    {
        if (bufferMb < 1 || bufferMb > 2047)
        {
            throw new IllegalArgumentException("--buffer-mb must be 1 .. 2047: " + bufferMb);
        }
        if (ringMb < 1 || ringMb > 1024)
        {
            throw new IllegalArgumentException("--ring-mb must be 1 .. 1024: " + ringMb);
        }
        final List<LiveSettings> list = new ArrayList<>();
        for (final String name : interfaces)
        {
            if (list.stream().anyMatch(l -> l.interfaceName().equals(name)))
            {
                throw new IllegalArgumentException("--interface " + name + " given twice");
            }
            list.add(new LiveSettings(name.trim(), bpf, snaplen, promisc, bufferMb << 20, ringMb << 20, 100));
        }
        return list;
    }

    private long darknetV4()
    {
        final long v4 = pipeline.darknet().ipv4AddressCount();
        return v4 > 0 ? v4 : 1L << 32;
    }

    private static BinListener listener(final SpoolWriter writer, final SensorMetrics metrics, final SummaryAgent agent, final boolean log)
    {
        return (final long start, final long length, final BinCounters c, final FlowTable t) ->
        {
            writer.onBinClosed(start, length, c, t);
            metrics.onBinClosed(start, length, c, t);
            if (agent != null)
            {
                agent.onBinClosed(start, length, c, t);
            }
            if (log)
            {
                Log.LOG.info("bin {} closed: {} packets, {} flow records, capture received {} dropped {} (kernel {}, interface {}, ring {})",
                    java.time.Instant.ofEpochMilli(start / 1_000_000), c.packets, t.size(), c.captureReceived, c.captureDrops,
                    c.captureKernelDrops, c.captureInterfaceDrops, c.captureRingDrops);
            }
        };
    }

    private void writeSummary(final SummaryAgent agent, final RunSummary summary, final FlowPipeline p,
                              final List<io.nightjar.sensor.capture.CaptureDamage> damage, final long elapsedNanos) throws IOException
    {
        if (agent == null)
        {
            return;
        }
        agent.close();
        final Map<String, Object> map = SummaryReport.toMap(summary, 20, p.binLengthNanos(), damage, elapsedNanos);
        final Path parent = summaryFile.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(summaryFile), false, java.nio.charset.StandardCharsets.UTF_8))
        {
            SummaryReport.printJson(map, out);
        }
        System.err.println("sensor: summary written to " + summaryFile);
    }

    private static String readiness(final LiveRun run)
    {
        if (run == null)
        {
            return null;
        }
        final List<LiveCapture> captures = run.captures();
        if (captures.isEmpty())
        {
            return "capture not started";
        }
        for (final LiveCapture c : captures)
        {
            if (c.finished())
            {
                return "capture on " + c.interfaceName() + (c.failure() == null ? " stopped" : " failed: " + c.failure().getMessage());
            }
        }
        return null;
    }

    private static Heartbeat health(final FlowPipeline p, final SpoolWriter writer, final LiveRun run)
    {
        long kernel = 0;
        long iface = 0;
        long packets = p.packets();
        if (run != null)
        {
            packets = run.packets();
            for (final LiveCapture c : run.captures())
            {
                kernel += c.kernelDrops() + c.ringDrops();
                iface += c.interfaceDrops();
            }
        }
        return new Heartbeat(io.nightjar.sensor.clock.SensorClock.INSTANCE.currentTimeMicros(), packets, 0, kernel, iface, 0, writer.sizeBytes(),
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
