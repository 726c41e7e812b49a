package io.nightjar.sensor.flow;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.generate.PacketBuilder;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.CaptureStats;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.nightjar.sensor.generate.PacketBuilder.ACK;
import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/** Bins, flow keys and flow fields against hand-computed expectations. */
class FlowPipelineTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_699_999_980L * SECOND; // a multiple of 60 s

    private final PacketBuilder b = new PacketBuilder();
    private final List<FlowRecord> records = new ArrayList<>();
    private final List<io.nightjar.wire.schema.BinSummary> bins = new ArrayList<>();

    private FlowPipeline pipeline(final String darknet, final long binNanos)
    {
        return new FlowPipeline(Darknet.parse(darknet), binNanos, new FlowTable(4, 1000, 100_000), (start, length, c, t) ->
        {
            for (int i = 0; i < t.size(); i++)
            {
                records.add(t.toRecord(i, start / 1000, length / 1000, true));
            }
            bins.add(c.toSummary(start, length, t.size()));
        });
    }

    private static void feed(final FlowPipeline p, final byte[] frame, final long ts)
    {
        p.onPacket(ByteBuffer.wrap(frame), 0, frame.length, frame.length, ts, LinkType.ETHERNET);
    }

    @Test
    void shouldAlignBinsToMultiplesOfTheBinLengthByPacketTime()
    {
        assertThat(T0 % (60 * SECOND)).isZero();
        final FlowPipeline p = pipeline("", 60 * SECOND);
        final byte[] syn = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).build();
        feed(p, syn, T0 + 5 * SECOND);
        feed(p, syn, T0 + 59 * SECOND);
        feed(p, syn, T0 + 60 * SECOND);
        feed(p, syn, T0 + 185 * SECOND);
        p.finish();
        assertThat(bins).extracting(s -> s.binStartMicros()).containsExactly(T0 / 1000, (T0 + 60 * SECOND) / 1000, (T0 + 180 * SECOND) / 1000);
        assertThat(bins).extracting(s -> s.packets()).containsExactly(2L, 1L, 1L);
        assertThat(records).hasSize(3);
        assertThat(records.get(0).packets()).isEqualTo(2);
        assertThat(records.get(0).firstMicros()).isEqualTo((T0 + 5 * SECOND) / 1000);
        assertThat(records.get(0).lastMicros()).isEqualTo((T0 + 59 * SECOND) / 1000);
    }

    @Test
    void shouldCountCaptureStatsIntoTheBinOpenWhenTheyAreAdded()
    {
        final FlowPipeline p = pipeline("", 60 * SECOND);
        final byte[] syn = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).build();
        p.addCaptureStats(2, 0, 0, 1); // no bin open yet: into the first one
        feed(p, syn, T0 + 5 * SECOND);
        p.addCaptureStats(10, 1, 0, 0);
        feed(p, syn, T0 + 30 * SECOND);
        p.addCaptureStats(5, 0, 2, 0);
        feed(p, syn, T0 + 61 * SECOND); // closes the first bin: later stats are the second's
        p.addCaptureStats(7, 3, 0, 4);
        p.advanceTo(T0 + 120 * SECOND); // the second bin closes on the clock, none open
        p.addCaptureStats(1, 0, 0, 0);
        feed(p, syn, T0 + 185 * SECOND);
        p.finish();
        assertThat(bins).hasSize(3);
        assertThat(bins).extracting(s -> s.capture()).containsExactly(
            new CaptureStats(17, 1, 2, 1), new CaptureStats(7, 3, 0, 4), new CaptureStats(1, 0, 0, 0));
        assertThat(bins).extracting(s -> s.captureDrops()).containsExactly(4L, 7L, 0L);
    }

    @Test
    void shouldReportNoCaptureStatsForAFileLikeInput()
    {
        final FlowPipeline p = pipeline("", 60 * SECOND);
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).build(), T0);
        p.finish();
        assertThat(bins).singleElement().satisfies(s ->
        {
            assertThat(s.capture()).isEqualTo(CaptureStats.NONE);
            assertThat(s.captureDrops()).isZero();
        });
    }

    @Test
    void shouldKeyFlowsBySourceProtocolPortClassAndFingerprint()
    {
        final FlowPipeline p = pipeline("198.51.100.0/24", 60 * SECOND);
        // one source, port 23: 3 SYNs to 3 destinations (one repeated), ttl 40..50, flags union
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.1").ttl(50).tcp(1000, 23).flags(SYN).window(1024).mss(1460).build(), T0 + 1);
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.2").ttl(40).tcp(1001, 23).flags(SYN).window(4096).build(), T0 + 2);
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.1").ttl(45).tcp(1002, 23).flags(SYN).window(8192).build(), T0 + 3);
        // same source, other port, and an ACK to port 23 (another class)
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.1").tcp(1000, 22).flags(SYN).build(), T0 + 4);
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.1").tcp(1000, 23).flags(ACK).build(), T0 + 5);
        // backscatter: SYN-ACK from port 80 of a victim: keyed by the victim's port
        feed(p, b.reset().ethernet().ipv4("203.0.113.5", "198.51.100.3").tcp(80, 5555).flags(SYN | ACK).build(), T0 + 6);
        // outside the darknet: counted apart, no flow
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "10.9.9.9").tcp(1, 23).flags(SYN).build(), T0 + 7);
        p.finish();

        assertThat(records).hasSize(4);
        final FlowRecord scan23 = records.get(0);
        assertThat(Addresses.toString(scan23.src())).isEqualTo("192.0.2.7");
        assertThat(scan23.port()).isEqualTo(23);
        assertThat(scan23.trafficClass()).isEqualTo(TrafficClass.TCP_SCAN.id());
        assertThat(scan23.packets()).isEqualTo(3);
        assertThat(scan23.distinctDestinations()).isEqualTo(2);
        assertThat(DistinctSketch.fromBytes(scan23.destinationSketch()).estimate()).isEqualTo(2);
        assertThat(scan23.ttlMin()).isEqualTo(40);
        assertThat(scan23.ttlMax()).isEqualTo(50);
        assertThat(scan23.synWindow()).as("first SYN's window").isEqualTo(1024);
        assertThat(scan23.synOptions()).isEqualTo("M1460");
        assertThat(scan23.bytes()).isEqualTo(54 + 54 + 54 + 4);
        assertThat(records.get(1).port()).isEqualTo(22);
        assertThat(records.get(2).trafficClass()).isEqualTo(TrafficClass.TCP_OTHER.id());
        assertThat(records.get(2).tcpFlags()).isEqualTo(ACK);
        assertThat(records.get(2).synWindow()).isEqualTo(-1);
        assertThat(records.get(3).trafficClass()).isEqualTo(TrafficClass.BACKSCATTER.id());
        assertThat(records.get(3).port()).isEqualTo(80);

        final io.nightjar.wire.schema.BinSummary s = bins.get(0);
        assertThat(s.nonDarknetPackets()).isEqualTo(1);
        assertThat(s.classPackets()[TrafficClass.TCP_SCAN.id()]).isEqualTo(4);
        assertThat(s.packets()).isEqualTo(7);
    }

    @Test
    void shouldKeyIcmpErrorsByTheQuotedVictim()
    {
        final FlowPipeline p = pipeline("", 60 * SECOND);
        for (final String victim : new String[] {"203.0.113.5", "203.0.113.6", "203.0.113.5"})
        {
            final PacketBuilder inner = new PacketBuilder().rawIp().ipv4("198.51.100.9", victim).tcp(40000, 443);
            feed(p, b.reset().ethernet().ipv4("203.0.113.1", "198.51.100.9").icmp(3, 1).quote(inner, 28).build(), T0);
        }
        p.finish();
        assertThat(records).hasSize(2);
        assertThat(Addresses.toString(records.get(0).victim())).isEqualTo("203.0.113.5");
        assertThat(records.get(0).packets()).isEqualTo(2);
        assertThat(records.get(0).port()).isEqualTo((3 << 8) | 1);
        assertThat(Addresses.toString(records.get(0).src())).isEqualTo("203.0.113.1");
    }

    @Test
    void shouldCarryTheFingerprintInTheKey()
    {
        final FlowPipeline p = pipeline("", 60 * SECOND);
        final int dst = 0xc6336409;
        feed(p, b.reset().ethernet().ipv4(0xc0000207, dst).tcp(1, 23).seq(dst).flags(SYN).build(), T0);
        feed(p, b.reset().ethernet().ipv4(0xc0000207, dst).tcp(1, 23).seq(dst + 5).flags(SYN).build(), T0);
        p.finish();
        assertThat(records).extracting(FlowRecord::fingerprint).containsExactly(ScannerTool.MIRAI.bit(), 0);
    }

    @Test
    void shouldCountLatePacketsAndRestartOnBigBackwardJumps()
    {
        final FlowPipeline p = pipeline("", 60 * SECOND);
        final byte[] syn = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).build();
        feed(p, syn, T0 + 61 * SECOND);
        feed(p, syn, T0 + 59 * SECOND); // previous bin: late
        feed(p, syn, T0 - 3600 * SECOND); // an hour back: new bin
        p.finish();
        assertThat(bins).hasSize(2);
        assertThat(bins.get(0).anomalies()[Anomaly.LATE_PACKET.id()]).isEqualTo(1);
        assertThat(bins.get(0).packets()).isEqualTo(2);
        assertThat(bins.get(1).binStartMicros()).isEqualTo((T0 - 3600 * SECOND) / 1000);
    }

    @Test
    void shouldRefuseKeysPastTheFlowLimitAndCountThem()
    {
        final FlowPipeline p = new FlowPipeline(Darknet.parse(""), 60 * SECOND, new FlowTable(4, 10, 1000), (s, l, c, t) ->
            bins.add(c.toSummary(s, l, t.size())));
        for (int port = 1; port <= 15; port++)
        {
            feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, port).build(), T0);
        }
        p.finish();
        assertThat(bins.get(0).flows()).isEqualTo(10);
        assertThat(bins.get(0).anomalies()[Anomaly.FLOW_TABLE_FULL.id()]).isEqualTo(5);
        assertThat(bins.get(0).classPackets()[TrafficClass.TCP_SCAN.id()]).as("still counted").isEqualTo(15);
    }

    @Test
    void shouldKeepExactDistinctCountsAcrossTableGrowth()
    {
        final FlowPipeline p = new FlowPipeline(Darknet.parse(""), 60 * SECOND, new FlowTable(2, 100_000, 10_000_000), (s, l, c, t) ->
        {
            for (int i = 0; i < t.size(); i++)
            {
                records.add(t.toRecord(i, s / 1000, l / 1000, true));
            }
        });
        // 300 sources x 7 ports, source k hits (k % 50) + 1 distinct destinations on each port
        for (int k = 0; k < 300; k++)
        {
            for (int port = 0; port < 7; port++)
            {
                for (int d = 0; d <= k % 50; d++)
                {
                    feed(p, b.reset().ethernet().ipv4(0x0a000000 + k, 0xc6336400 + d).tcp(1, 1000 + port).build(), T0);
                    feed(p, b.reset().ethernet().ipv4(0x0a000000 + k, 0xc6336400 + d).tcp(2, 1000 + port).build(), T0);
                }
            }
        }
        p.finish();
        assertThat(records).hasSize(300 * 7);
        for (final FlowRecord r : records)
        {
            final int k = (int)(Addresses.lo(r.src()) & 0xffffff);
            assertThat(r.distinctDestinations()).isEqualTo(k % 50 + 1);
            assertThat(r.packets()).isEqualTo(2L * (k % 50 + 1));
            assertThat(DistinctSketch.fromBytes(r.destinationSketch()).estimate()).isEqualTo(k % 50 + 1);
        }
    }

    @Test
    void shouldCountBackscatterPacketsPer10SecondSlotOfTheBin()
    {
        final FlowPipeline p = pipeline("198.51.100.0/24", 60 * SECOND);
        final byte[] synAck = b.reset().ethernet().ipv4("203.0.113.5", "198.51.100.3").tcp(80, 5555).flags(SYN | ACK).build();
        feed(p, synAck, T0);                         // slot 0
        feed(p, synAck, T0 + 9_999_999_999L);        // slot 0 (last ns)
        feed(p, synAck, T0 + 10 * SECOND);           // slot 1
        feed(p, synAck, T0 + 59 * SECOND);           // slot 5
        feed(p, synAck, T0 + 61 * SECOND);           // next bin, slot 0
        feed(p, synAck, T0 + 55 * SECOND);           // late: counted in the current bin, slot 0
        // a scan flow of the same bins has no detail
        feed(p, b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).flags(SYN).build(), T0 + 1);
        p.finish();
        final List<FlowRecord> backscatter = records.stream().filter(r -> r.trafficClass() == TrafficClass.BACKSCATTER.id()).toList();
        assertThat(backscatter).hasSize(2);
        assertThat(slots(backscatter.get(0))).containsExactly(2, 1, 0, 0, 0, 1);
        assertThat(slots(backscatter.get(1))).containsExactly(2, 0, 0, 0, 0, 0);
        assertThat(backscatter.get(0).packets()).isEqualTo(4);
        final FlowRecord scan = records.stream().filter(r -> r.trafficClass() == TrafficClass.TCP_SCAN.id()).findFirst().orElseThrow();
        assertThat(scan.slotPackets()).isNull();
        assertThat(scan.destinationPrefixes()).isNull();
    }

    private static int[] slots(final FlowRecord r)
    {
        final int n = io.nightjar.wire.schema.BackscatterDetail.slotCount(r.slotPackets());
        final int[] out = new int[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = io.nightjar.wire.schema.BackscatterDetail.slot(r.slotPackets(), i);
        }
        return out;
    }

    @Test
    void shouldKeepTheDistinctSlash16sOfBackscatterDestinations()
    {
        final FlowPipeline p = pipeline("", 60 * SECOND);
        // RSTs from one victim to 5 destinations in 3 /16s (198.51/16 twice, back and forth), and an
        // ICMPv6 error quoting a packet to an IPv6 victim, to 2 destinations of one /48
        for (final String dst : new String[] {"198.51.100.1", "198.51.7.7", "203.0.113.9", "198.51.100.2", "100.64.1.1"})
        {
            feed(p, b.reset().ethernet().ipv4("203.0.113.5", dst).tcp(443, 5555).flags(PacketBuilder.RST).build(), T0);
        }
        for (final String dst : new String[] {"2001:db8:dead:1::1", "2001:db8:dead:2::2"})
        {
            final PacketBuilder inner = new PacketBuilder().rawIp().ipv6(dst, "2001:db8:beef::5").tcp(40000, 443);
            feed(p, b.reset().ethernet().ipv6("2001:db8:1::1", dst).icmpv6(1, 4).quote(inner, 48).build(), T0 + SECOND);
        }
        p.finish();
        assertThat(records).hasSize(2);
        final FlowRecord rst = records.get(0);
        assertThat(DistinctSketch.fromBytes(rst.destinationPrefixes()).estimate()).isEqualTo(3);
        assertThat(rst.distinctDestinations()).isEqualTo(5);
        final FlowRecord icmp6 = records.get(1);
        assertThat(Addresses.toString(icmp6.victim())).isEqualTo("2001:db8:beef::5");
        assertThat(icmp6.trafficClass()).isEqualTo(TrafficClass.BACKSCATTER.id());
        assertThat(DistinctSketch.fromBytes(icmp6.destinationPrefixes()).estimate()).isEqualTo(1);
        assertThat(slots(icmp6)).containsExactly(2, 0, 0, 0, 0, 0);
    }

    @Test
    void shouldKeepNoSlotsForBinsThatAreNotWholeSlots()
    {
        final FlowPipeline p = pipeline("", 15 * SECOND);
        feed(p, b.reset().ethernet().ipv4("203.0.113.5", "198.51.100.3").tcp(80, 5555).flags(SYN | ACK).build(), T0);
        p.finish();
        assertThat(records).singleElement().satisfies(r ->
        {
            assertThat(r.slotPackets()).isNull();
            assertThat(DistinctSketch.fromBytes(r.destinationPrefixes()).estimate()).isEqualTo(1);
        });
    }
}
