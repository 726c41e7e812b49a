package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;
import io.nightjar.aggregator.auth.Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.nightjar.aggregator.stats.StatsFixture.at;
import static io.nightjar.aggregator.stats.StatsFixture.params;
import static io.nightjar.aggregator.stats.StatsFixture.rows;
import static io.nightjar.wire.schema.TrafficClass.BACKSCATTER;
import static io.nightjar.wire.schema.TrafficClass.TCP_SCAN;
import static io.nightjar.wire.schema.TrafficClass.UDP_PROBE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every statistic against values computed by hand from a small crafted data set (see the
 * comments beside each expectation): two sensors of different sizes that see the same source,
 * tool attribution at and just past its thresholds, gaps of 4 and 5 minutes, a surging port.
 */
class StatisticsTest
{
    private static final Principal TH = new Principal("ThaiCERT", "TH");
    @TempDir
    static Path dir;
    private static StatsFixture data;
    private static StatsContext ctx;

    @BeforeAll
    static void craft() throws Exception
    {
        data = new StatsFixture(dir).sensor("th-1", "TH", "ThaiCERT", 256).sensor("vn-1", "VN", "VNCERT/CC", 1024)
            .sensor("my-1", "MY", "MyCERT", 256).sensor("sg-1", "SG", "SingCERT", 512);
        // minutes 0-1: the ports/volume/sources window
        data.flow("th-1", 0, "192.0.2.1", 6, 23, TCP_SCAN, 100).add()
            .flow("th-1", 0, "192.0.2.2", 6, 23, TCP_SCAN, 50).add()
            .flow("th-1", 0, "192.0.2.2", 6, 22, TCP_SCAN, 30).add()
            .flow("th-1", 0, "192.0.2.3", 17, 53, UDP_PROBE, 20).add()
            .flow("vn-1", 0, "192.0.2.1", 6, 23, TCP_SCAN, 40).add()
            .flow("vn-1", 0, "203.0.113.5", 6, 80, TCP_SCAN, 10).add()
            .flow("th-1", 1, "192.0.2.1", 6, 23, TCP_SCAN, 60).add()
            .flow("th-1", 1, "198.18.0.9", 6, 443, BACKSCATTER, 7).add();
        data.source("192.0.2.1", "CN", 4134, "CHINANET").source("192.0.2.2", "CN", 4134, "CHINANET")
            .source("192.0.2.3", "US", 3356, "LEVEL3").source("198.18.0.9", "NL", 4_200_000_001L, "PRIVATE-BIG");
        // minutes 100-101: tool attribution at its edges (Mirai bit = 4)
        data.flow("th-1", 100, "192.0.2.9", 6, 2323, TCP_SCAN, 10).fingerprint(4).add()      // 10 of 10: attributed
            .flow("th-1", 100, "192.0.2.10", 6, 2323, TCP_SCAN, 9).fingerprint(4).add()      // 9 matching: too few
            .flow("th-1", 101, "192.0.2.11", 6, 2323, TCP_SCAN, 18).fingerprint(4).add()     // 18 of 20 = 90%: attributed
            .flow("th-1", 101, "192.0.2.11", 6, 2323, TCP_SCAN, 2).add()
            .flow("th-1", 101, "192.0.2.12", 6, 2323, TCP_SCAN, 17).fingerprint(4).add()     // 17 of 19 < 90%
            .flow("th-1", 101, "192.0.2.12", 6, 2323, TCP_SCAN, 2).add();
        // minutes 200-211: my-1 has bins at 200, 205, 211: a 4-minute hole (201-205) and a 5-minute gap (206-211)
        for (final long m : new long[] {200, 205, 211})
        {
            data.flow("my-1", m, "192.0.2.77", 6, 8080, TCP_SCAN, 1).add();
        }
        // days 40-69: sg-1 sees one source on 445/tcp a day hitting one address; day 70: 5 sources hitting 5 addresses
        final long day = 24 * 60;
        for (long d = 40; d < 70; d++)
        {
            data.flow("sg-1", d * day, "192.0.2.50", 6, 445, TCP_SCAN, 3).destinations(1).add();
        }
        data.flow("sg-1", 70 * day, "192.0.2.50", 6, 445, TCP_SCAN, 3).destinations(1, 2).add()
            .flow("sg-1", 70 * day, "192.0.2.51", 6, 445, TCP_SCAN, 3).destinations(2, 3).add()
            .flow("sg-1", 70 * day, "192.0.2.52", 6, 445, TCP_SCAN, 3).destinations(3).add()
            .flow("sg-1", 70 * day, "192.0.2.53", 6, 445, TCP_SCAN, 3).destinations(4).add()
            .flow("sg-1", 70 * day, "192.0.2.54", 6, 445, TCP_SCAN, 3).destinations(5).add()
            .flow("sg-1", 70 * day, "192.0.2.60", 6, 3389, TCP_SCAN, 1).destinations(9).add();
        data.commit();
        ctx = data.context();
    }

    @AfterAll
    static void close()
    {
        data.close();
    }

    private static String window(final long fromMinute, final long toMinute)
    {
        return "from=" + at(fromMinute) + "&to=" + at(toMinute);
    }

    @Test
    void shouldRankTcpPortsByPacketsWithTsubameAverageShareAndSourcesSeenByTwoSensorsOnce() throws Exception
    {
        final var rows = rows(new PortsQuery(ctx).top(params(window(0, 2) + "&proto=tcp", PortsQuery.TOP_PARAMETERS)));
        // 23: 100 + 50 + 40 + 60 = 250 packets from 192.0.2.1 (both sensors) and .2; 2 sensors reported
        assertThat(rows).extracting(r -> r.get("port")).containsExactly(23, 22, 80);
        assertThat(rows.get(0)).containsEntry("packets", 250L).containsEntry("sources", 2L)
            .containsEntry("avg_packets_per_sensor", 125.0).containsEntry("share", 0.8621)  // 250 / 290
            .containsEntry("previous_packets", 0L).containsEntry("change", null);
        assertThat(rows.get(1)).containsEntry("packets", 30L).containsEntry("sources", 1L).containsEntry("avg_packets_per_sensor", 15.0);
    }

    @Test
    void shouldRankBySourcesAndBreakTiesByPackets() throws Exception
    {
        final var rows = rows(new PortsQuery(ctx).top(params(window(0, 2) + "&by=sources", PortsQuery.TOP_PARAMETERS)));
        assertThat(rows).extracting(r -> r.get("port")).containsExactly(23, 22, 80);
    }

    @Test
    void shouldCompareWithThePreviousPeriodOfTheSameLength() throws Exception
    {
        final var rows = rows(new PortsQuery(ctx).top(params(window(1, 2), PortsQuery.TOP_PARAMETERS)));
        // [1, 2): 60 packets on 23 from th-1 alone; [0, 1): 190
        assertThat(rows.get(0)).containsEntry("port", 23).containsEntry("packets", 60L).containsEntry("avg_packets_per_sensor", 60.0)
            .containsEntry("previous_packets", 190L).containsEntry("previous_sources", 2L).containsEntry("change", -0.6842);
    }

    @Test
    void shouldRankUdpPortsApartFromTcp() throws Exception
    {
        final var rows = rows(new PortsQuery(ctx).top(params(window(0, 2) + "&proto=udp", PortsQuery.TOP_PARAMETERS)));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("proto", "udp").containsEntry("port", 53).containsEntry("packets", 20L).containsEntry("share", 1.0);
    }

    @Test
    void shouldAverageOverTheSensorsInScopeOnly() throws Exception
    {
        final var rows = rows(new PortsQuery(ctx).top(params(window(0, 2) + "&sensor=vn-1", PortsQuery.TOP_PARAMETERS)));
        assertThat(rows).extracting(r -> r.get("port")).containsExactly(23, 80);
        assertThat(rows.get(0)).containsEntry("packets", 40L).containsEntry("avg_packets_per_sensor", 40.0);
    }

    @Test
    void shouldGiveOnePortsSeriesAndTheTsubameView() throws Exception
    {
        final var series = rows(new PortsQuery(ctx).series(params(window(0, 2) + "&port=23&step=1h", PortsQuery.SERIES_PARAMETERS)));
        assertThat(series).hasSize(1);
        assertThat(series.get(0)).containsEntry("time", "2024-06-01T00:00:00Z").containsEntry("packets", 250L).containsEntry("sources", 2L)
            .containsEntry("sensors", 2L).containsEntry("avg_packets_per_sensor", 125.0);
        final var perMinute = rows(new PortsQuery(ctx).series(params(window(0, 2) + "&port=23&step=5m", PortsQuery.SERIES_PARAMETERS)));
        assertThat(perMinute).hasSize(1);
        final var ts = new PortsQuery(ctx).tsubame(params(window(0, 2) + "&limit=2", PortsQuery.TSUBAME_PARAMETERS));
        assertThat(((Map<?, ?>)ts.get("query")).get("ports")).isEqualTo(List.of(23, 22));
        assertThat(rows(ts)).extracting(r -> r.get("port") + "=" + r.get("avg_packets_per_sensor")).containsExactly("22=15.0", "23=125.0");
    }

    @Test
    void shouldCountVolumePerClassAndPerProtocolWithDistinctSources() throws Exception
    {
        final var byClass = rows(new VolumeQuery(ctx).run(params(window(0, 2) + "&step=1h", VolumeQuery.PARAMETERS)));
        assertThat(byClass).extracting(r -> r.get("key") + ":" + r.get("packets") + ":" + r.get("sources"))
            .containsExactly("tcp_scan:290:3", "backscatter:7:1", "udp_probe:20:1");
        final var byProto = rows(new VolumeQuery(ctx).run(params(window(0, 2) + "&step=5m&by=proto", VolumeQuery.PARAMETERS)));
        assertThat(byProto).extracting(r -> r.get("key") + ":" + r.get("packets") + ":" + r.get("sources"))
            .containsExactly("tcp:297:4", "udp:20:1");
        assertThat(byClass.get(0)).containsEntry("bytes", 290L * 60);
    }

    @Test
    void shouldRankSourceCountriesAndAsnsIncludingUnknownAndAsnsAbove2To31() throws Exception
    {
        final var countries = rows(new SourcesQuery(ctx).countries(params(window(0, 2), SourcesQuery.GROUP_PARAMETERS)));
        // per source: .1 = 200, .2 = 80, .3 = 20, 203.0.113.5 = 10 (no attribution), 198.18.0.9 = 7
        assertThat(countries).extracting(r -> r.get("country") + ":" + r.get("sources") + ":" + r.get("packets"))
            .containsExactly("CN:2:280", "US:1:20", "??:1:10", "NL:1:7");
        final var asns = rows(new SourcesQuery(ctx).asns(params(window(0, 2), SourcesQuery.GROUP_PARAMETERS)));
        assertThat(asns).extracting(r -> r.get("asn") + ":" + r.get("sources") + ":" + r.get("packets"))
            .containsExactly("4134:2:280", "3356:1:20", "0:1:10", "4200000001:1:7");
        assertThat(asns.get(0)).containsEntry("as_name", "CHINANET");
    }

    @Test
    void shouldListTopSourcesByPacketsOrPortsWithAttribution() throws Exception
    {
        final var byPackets = rows(new SourcesQuery(ctx).top(params(window(0, 2), SourcesQuery.TOP_PARAMETERS)));
        assertThat(byPackets).extracting(r -> r.get("src") + ":" + r.get("packets") + ":" + r.get("sensors"))
            .containsExactly("192.0.2.1:200:2", "192.0.2.2:80:1", "192.0.2.3:20:1", "203.0.113.5:10:1", "198.18.0.9:7:1");
        assertThat(byPackets.get(0)).containsEntry("country", "CN").containsEntry("asn", 4134L).containsEntry("first", "2024-06-01T00:00:01Z");
        assertThat(byPackets.get(3)).containsEntry("country", null).containsEntry("asn", null);
        final var byPorts = rows(new SourcesQuery(ctx).top(params(window(0, 2) + "&by=ports&limit=2", SourcesQuery.TOP_PARAMETERS)));
        assertThat(byPorts).extracting(r -> r.get("src") + ":" + r.get("ports")).containsExactly("192.0.2.2:2", "192.0.2.1:1");
    }

    @Test
    void shouldAttributeToolsAtExactlyTheThresholdAndNotJustBelow() throws Exception
    {
        final var rows = rows(new ToolsQuery(ctx).run(params(window(100, 102), ToolsQuery.PARAMETERS)));
        assertThat(rows).extracting(r -> r.get("tool") + ":" + r.get("sources") + ":" + r.get("packets"))
            .containsExactly("zmap:0:0", "masscan:0:0", "mirai:2:30", "unattributed:2:28");
        final var sources = rows(new SourcesQuery(ctx).top(params(window(100, 102), SourcesQuery.TOP_PARAMETERS)));
        assertThat(sources).extracting(r -> r.get("src") + ":" + r.get("tool"))
            .containsExactlyInAnyOrder("192.0.2.11:mirai", "192.0.2.12:null", "192.0.2.9:mirai", "192.0.2.10:null");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReportFiveMinuteGapsButNotFourMinuteHoles() throws Exception
    {
        final var answer = new HealthQuery(ctx).run(params(window(200, 212) + "&sensor=my-1", HealthQuery.PARAMETERS));
        final Map<?, ?> coverage = (Map<?, ?>)answer.get("coverage");
        assertThat(coverage.get("complete")).isEqualTo(false);
        assertThat((List<?>)coverage.get("gaps")).hasSize(1);
        assertThat((Map<String, Object>)((List<?>)coverage.get("gaps")).get(0)).containsEntry("start", at(206)).containsEntry("end", at(211));
        assertThat((String)coverage.get("note")).contains("my-1").contains("5 min");
        final var row = rows(answer).get(0);
        // life 200..212 = 12 minutes, 5 in the gap
        assertThat(row).containsEntry("bins", 3L).containsEntry("bins_expected", 12L).containsEntry("coverage", Rows.round4(1 - 5 / 12.0))
            .containsEntry("malformed_share", 0.0).containsEntry("packets", 3L);
        final var complete = new PortsQuery(ctx).top(params(window(0, 2), PortsQuery.TOP_PARAMETERS));
        assertThat(((Map<?, ?>)complete.get("coverage")).get("complete")).isEqualTo(true);
    }

    @Test
    void shouldScoreSurgingPortsAsDshieldDoes() throws Exception
    {
        final long day = 24 * 60;
        final var answer = new SurgingQuery(ctx).run(params("to=" + at(71 * day) + "&sensor=sg-1&threshold=5.6", SurgingQuery.PARAMETERS));
        final var rows = rows(answer);
        // 445: S = 5, T = 5 against s = 1, t = 1 over 30 baseline days: sqrt(16 + 16)
        assertThat(rows.get(0)).containsEntry("port", 445).containsEntry("sources", 5L).containsEntry("targets", 5L)
            .containsEntry("baseline_sources", 1.0).containsEntry("baseline_targets", 1.0).containsEntry("score", Rows.round4(Math.sqrt(32)))
            .containsEntry("sensor_ratio", 5.0).containsEntry("surging", true);
        assertThat(rows.get(1)).containsEntry("port", 3389).containsEntry("score", 0.0).containsEntry("surging", false);
        assertThat(((Map<?, ?>)answer.get("query")).get("baseline_days")).isEqualTo(30L);
        final var strict = rows(new SurgingQuery(ctx).run(params("to=" + at(71 * day) + "&sensor=sg-1", SurgingQuery.PARAMETERS)));
        assertThat(strict.get(0)).containsEntry("surging", false);
    }

    @Test
    void shouldLimitAMemberStateTokensDetailToItsOwnSensorsButShowRegionalAggregates() throws Exception
    {
        final var own = rows(new SourcesQuery(ctx).top(params(window(0, 2), SourcesQuery.TOP_PARAMETERS, TH)));
        // th-1 alone: .1 = 160, .2 = 80, .3 = 20, 198.18.0.9 = 7
        assertThat(own).extracting(r -> r.get("src") + ":" + r.get("packets"))
            .containsExactly("192.0.2.1:160", "192.0.2.2:80", "192.0.2.3:20", "198.18.0.9:7");
        assertThatThrownBy(() -> new SourcesQuery(ctx).top(params(window(0, 2) + "&sensor=vn-1", SourcesQuery.TOP_PARAMETERS, TH)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status() + ":" + e.parameter()).isEqualTo("403:sensor"));
        assertThatThrownBy(() -> new SourcesQuery(ctx).top(params(window(0, 2) + "&country=VN", SourcesQuery.TOP_PARAMETERS, TH)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status() + ":" + e.parameter()).isEqualTo("403:country"));
        final var regional = rows(new PortsQuery(ctx).top(params(window(0, 2), PortsQuery.TOP_PARAMETERS, TH)));
        assertThat(regional.get(0)).containsEntry("packets", 250L);
        final var vnAggregate = rows(new PortsQuery(ctx).top(params(window(0, 2) + "&country=VN", PortsQuery.TOP_PARAMETERS, TH)));
        assertThat(vnAggregate.get(0)).containsEntry("packets", 40L);
    }

    @Test
    void shouldRefuseBadParametersNamingThem() throws Exception
    {
        assertThatThrownBy(() -> new PortsQuery(ctx).top(params("proto=icmp", PortsQuery.TOP_PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("proto"));
        assertThatThrownBy(() -> new VolumeQuery(ctx).run(params("step=2h", VolumeQuery.PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("step"));
        assertThatThrownBy(() -> new VolumeQuery(ctx).run(params("from=2024-02-30", VolumeQuery.PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("from"));
        assertThatThrownBy(() -> new VolumeQuery(ctx).run(params("sql=DROP", VolumeQuery.PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("sql"));
        assertThatThrownBy(() -> new PortsQuery(ctx).series(params("proto=tcp", PortsQuery.SERIES_PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("port"));
        assertThatThrownBy(() -> new VolumeQuery(ctx).run(params("sensor=nope", VolumeQuery.PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("sensor"));
        assertThatThrownBy(() -> new VolumeQuery(ctx).run(params("from=2024-01-01&to=2025-01-01&step=5m", VolumeQuery.PARAMETERS)))
            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.parameter()).isEqualTo("step"));
    }

    @Test
    void shouldDescribeSensorsAndTheDataRangeInMeta() throws Exception
    {
        final var meta = new MetaQuery(ctx).run(params("", MetaQuery.PARAMETERS, TH));
        assertThat(meta.get("member_states")).isEqualTo(List.of("MY", "SG", "TH", "VN"));
        assertThat(((Map<?, ?>)meta.get("data_range")).get("first")).isEqualTo("2024-06-01T00:00:00Z");
        assertThat(((Map<?, ?>)meta.get("token")).get("member_state")).isEqualTo("TH");
    }
}
