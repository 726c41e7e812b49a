package io.nightjar.benchmarks.query;

import io.nightjar.benchmarks.ingest.LoadSensors;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.store.FlowStore;
import org.HdrHistogram.Histogram;
import org.apache.arrow.memory.RootAllocator;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Query load: a store of many synthetic flow records (made inside DuckDB with SQL, so that 100M
 * records take minutes, not hours), its daily roll-ups built by the store as the aggregator does,
 * then the dashboard's standard queries asked over HTTP with a token, sequentially, each timed into
 * an HdrHistogram: p50, p95, p99, max. {@code --panel-runs N} also times the dashboard's other panels over
 * the data's last week.
 *
 * <pre>
 * QueryLoad --data DIR [--records 100000000] [--sensors 16] [--days 365] [--sources 5000000] [--runs 50] [--slow-runs 10] [--panel-runs 0] [--regenerate]
 *           [--analysts 1] [--ingest-rate RECORDS_PER_S] [--ingest-sensors 8]
 * </pre>
 *
 * {@code --analysts N}: N concurrent analysts ask each query (each its runs), so the latencies include
 * queueing for the store's readers. {@code --ingest-rate R}: meanwhile {@code --ingest-sensors}
 * simulated sensors ({@link io.nightjar.benchmarks.ingest.LoadSensors}, plaintext on loopback) ship
 * flow records at R records/s into the same aggregator, so the writer, its roll-up rebuilds and
 * the queries compete as in production; their ACK latency is reported at the end.
 *
 * The synthetic records: one year from 2025-01-01, time increasing with the record number, sensors
 * round-robin, sources drawn from a pool with a skewed (power-law) popularity, destination ports
 * drawn from a skewed distribution over a list of commonly scanned ports plus a uniform tail, about
 * 80% TCP SYN scans, 12% UDP probes, 8% backscatter; one bin summary per sensor and minute. Sources
 * get a country from a small list so that the countries query has work to do.
 */
public final class QueryLoad
{
    private static final String TOKEN = "nj_query-load-benchmark";
    private static final long YEAR_START_US = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;

    private QueryLoad()
    {
    }

    /** Runs the benchmark (arguments above). */
    public static void main(final String[] args) throws Exception
    {
        Path data = null;
        long records = 100_000_000L;
        int sensors = 16;
        int days = 365;
        long sources = 5_000_000L;
        int runs = 50;
        int slowRuns = 10;
        int panelRuns = 0;
        boolean regenerate = false;
        int analysts = 1;
        long ingestRate = 0;
        int ingestSensors = 8;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--data" -> data = Path.of(args[++i]);
                case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
                case "--sensors" -> sensors = Integer.parseInt(args[++i]);
                case "--days" -> days = Integer.parseInt(args[++i]);
                case "--sources" -> sources = Long.parseLong(args[++i].replace("_", ""));
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--slow-runs" -> slowRuns = Integer.parseInt(args[++i]);
                case "--panel-runs" -> panelRuns = Integer.parseInt(args[++i]);
                case "--regenerate" -> regenerate = true;
                case "--analysts" -> analysts = Integer.parseInt(args[++i]);
                case "--ingest-rate" -> ingestRate = Long.parseLong(args[++i].replace("_", ""));
                case "--ingest-sensors" -> ingestSensors = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (data == null)
        {
            throw new IllegalArgumentException("--data DIR is required (keep it outside the repository: 100M records take several GB)");
        }
        final List<SensorEntry> entries = new ArrayList<>();
        final String[] states = {"TH", "VN", "MY", "ID", "PH", "SG", "KH", "LA", "MM", "BN"};
        for (int s = 0; s < sensors; s++)
        {
            entries.add(new SensorEntry("sensor-" + s, states[s % states.length], "org-" + s, 256L << (s % 4)));
        }
        if (regenerate || !Files.exists(data.resolve(FlowStore.FILE_NAME)))
        {
            generate(data, records, sensors, days, sources);
        }
        // with a concurrent ingest, on a copy: the ingest's rows would otherwise stay in the kept store,
        // and the next run would measure a bigger one (and its sensors' batches would be duplicates)
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        if (ingestRate > 0)
        {
            // the roll-ups are built in the kept store first, so that each run's copy starts with them
            try (Aggregator prepare = new Aggregator(Aggregator.Settings.of(any, any, data, null, SensorRegistry.of(entries)).withEnricher(null)))
            {
                awaitRollups(prepare, "roll-ups of the kept store");
            }
        }
        final Path store = ingestRate > 0 ? copyOf(data) : data;
        try (Aggregator agg = new Aggregator(Aggregator.Settings.of(any, any, store, null, SensorRegistry.of(entries))
            .withTokens(Tokens.of(List.of(new Tokens.Entry("bench", null, Tokens.sha256(TOKEN))))).withEnricher(null)))
        {
            awaitRollups(agg, "roll-ups");
            final String base = "http://127.0.0.1:" + agg.httpAddress().getPort();
            final String year = "from=2025-01-01&to=2026-01-01";
            final String[][] queries = {
                {"top TCP ports for a year by week (TSUBAME view)", "/api/v1/ports/tsubame?" + year + "&step=1w&limit=5"},
                {"one port's daily series for a year", "/api/v1/ports/series?" + year + "&port=23&step=1d"},
                {"top countries for a month", "/api/v1/countries/top?from=2025-06-01&to=2025-07-01&limit=10"},
                {"top TCP ports for a year, packets only (sources=false)", "/api/v1/ports/top?" + year + "&limit=10&sources=false"},
                {"top TCP ports for a year, with exact distinct sources", "/api/v1/ports/top?" + year + "&limit=10"},
            };
            final String week = "from=2025-12-24T12:00:00Z&to=2025-12-31T12:00:00Z";
            final String[][] panels = {
                {"week: volume by class, hourly", "/api/v1/volume?" + week + "&step=1h"},
                {"week: top TCP ports with sources", "/api/v1/ports/top?" + week + "&limit=10"},
                {"week: top sources", "/api/v1/sources/top?" + week + "&limit=20"},
                {"week: top countries", "/api/v1/countries/top?" + week + "&limit=20"},
                {"week: top ASNs", "/api/v1/asns/top?" + week + "&limit=20"},
                {"week: scanner tools", "/api/v1/tools?" + week},
                {"week: scan events (ORION)", "/api/v1/events/scans?" + week + "&limit=100"},
                {"week: DoS attacks (RS-DoS)", "/api/v1/events/dos?" + week + "&limit=100"},
                {"last 24 h: surging ports", "/api/v1/ports/surging?to=2025-12-31T12:00:00Z"},
                {"week: sensor health", "/api/v1/sensors/health?" + week},
            };
            final List<String[]> all = new ArrayList<>(List.of(queries));
            if (panelRuns > 0)
            {
                all.addAll(List.of(panels));
            }
            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            final java.util.concurrent.atomic.AtomicReference<LoadSensors.Result> ingest = new java.util.concurrent.atomic.AtomicReference<>();
            Thread ingestThread = null;
            LoadSensors load = null;
            if (ingestRate > 0)
            {
                final List<String> ids = entries.stream().limit(ingestSensors).map(SensorEntry::id).toList();
                load = new LoadSensors(agg.ingestAddress(), ids, null, 8192);
                final LoadSensors l = load;
                final long r = ingestRate;
                ingestThread = new Thread(() ->
                {
                    try
                    {
                        ingest.set(l.drive(r, 8, 3, 3600, done::get));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }, "ingest-load");
                ingestThread.start();
                Thread.sleep(5_000);
                System.out.printf("concurrent ingest: %d sensors offering %,d records/s%n", ids.size(), ingestRate);
            }
            System.out.printf("%n%-56s %9s %9s %9s %9s  (ms, after 3 warm-up runs; %d concurrent analyst(s))%n", "query", "p50", "p95", "p99",
                "max", analysts);
            final long measureStart = System.nanoTime();
            for (final String[] q : all)
            {
                final Histogram h = new org.HdrHistogram.ConcurrentHistogram(TimeUnit.MINUTES.toNanos(5), 3);
                // the exact-sources ranking takes seconds at 100M records: fewer runs of it
                final int n = q[0].contains("exact") ? Math.min(runs, slowRuns) : q[0].startsWith("week") || q[0].startsWith("last") ? panelRuns : runs;
                final List<Thread> threads = new ArrayList<>();
                final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
                for (int a = 0; a < analysts; a++)
                {
                    final Thread analyst = new Thread(() ->
                    {
                        try
                        {
                            ask(http, base + q[1], n, h);
                        }
                        catch (final Exception ex)
                        {
                            failure.set(ex);
                        }
                    }, "analyst-" + a);
                    analyst.start();
                    threads.add(analyst);
                }
                for (final Thread analyst : threads)
                {
                    analyst.join(TimeUnit.MINUTES.toMillis(30));
                }
                if (failure.get() != null)
                {
                    throw failure.get();
                }
                System.out.printf("%-56s %9.1f %9.1f %9.1f %9.1f  (%d runs)%n", q[0], h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(95) / 1e6,
                    h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, n * analysts);
            }
            if (ingestThread != null)
            {
                done.set(true);
                ingestThread.join(60_000);
                final LoadSensors.Result r = ingest.get();
                if (r != null)
                {
                    final double secs = (System.nanoTime() - measureStart) / 1e9;
                    System.out.printf("concurrent ingest during the queries (%.0f s): offered %,d records/s; ACK latency p50 %.1f ms, p99 %.1f ms,"
                            + " max %.1f ms over %d batches%n", secs, ingestRate, r.latency().getValueAtPercentile(50) / 1000.0, r.p99Millis(),
                        r.latency().getMaxValue() / 1000.0, r.batches());
                }
                load.close();
            }
        }
    }

    /** Waits (at most 2 hours) until {@code agg}'s writer has built every roll-up, and says how long it took. */
    private static void awaitRollups(final Aggregator agg, final String what) throws InterruptedException
    {
        final long t = System.nanoTime();
        if (!agg.writer().awaitRollups(2, TimeUnit.HOURS))
        {
            throw new IllegalStateException(what + " not built within 2 hours");
        }
        System.out.printf("%s up to date after %.1f s%n", what, (System.nanoTime() - t) / 1e9);
    }

    /** Copies the store directory {@code data} next to it, for one run; the copy is deleted when the JVM exits. */
    private static Path copyOf(final Path data) throws java.io.IOException
    {
        final Path copy = Files.createTempDirectory(data.toAbsolutePath().getParent(), data.getFileName() + "-run-");
        final long t = System.nanoTime();
        try (var files = Files.walk(data))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                final Path to = copy.resolve(data.relativize(f).toString());
                if (Files.isDirectory(f))
                {
                    Files.createDirectories(to);
                }
                else
                {
                    Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try (var files = Files.walk(copy))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            catch (final java.io.IOException ignore)
            {
                // a temporary directory: left for the system to clean
            }
        }));
        System.out.printf("store copied to %s in %.1f s (the concurrent ingest writes into the copy)%n", copy, (System.nanoTime() - t) / 1e9);
        return copy;
    }

    /** Asks {@code url} 3 + {@code n} times, recording the last {@code n} into {@code h} (ns). */
    private static void ask(final HttpClient http, final String url, final int n, final Histogram h) throws Exception
    {
        for (int i = 0; i < n + 3; i++)
        {
            final long start = System.nanoTime();
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
            final long ns = System.nanoTime() - start;
            if (r.statusCode() != 200)
            {
                throw new IllegalStateException(url + ": HTTP " + r.statusCode() + " " + r.body());
            }
            if (i >= 3)
            {
                h.recordValue(ns);
            }
        }
    }

    private static void generate(final Path data, final long records, final int sensors, final int days, final long sources) throws Exception
    {
        Files.createDirectories(data);
        Files.deleteIfExists(data.resolve(FlowStore.FILE_NAME));
        Files.deleteIfExists(data.resolve(FlowStore.FILE_NAME + ".wal"));
        final long start = System.nanoTime();
        try (RootAllocator allocator = new RootAllocator(); FlowStore store = FlowStore.open(data, allocator); Connection c = store.openReader();
             Statement st = c.createStatement())
        {
            c.setAutoCommit(true);
            final String ports = "[23, 22, 80, 443, 8080, 3389, 445, 2323, 8443, 5555, 81, 8888, 21, 25, 1433, 3306, 5900, 6379, 9200, 37215]";
            final long chunk = 10_000_000L;
            for (long first = 0; first < records; first += chunk)
            {
                final long n = Math.min(chunk, records - first);
                // h: a per-record hash; the skewed draws use h's bits
                st.execute("INSERT INTO flows (sensor_id, bin_start, bin_length_us, src, protocol, port, class, fingerprint, victim, packets, bytes,"
                    + " destinations, destination_sketch, first_ts, last_ts, tcp_flags, ttl_min, ttl_max, syn_window, syn_options) SELECT 'sensor-' || (i % " + sensors + ")::VARCHAR, make_timestamp(" + YEAR_START_US + " + (i * " + days * 1440L
                    + " // " + records + ") * 60000000), 60000000,"
                    + " (281470681743360 + (1000000 + floor(" + sources + " * pow((h % 1000003) / 1000003.0, 2.5)))::BIGINT)::UHUGEINT,"
                    + " CASE WHEN h % 100 < 80 THEN 6 WHEN h % 100 < 92 THEN 17 ELSE 6 END,"
                    + " CASE WHEN (h >> 8) % 100 < 70 THEN " + ports + "[1 + floor(20 * pow(((h >> 16) % 10007) / 10007.0, 3))::INTEGER]"
                    + " ELSE ((h >> 20) % 65536) END,"
                    + " CASE WHEN h % 100 < 80 THEN 0 WHEN h % 100 < 92 THEN 2 ELSE 1 END, CASE WHEN (h >> 30) % 50 = 0 THEN 4 ELSE 0 END, NULL,"
                    + " 1 + (h >> 40) % 20, (1 + (h >> 40) % 20) * 60, 1 + (h >> 45) % 8, NULL,"
                    + " make_timestamp(" + YEAR_START_US + " + (i * " + days * 1440L + " // " + records + ") * 60000000 + 1000000),"
                    + " make_timestamp(" + YEAR_START_US + " + (i * " + days * 1440L + " // " + records + ") * 60000000 + 50000000),"
                    + " 2, 40, 64, 1024, ''"
                    + " FROM (SELECT i, hash(i) AS h FROM range(" + first + ", " + (first + n) + ") t(i))");
                System.out.printf("generated %,d of %,d records (%.0f s)%n", first + n, records, (System.nanoTime() - start) / 1e9);
            }
            final StringBuilder zeros = new StringBuilder();
            for (final io.nightjar.wire.schema.TrafficClass cls : io.nightjar.wire.schema.TrafficClass.values())
            {
                zeros.append(cls == io.nightjar.wire.schema.TrafficClass.TCP_SCAN ? ", 1000, 60000" : ", 0, 0");
            }
            for (final io.nightjar.wire.schema.Anomaly ignored : io.nightjar.wire.schema.Anomaly.values())
            {
                zeros.append(", 0");
            }
            st.execute("INSERT INTO bins SELECT 'sensor-' || s::VARCHAR, make_timestamp(" + YEAR_START_US + " + m * 60000000), 60000000" + zeros
                + ", 0, 0, 1000, 0, 0, 100, make_timestamp(" + YEAR_START_US + " + m * 60000000), make_timestamp(" + YEAR_START_US + " + m * 60000000 + 59000000)"
                + ", 0, 0, 0, 0" // capture received, kernel, interface and ring drops: files, none
                + " FROM range(" + sensors + ") a(s), range(" + (days * 1440L) + ") b(m)");
            final String[] cc = {"CN", "US", "RU", "BR", "IN", "NL", "DE", "KR", "VN", "TW", "ID", "TH", "JP", "GB", "FR"};
            final StringBuilder list = new StringBuilder("[");
            for (int k = 0; k < cc.length; k++)
            {
                list.append(k == 0 ? "'" : ", '").append(cc[k]).append('\'');
            }
            list.append(']');
            st.execute("INSERT INTO sources SELECT (281470681743360 + 1000000 + i)::UHUGEINT, " + list + "[1 + (hash(i) % " + cc.length
                + ")::INTEGER], 1000 + hash(i) % 5000, 'AS' || (1000 + hash(i) % 5000)::VARCHAR FROM range(" + (sources + 1) + ") t(i)");
            st.execute("INSERT OR REPLACE INTO rollup_days SELECT DISTINCT bin_start::DATE, true, NULL FROM bins");
            st.execute("CHECKPOINT");
        }
        System.out.printf("store of %,d records generated in %.0f s: %s (%,d bytes)%n", records, (System.nanoTime() - start) / 1e9, data,
            Files.size(data.resolve(FlowStore.FILE_NAME)));
    }
}
