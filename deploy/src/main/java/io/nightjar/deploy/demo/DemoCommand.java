package io.nightjar.deploy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.sensor.cli.SensorCommand;
import io.nightjar.sensor.generate.GenerateCommand;
import io.nightjar.wire.tls.HostPort;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code nightjar demo}: Nightjar's main job on one machine. Makes a certificate authority and
 * certificates, generates realistic darknet traffic for several sensors of different member states
 * and sizes, starts an aggregator with the embedded store, replays every sensor's capture through
 * its spool to the aggregator over mutual TLS, waits until every record is acknowledged, prints the
 * headline statistics (asked of the HTTP API with a token, as an analyst would), writes a sample
 * threat-landscape report, and leaves the dashboard running with its URL and token until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the whole system on this machine: an aggregator and several sensors replaying generated darknet",
        "traffic over mutual TLS; prints the headline statistics, writes a sample report and serves the dashboard until Ctrl-C."})
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "demo", description = "Working directory (default: ${DEFAULT-VALUE}); emptied first.")
    Path dir;

    @Option(names = "--packets", paramLabel = "N", defaultValue = "200000", description = "Packets per sensor (default: ${DEFAULT-VALUE}).")
    long packets;

    @Option(names = "--rate", paramLabel = "PPS", defaultValue = "30",
        description = {"Mean packets per second of capture time per sensor (default: ${DEFAULT-VALUE}: with 200,000 packets, about",
            "two hours of a busy darknet, enough backscatter for DoS attacks to be inferred)."})
    double rate;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", description = "Dashboard and API (default: ${DEFAULT-VALUE}).")
    String http;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
        description = "Sensor-facing address (default: ${DEFAULT-VALUE}, any free port).")
    String listen;

    @Option(names = "--exit", description = "Stop after the report instead of serving the dashboard until Ctrl-C.")
    boolean exit;

    @Option(names = "--no-report", description = "Skip the sample report.")
    boolean noReport;

    /** The demo's sensors: id, member state, organisation, darknet, darknet addresses, seed. */
    record DemoSensor(String id, String country, String organisation, String darknet, long addresses, long seed)
    {
    }

    static final List<DemoSensor> SENSORS = List.of(
        new DemoSensor("th-bkk-1", "TH", "ไทยเซิร์ต (ThaiCERT)", "198.51.100.0/24,2001:db8:dead::/48", 256, 11),
        new DemoSensor("vn-han-1", "VN", "Trung tâm VNCERT/CC", "203.0.113.0/24,2001:db8:beef::/48", 256, 22),
        new DemoSensor("my-kul-1", "MY", "MyCERT", "100.64.0.0/22,2001:db8:cafe::/48", 1024, 33));

    @Override
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        final long t0 = System.nanoTime();
        final HostPort api = HostPort.parse("--http", http);
        final HostPort ingest = HostPort.parse("--listen", listen);
        final Path root = repositoryRoot();
        final Path work = dir.toAbsolutePath();
        DemoFiles.emptyDirectory(work);
        step(out, "certificates (mutual TLS): a CA, the aggregator and " + SENSORS.size() + " sensors in " + work.resolve("pki"));
        final List<String> certArgs = new ArrayList<>(List.of(root.resolve("deploy/certs/make-certs.sh").toString(), "--out", work.resolve("pki").toString()));
        SENSORS.forEach(s -> certArgs.add(s.id()));
        DemoFiles.run(certArgs, work.resolve("make-certs.log"));
        final Path sensorsYaml = DemoFiles.sensorsYaml(work, SENSORS);

        step(out, "sample traffic: " + String.format("%,d", packets) + " packets per sensor (scanners, ZMap/Masscan/Mirai-like sources, backscatter, probes, IPv6, malformed frames)");
        final ExecutorService pool = Executors.newFixedThreadPool(Math.min(SENSORS.size(), Math.max(1, Runtime.getRuntime().availableProcessors())));
        try
        {
            final List<Future<Integer>> gens = new ArrayList<>();
            for (final DemoSensor s : SENSORS)
            {
                gens.add(pool.submit(() -> new CommandLine(new GenerateCommand()).execute("--packets", Long.toString(packets), "--seed", Long.toString(s.seed()),
                    "--darknet", s.darknet(), "--rate", Double.toString(rate), "--out", work.resolve(s.id() + ".pcap").toString())));
            }
            for (final Future<Integer> g : gens)
            {
                if (g.get() != 0)
                {
                    throw new IllegalStateException("traffic generation failed");
                }
            }

            final Path pki = work.resolve("pki");
            step(out, "aggregator: embedded DuckDB store in " + work.resolve("aggregator"));
            final Aggregator aggregator = new Aggregator(Aggregator.Settings.of(ingest.address(), api.address(), work.resolve("aggregator"),
                TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true),
                SensorRegistry.load(sensorsYaml)).withEnricher(Enricher.load(Enricher.defaultDirectory())));
            // (the enricher lives as long as the process: its memory mapping goes with it)
            final CountDownLatch stopped = new CountDownLatch(1);
            final Thread hook = new Thread(() ->
            {
                aggregator.close();
                stopped.countDown();
            }, "nightjar-demo-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            final String target = "127.0.0.1:" + aggregator.ingestAddress().getPort();

            step(out, "sensors: replaying " + SENSORS.size() + " captures through their spools to " + target + " over mutual TLS");
            final List<Future<Integer>> runs = new ArrayList<>();
            for (final DemoSensor s : SENSORS)
            {
                runs.add(pool.submit(() -> new CommandLine(new SensorCommand()).execute("--read", work.resolve(s.id() + ".pcap").toString(),
                    "--spool", work.resolve("spool-" + s.id()).toString(), "--darknet", s.darknet(), "--quiet", "--aggregator", target,
                    "--sensor-id", s.id(), "--cert", pki.resolve("sensors/" + s.id() + ".pem").toString(),
                    "--key", pki.resolve("sensors/" + s.id() + ".key").toString(), "--ca", pki.resolve("ca.pem").toString(), "--deadline", "5m")));
            }
            for (int i = 0; i < runs.size(); i++)
            {
                if (runs.get(i).get() != 0)
                {
                    throw new IllegalStateException("sensor " + SENSORS.get(i).id() + " did not finish shipping");
                }
            }

            final String base = "http://" + aggregator.httpAddress().getHostString() + ":" + aggregator.httpAddress().getPort();
            final Path tokenFile = work.resolve("aggregator").resolve(Aggregator.API_TOKEN_FILE);
            final String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            final ApiClient client = new ApiClient(base, token);
            final JsonNode meta = client.get("/api/v1/meta");
            final String from = meta.path("data_range").path("first").asText();
            final String to = meta.path("data_range").path("last").asText();
            new Headlines(client, out).print(from, to);

            if (!noReport)
            {
                final Path reportDir = work.resolve("report");
                step(out, "sample threat-landscape report in " + reportDir);
                final int rc = SampleReport.write(base, tokenFile, from, to, reportDir);
                if (rc != 0)
                {
                    out.println("  (the report could not be written: exit " + rc + ")");
                }
            }
            out.printf("%nDemo ready in %.0f s.%n  Dashboard: %s/   (token: %s)%n  Token file: %s%n  API:       curl -H 'Authorization: Bearer %s' '%s/api/v1/ports/top?from=%s&to=%s'%n",
                (System.nanoTime() - t0) / 1e9, base, token, tokenFile, token, base, from, to);
            out.flush();
            if (exit)
            {
                Runtime.getRuntime().removeShutdownHook(hook);
                aggregator.close();
                return 0;
            }
            out.println("Press Ctrl-C to stop.");
            out.flush();
            stopped.await();
            return 0;
        }
        finally
        {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The repository root: {@code nightjar.root} (set by the launcher), else the nearest parent holding deploy/certs. */
    static Path repositoryRoot()
    {
        final String set = System.getProperty("nightjar.root");
        if (set != null)
        {
            return Path.of(set).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
        {
            if (Files.isRegularFile(p.resolve("deploy/certs/make-certs.sh")))
            {
                return p;
            }
        }
        throw new IllegalArgumentException("cannot find the repository (deploy/certs/make-certs.sh); run it as ./nightjar demo");
    }

    private static void step(final PrintStream out, final String what)
    {
        out.println("demo: " + what);
        out.flush();
    }

    /** Files and processes of the demo. */
    static final class DemoFiles
    {
        private DemoFiles()
        {
        }

        static void emptyDirectory(final Path d) throws IOException
        {
            if (Files.exists(d))
            {
                try (var walk = Files.walk(d))
                {
                    walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(d)).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(d);
        }

        static void run(final List<String> command, final Path log) throws IOException, InterruptedException
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
            {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " failed (is openssl installed?); see " + log);
            }
        }

        static Path sensorsYaml(final Path work, final List<DemoSensor> sensors) throws IOException
        {
            final StringBuilder sb = new StringBuilder("sensors:\n");
            for (final DemoSensor s : sensors)
            {
                sb.append("  - id: ").append(s.id()).append("\n    country: ").append(s.country()).append("\n    organisation: \"")
                    .append(s.organisation()).append("\"\n    darknet_addresses: ").append(s.addresses()).append('\n');
            }
            final Path f = work.resolve("sensors.yaml");
            Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
            return f;
        }
    }
}
