package io.nightjar.aggregator.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import static io.nightjar.aggregator.stats.StatsFixture.at;
import static io.nightjar.aggregator.stats.StatsFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daily roll-ups change how fast an answer comes, never what it says: each statistic over a
 * range of whole and partial days, with sources seen by several sensors and on several days and a
 * sensor gap across midnight, is the same read from the roll-ups as read from the records alone.
 */
class RollupEquivalenceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static StatsFixture data;
    private static StatsContext ctx;

    @BeforeAll
    static void craft() throws Exception
    {
        data = new StatsFixture(dir).sensor("a", "TH", "A", 256).sensor("b", "VN", "B", 1024).sensor("c", "TH", "C", 512);
        final SplittableRandom r = new SplittableRandom(7);
        final int[] ports = {23, 22, 80, 443, 445, 3389, 8080, 53, 123};
        for (long m = 0; m < 4 * 1440; m += 3)
        {
            for (final String sensor : new String[] {"a", "b", "c"})
            {
                if (sensor.equals("b") && m > 1400 && m < 1500)
                {
                    continue; // b is down across the first midnight
                }
                for (int i = 0; i < 2; i++)
                {
                    final int port = ports[r.nextInt(ports.length)];
                    final boolean udp = port == 53 || port == 123;
                    data.flow(sensor, m, "192.0.2." + r.nextInt(40), udp ? 17 : 6, port, udp ? TrafficClass.UDP_PROBE : TrafficClass.TCP_SCAN,
                        1 + r.nextInt(50)).destinations(r.nextInt(200), r.nextInt(200)).add();
                }
            }
        }
        for (long m = 4 * 1440; m < 46 * 1440; m += 60)
        {
            for (final String sensor : new String[] {"a", "b", "c"})
            {
                final int port = ports[r.nextInt(ports.length)];
                final boolean udp = port == 53 || port == 123;
                data.flow(sensor, m, "192.0.2." + r.nextInt(40), udp ? 17 : 6, port, udp ? TrafficClass.UDP_PROBE : TrafficClass.TCP_SCAN,
                    1 + r.nextInt(50)).destinations(r.nextInt(200)).add();
            }
        }
        for (int i = 0; i < 40; i++)
        {
            data.source("192.0.2." + i, i % 3 == 0 ? "CN" : i % 3 == 1 ? "US" : "BR", 1000 + i % 5, "AS" + (1000 + i % 5));
        }
        data.commit().rebuildRollups();
        ctx = data.context();
    }

    @AfterAll
    static void close()
    {
        data.close();
    }

    private static JsonNode both(final Callable<Map<String, Object>> query, final boolean expectRollups) throws Exception
    {
        System.setProperty("nightjar.rollups.disable", "true");
        final JsonNode raw;
        try
        {
            raw = JSON.valueToTree(query.call());
        }
        finally
        {
            System.clearProperty("nightjar.rollups.disable");
        }
        final JsonNode rolled = JSON.valueToTree(query.call());
        if (expectRollups && rolled.path("query").has("rollups"))
        {
            assertThat(rolled.path("query").path("rollups").asBoolean()).as("roll-ups used").isTrue();
        }
        strip(raw);
        strip(rolled);
        assertThat(rolled).isEqualTo(raw);
        return rolled;
    }

    private static void strip(final JsonNode n)
    {
        if (n.path("query") instanceof ObjectNode q)
        {
            q.remove("rollups");
        }
    }

    @org.junit.jupiter.api.Test
    void aDayThatAnotherWriterLaneMarkedIsReadFromTheRecordsUntilItIsRebuilt() throws Exception
    {
        try (var c = ctx.reader(); var st = c.createStatement())
        {
            final Scope scope = Scope.resolve(params("from=2024-06-01&to=2024-06-04", PortsQuery.TOP_PARAMETERS), SensorCatalog.load(c), 7, false);
            assertThat(Union.plan(c, scope, true).usesRollups()).isTrue();
            st.execute("INSERT INTO rollup_marks VALUES (DATE '2024-06-02')");
            try
            {
                assertThat(Union.plan(c, scope, true).usesRollups()).as("a marked day's roll-up may be stale").isFalse();
                final Scope after = Scope.resolve(params("from=2024-06-03&to=2024-06-05", PortsQuery.TOP_PARAMETERS), SensorCatalog.load(c), 7, false);
                assertThat(Union.plan(c, after, true).usesRollups()).as("other days keep theirs").isTrue();
            }
            finally
            {
                st.execute("DELETE FROM rollup_marks");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"from=2024-06-01&to=2024-06-04", "from=2024-06-01T05:00:00Z&to=2024-06-03T19:30:00Z", "from=2024-06-02&to=2024-06-05&sensor=b",
        "from=2024-06-01T12:00:00Z&to=2024-06-04&country=TH", "from=2024-06-01&to=2024-07-01", "from=2024-05-30T12:00:00Z&to=2024-07-15T06:00:00Z"})
    void shouldGiveTheSameAnswersFromRollupsAsFromRecords(final String range) throws Exception
    {
        try (var c = ctx.reader())
        {
            final Scope scope = Scope.resolve(params(range, PortsQuery.TOP_PARAMETERS), SensorCatalog.load(c), 7, false);
            assertThat(Union.plan(c, scope, true).usesMonths()).as("monthly roll-ups used").isEqualTo(range.contains("07-"));
        }
        final JsonNode top = both(() -> new PortsQuery(ctx).top(params(range + "&limit=5", PortsQuery.TOP_PARAMETERS)), true);
        assertThat(top.path("rows").size()).isEqualTo(5);
        both(() -> new PortsQuery(ctx).top(params(range + "&by=sources&proto=udp", PortsQuery.TOP_PARAMETERS)), true);
        both(() -> new PortsQuery(ctx).series(params(range + "&port=23&step=1d", PortsQuery.SERIES_PARAMETERS)), true);
        both(() -> new PortsQuery(ctx).series(params(range + "&port=445&step=1w", PortsQuery.SERIES_PARAMETERS)), true);
        both(() -> new PortsQuery(ctx).tsubame(params(range + "&step=1d", PortsQuery.TSUBAME_PARAMETERS)), true);
        both(() -> new VolumeQuery(ctx).run(params(range + "&step=1d", VolumeQuery.PARAMETERS)), false);
        both(() -> new VolumeQuery(ctx).run(params(range + "&step=1mo&by=proto", VolumeQuery.PARAMETERS)), false);
        final JsonNode countries = both(() -> new SourcesQuery(ctx).countries(params(range, SourcesQuery.GROUP_PARAMETERS)), true);
        assertThat(countries.path("rows").size()).isEqualTo(3);
        both(() -> new SourcesQuery(ctx).asns(params(range, SourcesQuery.GROUP_PARAMETERS)), true);
        both(() -> new HealthQuery(ctx).run(params(range, HealthQuery.PARAMETERS)), false);
        final String to = range.substring(range.indexOf("to=")).split("&")[0];
        final String sensors = range.contains("sensor=") ? "&sensor=b" : range.contains("country=") ? "&country=TH" : "";
        both(() -> new SurgingQuery(ctx).run(params(to + sensors + "&threshold=1", SurgingQuery.PARAMETERS)), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"from=2024-06-01&to=2024-06-04"})
    void shouldSeeTheGapAcrossMidnightInTheRollups(final String range) throws Exception
    {
        final JsonNode health = both(() -> new HealthQuery(ctx).run(params(range + "&sensor=b", HealthQuery.PARAMETERS)), false);
        assertThat(health.path("coverage").path("gaps").size()).isEqualTo(1);
        assertThat(health.path("coverage").path("gaps").get(0).path("start").asText()).isEqualTo(at(1399)); // last bin before the outage: minute 1398, ending at 1399;
    }
}
