package io.nightjar.benchmarks.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.privacy.CryptoPanKey;
import io.nightjar.aggregator.privacy.SourceAnonymizer;
import io.nightjar.aggregator.store.FlowStore;
import org.apache.arrow.memory.RootAllocator;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One-off measurement of {@code /api/v1/export} with and without {@code anonymize=cryptopan}:
 * {@code --records} flow records (default 1M) from {@code --sources} distinct sources (default 100k,
 * one in ten IPv6, spread over the address space) on one sensor over 7 days, generated in SQL into
 * a fresh store under {@code --data DIR}; then {@code --runs} alternating exports of each kind over
 * HTTP (Parquet), printing each time and the medians.
 */
public final class ExportAnonymize
{
    private static final String TOKEN = "nj_export-anonymize-benchmark";
    private static final long START_US = Instant.parse("2025-03-03T00:00:00Z").getEpochSecond() * 1_000_000L;

    private ExportAnonymize()
    {
    }

    /** Runs the measurement: {@code --data DIR [--records N] [--sources N] [--runs N]}. */
    public static void main(final String[] args) throws Exception
    {
        Path data = null;
        long records = 1_000_000L;
        long sources = 100_000L;
        int runs = 3;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--data" -> data = Path.of(args[++i]);
                case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
                case "--sources" -> sources = Long.parseLong(args[++i].replace("_", ""));
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (data == null)
        {
            throw new IllegalArgumentException("--data DIR is required");
        }
        generate(data, records, sources);
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        try (Aggregator agg = new Aggregator(Aggregator.Settings.of(any, any, data, null, SensorRegistry.of(List.of(new SensorEntry("sensor-0", "TH",
                "org-0", 256))))
            .withTokens(Tokens.of(List.of(new Tokens.Entry("bench", null, Tokens.sha256(TOKEN))))).withEnricher(null)
            .withAnonymizeKey(CryptoPanKey.of(key))))
        {
            final String base = "http://127.0.0.1:" + agg.httpAddress().getPort() + "/api/v1/export?from=2025-03-03&to=2025-03-10";
            final HttpClient http = HttpClient.newHttpClient();
            final List<Double> plain = new ArrayList<>();
            final List<Double> anonymised = new ArrayList<>();
            for (int r = 0; r < runs; r++)
            {
                plain.add(time(http, base, "plain"));
                anonymised.add(time(http, base + "&anonymize=cryptopan", "anonymised"));
            }
            System.out.printf("median: plain %.2f s, anonymised %.2f s (%.2fx; after the first, the anonymiser's cache holds every source)%n",
                median(plain), median(anonymised), median(anonymised) / median(plain));
            coldCryptoPan(agg, key, runs);
        }
    }

    /** The Crypto-PAn work alone with an empty cache: every distinct source of the store, sorted, on a fresh anonymiser. */
    private static void coldCryptoPan(final Aggregator agg, final byte[] key, final int runs) throws Exception
    {
        final List<byte[]> all = new ArrayList<>();
        try (Connection c = agg.store().openReader(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT DISTINCT src FROM flows ORDER BY src"))
        {
            while (rs.next())
            {
                all.add(rs.getBytes(1));
            }
        }
        for (int r = 0; r < runs; r++)
        {
            final SourceAnonymizer fresh = new SourceAnonymizer(CryptoPanKey.of(key), all.size());
            final long t = System.nanoTime();
            for (final byte[] a : all)
            {
                fresh.anonymizeStored(a);
            }
            System.out.printf("Crypto-PAn of %,d sorted sources, empty cache: %.0f ms%n", all.size(), (System.nanoTime() - t) / 1e6);
        }
    }

    private static double time(final HttpClient http, final String url, final String what) throws Exception
    {
        final long t = System.nanoTime();
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
        final double s = (System.nanoTime() - t) / 1e9;
        if (r.statusCode() != 200)
        {
            throw new IllegalStateException(what + ": " + r.statusCode() + " " + r.body());
        }
        final JsonNode j = new ObjectMapper().readTree(r.body());
        System.out.printf("%s: %.2f s, %,d rows, %s addresses anonymised%n", what, s, j.path("rows").asLong(),
            j.has("addresses_anonymized") ? String.format("%,d", j.path("addresses_anonymized").asLong()) : "no");
        return s;
    }

    private static double median(final List<Double> v)
    {
        final double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static void generate(final Path data, final long records, final long sources) throws Exception
    {
        Files.createDirectories(data);
        Files.deleteIfExists(data.resolve(FlowStore.FILE_NAME));
        Files.deleteIfExists(data.resolve(FlowStore.FILE_NAME + ".wal"));
        final long minutes = 7 * 1440L;
        try (RootAllocator allocator = new RootAllocator(); FlowStore store = FlowStore.open(data, allocator); Connection c = store.openReader();
             Statement st = c.createStatement())
        {
            c.setAutoCommit(true);
            // source s = i % sources: its address from hash(s); every tenth source is IPv6
            st.execute("INSERT INTO flows (sensor_id, bin_start, bin_length_us, src, protocol, port, class, fingerprint, victim, packets, bytes,"
                + " destinations, destination_sketch, first_ts, last_ts, tcp_flags, ttl_min, ttl_max, syn_window, syn_options)"
                + " SELECT 'sensor-0', make_timestamp(" + START_US + " + (i * " + minutes + " // " + records + ") * 60000000), 60000000,"
                + " CASE WHEN s % 10 = 0 THEN ('0x2' || printf('%015x', hash(s) >> 4) || printf('%016x', hash(s + 1)))::UHUGEINT"
                + " ELSE (281470681743360 + hash(s) % 4294967296)::UHUGEINT END,"
                + " 6, 1 + hash(i) % 65535, 0, 0, NULL, 1 + hash(i) % 20, 60, 1, NULL,"
                + " make_timestamp(" + START_US + " + (i * " + minutes + " // " + records + ") * 60000000 + 1000000),"
                + " make_timestamp(" + START_US + " + (i * " + minutes + " // " + records + ") * 60000000 + 50000000), 2, 40, 64, 1024, ''"
                + " FROM (SELECT i, i % " + sources + " AS s FROM range(" + records + ") t(i))");
            st.execute("INSERT OR REPLACE INTO rollup_days SELECT DISTINCT bin_start::DATE, true, NULL FROM flows");
            st.execute("CHECKPOINT");
        }
        System.out.printf("generated %,d records from %,d sources in %s%n", records, sources, data);
    }
}
