package io.nightjar.aggregator.stats;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.nightjar.aggregator.stats.StatsFixture.T0;
import static io.nightjar.aggregator.stats.StatsFixture.at;
import static io.nightjar.aggregator.stats.StatsFixture.params;
import static io.nightjar.aggregator.stats.StatsFixture.rows;
import static io.nightjar.wire.schema.TrafficClass.BACKSCATTER;
import static io.nightjar.wire.schema.TrafficClass.TCP_SCAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scan events and DoS attacks found in stored records of two sensors, against hand-computed
 * values: records of one source or victim seen by both sensors merge into one event, rates scale
 * with the darknet of the sensors in scope, thresholds are parameters, ICMPv6 errors name their
 * quoted victim.
 */
class EventsQueryTest
{
    @TempDir
    static Path dir;
    private static StatsFixture data;
    private static StatsContext ctx;

    private static int[] range(final int from, final int to)
    {
        return IntStream.range(from, to).toArray();
    }

    @BeforeAll
    static void craft() throws Exception
    {
        data = new StatsFixture(dir).sensor("s1", "TH", "a", 256).sensor("s2", "VN", "b", 768);
        // 192.0.2.1 scans 23/tcp: s1 sees destinations 0-4 and 5-9 in minutes 0 and 1, s2 sees 5-9 (its sketch) and 10-11 in minute 2
        data.flow("s1", 0, "192.0.2.1", 6, 23, TCP_SCAN, 5).destinations(range(0, 5)).times(1, 50).add()
            .flow("s1", 1, "192.0.2.1", 6, 23, TCP_SCAN, 5).destinations(range(5, 10)).times(1, 50).add()
            .flow("s2", 2, "192.0.2.1", 6, 23, TCP_SCAN, 5).destinations(range(5, 12)).times(1, 50).add();
        // 192.0.2.2: 9 destinations only
        data.flow("s1", 0, "192.0.2.2", 6, 22, TCP_SCAN, 9).destinations(range(0, 9)).add();
        // victim 203.0.113.50 (TCP SYN-ACK backscatter from its port 80): minute 10 on s1 (30 packets, 5 per slot), minute 11 on s2 (5)
        data.flow("s1", 10, "203.0.113.50", 6, 80, BACKSCATTER, 30).slots(5, 5, 5, 5, 5, 5).times(1, 59)
            .prefixes("198.51.100.7", "198.51.100.9").add()
            .flow("s2", 11, "203.0.113.50", 6, 80, BACKSCATTER, 5).slots(5, 0, 0, 0, 0, 0).times(1, 5).prefixes("100.64.0.1").add();
        // victim 203.0.113.60: 29 packets in its busiest window, 30 in all, over 115 s: no attack
        data.flow("s1", 20, "203.0.113.60", 6, 443, BACKSCATTER, 29).slots(5, 5, 5, 5, 5, 4).times(1, 59).add()
            .flow("s1", 21, "203.0.113.60", 6, 443, BACKSCATTER, 1).slots(0, 0, 0, 0, 0, 1).times(55, 55).add();
        // ICMPv6 errors from a router quoting packets to 2001:db8::99
        data.flow("s1", 30, "2001:db8:1::1", 58, 1 << 8, BACKSCATTER, 30).victim("2001:db8::99").slots(5, 5, 5, 5, 5, 5).times(1, 59).add()
            .flow("s1", 31, "2001:db8:1::1", 58, 1 << 8, BACKSCATTER, 5).victim("2001:db8::99").slots(5, 0, 0, 0, 0, 0).times(1, 5).add();
        data.source("192.0.2.1", "CN", 4134, "CHINANET");
        data.commit();
        ctx = data.context();
    }

    @AfterAll
    static void close()
    {
        data.close();
    }

    @Test
    void shouldMergeAScanSeenByTwoSensorsAndScaleByTheirDarknets() throws Exception
    {
        final var rows = rows(new EventsQuery(ctx).scans(params("from=" + at(0) + "&to=" + at(60), EventsQuery.SCAN_PARAMETERS)));
        assertThat(rows).hasSize(1);
        final var e = rows.get(0);
        // 12 distinct destinations (5-9 seen by both), 15 packets from 00:00:01 to 00:02:50 = 169 s, darknets 256 + 768
        final double rate = 15 * (4294967296.0 / 1024) / 169;
        assertThat(e).containsEntry("src", "192.0.2.1").containsEntry("country", "CN").containsEntry("port", 23).containsEntry("class", "tcp_scan")
            .containsEntry("start", "2024-06-01T00:00:01Z").containsEntry("end", "2024-06-01T00:02:50Z").containsEntry("packets", 15L)
            .containsEntry("destinations", 12L).containsEntry("coverage", Rows.round4(12 / 1024.0)).containsEntry("rate", Rows.round4(rate))
            .containsEntry("sensors", List.of("s1", "s2"));
    }

    @Test
    void shouldTakeThresholdsAsParameters() throws Exception
    {
        final var nine = rows(new EventsQuery(ctx).scans(params("from=" + at(0) + "&to=" + at(60) + "&min_destinations=9", EventsQuery.SCAN_PARAMETERS)));
        assertThat(nine).extracting(r -> r.get("src")).containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
        final var fast = rows(new EventsQuery(ctx).scans(params("from=" + at(0) + "&to=" + at(60) + "&min_rate=1e9", EventsQuery.SCAN_PARAMETERS)));
        assertThat(fast).isEmpty();
        final var s1 = rows(new EventsQuery(ctx).scans(params("from=" + at(0) + "&to=" + at(60) + "&sensor=s1", EventsQuery.SCAN_PARAMETERS)));
        // s1 alone: 10 destinations, 10 packets from 00:00:01 to 00:01:50 = 109 s over 256 addresses
        assertThat(s1.get(0)).containsEntry("destinations", 10L).containsEntry("rate", Rows.round4(10 * (4294967296.0 / 256) / 109));
    }

    @Test
    void shouldInferDosAttacksFromBackscatterOfBothSensors() throws Exception
    {
        final var answer = new EventsQuery(ctx).dos(params("from=" + at(0) + "&to=" + at(60), EventsQuery.DOS_PARAMETERS));
        final var rows = rows(answer);
        assertThat(rows).extracting(r -> r.get("victim")).containsExactly("203.0.113.50", "2001:db8::99"); // equal packets: earlier first
        final var tcp = rows.get(0);
        // 35 packets from 00:10:01 to 00:11:05 (64 s); busiest window 30 (minute 10); prefixes 198.51/16 and 100.64/16
        assertThat(tcp).containsEntry("protocol", "tcp").containsEntry("packets", 35L).containsEntry("start", at(10).replace(":00Z", ":01Z"))
            .containsEntry("seconds", 64.0).containsEntry("ports", 1).containsEntry("attacker_slash16s", 2L).containsEntry("peak_window_packets", 30L)
            .containsEntry("peak_rate", 0.5).containsEntry("sensors", List.of("s1", "s2"));
        assertThat(rows.get(1)).containsEntry("protocol", "icmp6").containsEntry("packets", 35L);
        final var strict = rows(new EventsQuery(ctx).dos(params("from=" + at(0) + "&to=" + at(60) + "&min_window_packets=29", EventsQuery.DOS_PARAMETERS)));
        assertThat(strict).extracting(r -> r.get("victim")).contains("203.0.113.60");
        final var one = rows(new EventsQuery(ctx).dos(params("from=" + at(0) + "&to=" + at(60) + "&victim=203.0.113.50", EventsQuery.DOS_PARAMETERS)));
        assertThat(one).hasSize(1);
        assertThat(T0).isPositive();
    }
}
