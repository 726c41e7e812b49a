package io.nightjar.sensor.generate;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficGeneratorTest
{
    @TempDir
    Path tmp;

    private static GroundTruth generate(final TrafficGenerator.Config config, final OutputStream out) throws IOException
    {
        try (PcapWriter w = new PcapWriter(out, LinkType.ETHERNET, PcapWriter.DEFAULT_SNAPLEN, false, ByteOrder.LITTLE_ENDIAN))
        {
            return new TrafficGenerator(config).run(w, null);
        }
    }

    private static TrafficGenerator.Config config(final long packets, final long seed)
    {
        return new TrafficGenerator.Config().packets(packets).seed(seed).darknets(TrafficGenerator.DEFAULT_DARKNETS);
    }

    @Test
    void shouldProduceIdenticalBytesForTheSameSeedAndDifferentForAnother() throws Exception
    {
        final ByteArrayOutputStream a = new ByteArrayOutputStream();
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        final ByteArrayOutputStream c = new ByteArrayOutputStream();
        final GroundTruth ta = generate(config(20_000, 7), a);
        final GroundTruth tb = generate(config(20_000, 7), b);
        final GroundTruth tc = generate(config(20_000, 8), c);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        assertThat(ta.toJson()).isEqualTo(tb.toJson());
        assertThat(a.toByteArray()).isNotEqualTo(c.toByteArray());
        assertThat(ta.toJson()).isNotEqualTo(tc.toJson());
    }

    @Test
    void shouldAgreeWithTcpdumpClassByClassOnAnUntaggedRun() throws Exception
    {
        Assumptions.assumeTrue(Tcpdump.available(), "tcpdump not installed");
        final Path file = tmp.resolve("untagged.pcap");
        final GroundTruth t;
        try (OutputStream out = Files.newOutputStream(file))
        {
            t = generate(config(30_000, 3).vlanShare(0).qinqShare(0).malformedShare(0), out);
        }
        final int v4 = GroundTruth.FAMILY_IPV4;
        final int v6 = GroundTruth.FAMILY_IPV6;
        final String unfragmented = "ip[6:2] & 0x3fff == 0";
        assertThat(Tcpdump.count(file, null)).isEqualTo(30_000);
        assertThat(Tcpdump.count(file, "ip")).isEqualTo(t.familyPackets(v4));
        assertThat(Tcpdump.count(file, "ip6")).isEqualTo(t.familyPackets(v6));
        assertThat(Tcpdump.count(file, "arp")).isEqualTo(t.familyPackets(GroundTruth.FAMILY_NONE)).isEqualTo(t.count(TrafficClass.NON_IP));
        assertThat(Tcpdump.count(file, "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"))
            .isEqualTo(t.count(v4, TrafficClass.TCP_SCAN));
        assertThat(Tcpdump.count(file, "(tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)) or (tcp[tcpflags] & tcp-rst != 0)"
            + " or icmp[icmptype] == 0 or icmp[icmptype] == 3 or icmp[icmptype] == 11"))
            .isEqualTo(t.count(v4, TrafficClass.BACKSCATTER));
        assertThat(Tcpdump.count(file, "tcp and tcp[tcpflags] & (tcp-syn|tcp-rst) == 0")).isEqualTo(t.count(v4, TrafficClass.TCP_OTHER));
        assertThat(Tcpdump.count(file, "udp and " + unfragmented)).isEqualTo(t.count(v4, TrafficClass.UDP_PROBE));
        assertThat(Tcpdump.count(file, "icmp and " + unfragmented + " and icmp[icmptype] != 0 and icmp[icmptype] != 3 and icmp[icmptype] != 11"))
            .isEqualTo(t.count(v4, TrafficClass.ICMP_PROBE));
        assertThat(Tcpdump.count(file, "ip and not " + unfragmented)).isEqualTo(t.count(v4, TrafficClass.FRAGMENT));
        assertThat(Tcpdump.count(file, "ip proto 47 or ip proto 50")).isEqualTo(t.count(v4, TrafficClass.OTHER));
        assertThat(Tcpdump.count(file, "ip6 and ip6[6] == 6")).isEqualTo(t.count(v6, TrafficClass.TCP_SCAN));
        assertThat(Tcpdump.count(file, "ip6 and ip6[6] == 17")).isEqualTo(t.count(v6, TrafficClass.UDP_PROBE));
        assertThat(Tcpdump.count(file, "ip6 proto 44")).isEqualTo(t.count(v6, TrafficClass.FRAGMENT));
        assertThat(Tcpdump.count(file, "icmp6 and ip6[40] == 128")).isEqualTo(t.count(v6, TrafficClass.ICMP_PROBE));
        assertThat(Tcpdump.count(file, "icmp6 and ip6[40] == 129")).isEqualTo(t.count(v6, TrafficClass.BACKSCATTER));
        for (final int proto : new int[] {1, 6, 17, 47, 50})
        {
            assertThat(Tcpdump.count(file, "ip proto " + proto)).isEqualTo(t.framesByProto(v4, proto));
        }
        // every class is present in a 30k run
        for (int id = 0; id < TrafficClass.COUNT; id++)
        {
            if (id != TrafficClass.MALFORMED.id())
            {
                assertThat(t.count(TrafficClass.ofId(id))).as(TrafficClass.ofId(id).key()).isPositive();
            }
        }
    }

    @Test
    void shouldWriteOnlyCorrectChecksumsAndCountVlanFramesInADefaultRun() throws Exception
    {
        Assumptions.assumeTrue(Tcpdump.available(), "tcpdump not installed");
        final Path file = tmp.resolve("default.pcap");
        final GroundTruth t;
        try (OutputStream out = Files.newOutputStream(file))
        {
            t = generate(config(20_000, 11).malformedShare(0.01), out);
        }
        final String all = String.join("\n", Tcpdump.run(file, "-nn", "-vv"));
        assertThat(all).doesNotContain("incorrect").doesNotContain("bad cksum").doesNotContain("bad udp cksum")
            .doesNotContain("wrong icmp cksum").doesNotContain("bad icmp6 cksum");
        assertThat(all).contains("(correct)");
        assertThat(Tcpdump.count(file, null)).isEqualTo(20_000);
        assertThat(Tcpdump.count(file, "vlan")).isEqualTo(t.dot1qFrames() + t.qinqFrames());
        assertThat(Tcpdump.count(file, "ether proto 0x88a8")).isEqualTo(t.qinqFrames());
        assertThat(t.dot1qFrames()).isPositive();
        assertThat(t.qinqFrames()).isPositive();
        assertThat(t.count(TrafficClass.MALFORMED)).isPositive()
            .isEqualTo(t.malformed(0) + t.malformed(1) + t.malformed(2) + t.malformed(3));
        // absolute offsets: a "not vlan" would shift the offsets of what follows it
        assertThat(Tcpdump.count(file, "ether proto 0x0800 and ether[14] & 0xf0 != 0x40"))
            .isEqualTo(countUntaggedBadVersion(file));
    }

    /** Counts untagged IPv4 frames whose version nibble is not 4 by reading the file directly. */
    private static long countUntaggedBadVersion(final Path file) throws IOException
    {
        final long[] n = {0};
        PcapScan.forEach(Files.readAllBytes(file), (f, off, len) ->
        {
            if (PacketBuilder.ETHERTYPE_IPV4 == (((f[off + 12] & 0xff) << 8) | (f[off + 13] & 0xff)) && (f[off + 14] & 0xf0) != 0x40)
            {
                n[0]++;
            }
        });
        return n[0];
    }

    @Test
    void shouldPlantToolFingerprintsOnlyOnPlantedSources() throws Exception
    {
        final ByteArrayOutputStream bos = new ByteArrayOutputStream();
        final GroundTruth t = generate(config(50_000, 5), bos);
        final long[] found = new long[3];
        PcapScan.forEach(bos.toByteArray(), (f, off, len) ->
        {
            int p = off + 12;
            int type = ((f[p] & 0xff) << 8) | (f[p + 1] & 0xff);
            while (type == 0x8100 || type == 0x88a8)
            {
                p += 4;
                type = ((f[p] & 0xff) << 8) | (f[p + 1] & 0xff);
            }
            final int ip = p + 2;
            if (type != 0x0800 || f[ip] != 0x45 || f[ip + 9] != 6 || (((f[ip + 6] & 0x3f) << 8) | (f[ip + 7] & 0xff)) != 0)
            {
                return;
            }
            final int tcp = ip + 20;
            if ((f[tcp + 13] & 0x12) != 0x02 || ip + 20 + 20 > off + len)
            {
                return;
            }
            final int id = ((f[ip + 4] & 0xff) << 8) | (f[ip + 5] & 0xff);
            final int dst = readInt(f, ip + 16);
            final int dport = ((f[tcp + 2] & 0xff) << 8) | (f[tcp + 3] & 0xff);
            final int seq = readInt(f, tcp + 4);
            if (id == 54321)
            {
                found[ScannerTool.ZMAP.ordinal()]++;
            }
            if (id == ((dst ^ dport ^ seq) & 0xffff))
            {
                found[ScannerTool.MASSCAN.ordinal()]++;
            }
            if (seq == dst)
            {
                found[ScannerTool.MIRAI.ordinal()]++;
            }
        });
        for (final ScannerTool tool : ScannerTool.all())
        {
            long planted = 0;
            for (final Map<String, Object> s : t.sources(tool))
            {
                planted += (Long)s.get("packets");
            }
            assertThat(t.fingerprintPackets(tool)).as(tool.key()).isPositive().isEqualTo(planted);
            // malformed SYNs are skipped by the scan above (their header is not a plain 0x45 or is cut), like the truth
            assertThat(found[tool.ordinal()]).as(tool.key()).isEqualTo(t.fingerprintPackets(tool));
        }
        assertThat(t.sources(ScannerTool.ZMAP)).anyMatch(s -> Boolean.TRUE.equals(s.get("attributable")));
    }

    private static int readInt(final byte[] f, final int p)
    {
        return ((f[p] & 0xff) << 24) | ((f[p + 1] & 0xff) << 16) | ((f[p + 2] & 0xff) << 8) | (f[p + 3] & 0xff);
    }

    @Test
    void shouldGenerateAMillionPacketsWithConsistentTotals() throws Exception
    {
        final long[] bytes = {0};
        final OutputStream counting = new OutputStream()
        {
            @Override
            public void write(final int b)
            {
                bytes[0]++;
            }

            @Override
            public void write(final byte[] b, final int off, final int len)
            {
                bytes[0] += len;
            }
        };
        final GroundTruth t = generate(config(1_000_000, 1), counting);
        assertThat(t.packets()).isEqualTo(1_000_000);
        long sum = 0;
        for (int id = 0; id < TrafficClass.COUNT; id++)
        {
            sum += t.count(TrafficClass.ofId(id));
        }
        assertThat(sum).isEqualTo(1_000_000);
        assertThat(t.familyPackets(0) + t.familyPackets(1) + t.familyPackets(2)).isEqualTo(1_000_000);
        assertThat(bytes[0]).isEqualTo(24 + 16 * 1_000_000L + t.capturedBytes());
        assertThat(t.wireBytes()).isEqualTo(t.capturedBytes());
        // realistic small frames: on average well under 100 bytes
        assertThat(t.wireBytes() / t.packets()).isBetween(54L, 100L);
        assertThat((double)t.count(TrafficClass.MALFORMED) / t.packets()).isBetween(0.0005, 0.002);
    }

    @Test
    void shouldNotAllocatePerPacket() throws Exception
    {
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final OutputStream sink = OutputStream.nullOutputStream();
        final long tid = Thread.currentThread().getId();
        final int packets = 500_000;
        try (PcapWriter w = new PcapWriter(sink, LinkType.ETHERNET, PcapWriter.DEFAULT_SNAPLEN, false, ByteOrder.LITTLE_ENDIAN))
        {
            final TrafficGenerator g = new TrafficGenerator(config(packets, 4));
            final long before = mx.getThreadAllocatedBytes(tid);
            g.run(w, null);
            final long allocated = mx.getThreadAllocatedBytes(tid) - before;
            // only the end-of-run truth tree (a few hundred small maps) is allocated, not 500k packets' worth
            assertThat(allocated).isLessThan(packets);
        }
    }

    @Test
    void shouldRespectTheRateAndStart() throws Exception
    {
        final ByteArrayOutputStream bos = new ByteArrayOutputStream();
        final GroundTruth t = generate(config(30_000, 2).rate(1000).start(java.time.Instant.parse("2025-01-02T03:04:05Z")), bos);
        final Map<String, Object> tree = t.toTree();
        assertThat(tree.get("start")).isEqualTo("2025-01-02T03:04:05Z");
        final long endSecs = java.time.Instant.parse((String)tree.get("end")).getEpochSecond()
            - java.time.Instant.parse("2025-01-02T03:04:05Z").getEpochSecond();
        assertThat(endSecs).isBetween(28L, 32L);
        final long[] last = {Long.MIN_VALUE};
        final boolean[] ordered = {true};
        PcapScan.forEachTimestamp(bos.toByteArray(), ts ->
        {
            ordered[0] &= ts >= last[0];
            last[0] = ts;
        });
        assertThat(ordered[0]).isTrue();
    }

    @Test
    void shouldMakeNoIpv6TrafficWithoutAnIpv6Darknet() throws Exception
    {
        final GroundTruth t = generate(new TrafficGenerator.Config().packets(10_000).darknets("192.0.2.0/24,203.0.113.0/25"),
            new ByteArrayOutputStream());
        assertThat(t.familyPackets(GroundTruth.FAMILY_IPV6)).isZero();
        assertThat(t.toTree().get("darknets")).isEqualTo("192.0.2.0/24,203.0.113.0/25");
    }
}
