package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two sensor processes replay captures and ship them over mutual TLS to a real aggregator with a
 * real DuckDB store; the stored totals equal each sensor's own summary exactly.
 */
class ShippingRoundTripTest
{
    static Aggregator startAggregator(final Path data, final Path pki, final List<String> sensors)
    {
        return new Aggregator(settings(data, pki, sensors));
    }

    static Aggregator.Settings settings(final Path data, final Path pki, final List<String> sensors)
    {
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return Aggregator.Settings.of(any, any, data,
            TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true),
            SensorRegistry.of(sensors.stream().map(id -> new SensorEntry(id, "TH", "test", 256)).toList())).withTokens(Fixtures.tokens());
    }

    static String[] sensorArgs(final Path pki, final String id, final Path spool, final InetSocketAddress aggregator, final String... more)
    {
        final java.util.List<String> args = new java.util.ArrayList<>(List.of("sensor", "--spool", spool.toString(), "--bin", "10s",
            "--aggregator", "localhost:" + aggregator.getPort(), "--sensor-id", id,
            "--cert", pki.resolve("sensors/" + id + ".pem").toString(), "--key", pki.resolve("sensors/" + id + ".key").toString(),
            "--ca", pki.resolve("ca.pem").toString(), "--quiet"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void twoSensorsReplayingCapturesAreStoredExactlyAsTheirOwnSummaries(@TempDir final Path dir) throws Exception
    {
        final Path pki = TestPki.network();
        final Path f1 = Fixtures.generate(dir, "a.pcap", 11, 40_000, 400);
        final Path f2 = Fixtures.generate(dir, "b.pcap", 12, 30_000, 1000);
        final JsonNode s1 = Fixtures.summarize(f1, "10s");
        final JsonNode s2 = Fixtures.summarize(f2, "10s");
        // a tiny queue bound: connections must pause reading (back-pressure) and lose nothing
        try (Aggregator agg = new Aggregator(settings(dir.resolve("agg"), pki, List.of("s1", "s2")).withQueueHighWater(64 << 10));
             NightjarProcess p1 = NightjarProcess.start(dir.resolve("s1.log"),
                 sensorArgs(pki, "s1", dir.resolve("spool1"), agg.ingestAddress(), "--read", f1.toString(), "--batch-rows", "500"));
             NightjarProcess p2 = NightjarProcess.start(dir.resolve("s2.log"),
                 sensorArgs(pki, "s2", dir.resolve("spool2"), agg.ingestAddress(), "--read", f2.toString())))
        {
            assertThat(p1.waitFor(Duration.ofMinutes(2))).as(p1.output()).isZero();
            assertThat(p2.waitFor(Duration.ofMinutes(2))).as(p2.output()).isZero();
            final JsonNode all = Fixtures.totals(agg.httpAddress(), "");
            Fixtures.assertSameCounts(s1, all.path("sensors").path("s1"));
            Fixtures.assertSameCounts(s2, all.path("sensors").path("s2"));
            assertThat(all.path("packets").asLong()).isEqualTo(s1.path("packets").asLong() + s2.path("packets").asLong());
            assertThat(Fixtures.totals(agg.httpAddress(), "sensor=s2").path("flows")).isEqualTo(s2.path("flows"));
            assertThat(all.path("sensors").path("s1").path("sequence").asLong()).isGreaterThan(1);
            assertThat(agg.metrics().duplicateBatches.sum()).isZero();
            assertThat(agg.metrics().pauses.sum()).as("connections paused by back-pressure").isGreaterThan(0);
            try (java.sql.Connection c = agg.store().openReader(); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*), max(packets) FROM heartbeats WHERE sensor_id = 's1'"))
            {
                rs.next();
                assertThat(rs.getLong(1)).as("heartbeats stored").isGreaterThan(0);
            }
            // two writer lanes (one per sensor): once idle, the first lane has absorbed the other's dirty days and new
            // sources and rebuilt every day's roll-ups by itself (nobody asked it to)
            assertThat(agg.writer().lanes()).isEqualTo(Math.min(2, Runtime.getRuntime().availableProcessors()));
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            long left;
            do
            {
                Thread.sleep(100);
                left = count(agg, "SELECT (SELECT count(*) FROM rollup_days WHERE dirty) + (SELECT count(*) FROM rollup_marks)"
                    + " + (SELECT count(*) FROM sources_pending)");
            }
            while (left > 0 && System.nanoTime() < deadline);
            assertThat(left).as("dirty days, marks and pending sources left").isZero();
            assertThat(count(agg, "SELECT count(*) FROM rollup_days")).isGreaterThan(0);
            assertThat(count(agg, "SELECT count(*) FROM sources")).as("each source once")
                .isEqualTo(count(agg, "SELECT count(DISTINCT src) FROM flows"))
                .isEqualTo(all.path("distinct_sources").asLong());
            assertThat(count(agg, "SELECT count(DISTINCT src) FROM src_day_region")).isEqualTo(count(agg, "SELECT count(DISTINCT src) FROM flows"));
        }
    }

    private static long count(final Aggregator agg, final String sql) throws Exception
    {
        try (java.sql.Connection c = agg.store().openReader(); java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
    }
}
