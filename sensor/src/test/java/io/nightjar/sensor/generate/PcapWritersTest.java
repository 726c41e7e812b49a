package io.nightjar.sensor.generate;

import io.nightjar.sensor.capture.LinkType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class PcapWritersTest
{
    private static final long TS = 1_717_200_000_123_456_789L;

    @TempDir
    Path tmp;

    private static byte[] syn()
    {
        return new PacketBuilder().ipv4("192.0.2.1", "198.51.100.2").tcp(1000, 80).mss(1460).build();
    }

    @Test
    void shouldWritePcapHeaderAndRecordsInEitherByteOrderAndResolution() throws Exception
    {
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            for (final boolean nanos : new boolean[] {false, true})
            {
                final ByteArrayOutputStream bos = new ByteArrayOutputStream();
                final byte[] f = syn();
                try (PcapWriter w = new PcapWriter(bos, LinkType.ETHERNET, 40, nanos, order))
                {
                    w.write(TS, f, 0, f.length);
                }
                final ByteBuffer bb = ByteBuffer.wrap(bos.toByteArray()).order(order);
                assertThat(bb.getInt(0)).isEqualTo(nanos ? PcapWriter.MAGIC_NANOS : PcapWriter.MAGIC_MICROS);
                assertThat(bb.getShort(4)).isEqualTo((short)2);
                assertThat(bb.getShort(6)).isEqualTo((short)4);
                assertThat(bb.getInt(16)).isEqualTo(40);
                assertThat(bb.getInt(20)).isEqualTo(LinkType.ETHERNET);
                assertThat(bb.getInt(24)).isEqualTo((int)(TS / 1_000_000_000L));
                assertThat(bb.getInt(28)).isEqualTo(nanos ? 123_456_789 : 123_456);
                assertThat(bb.getInt(32)).as("captured length cut to snaplen").isEqualTo(40);
                assertThat(bb.getInt(36)).as("original length").isEqualTo(f.length);
                assertThat(bos.size()).isEqualTo(24 + 16 + 40);
            }
        }
    }

    @Test
    void shouldWritePcapngBlocksWithTsresolAndPadding() throws Exception
    {
        final ByteArrayOutputStream bos = new ByteArrayOutputStream();
        final byte[] f = new PacketBuilder().ipv4("192.0.2.1", "198.51.100.2").udp(1, 2).payloadZeros(1).build(); // 43 bytes
        try (PcapngWriter w = new PcapngWriter(bos, ByteOrder.BIG_ENDIAN))
        {
            assertThat(w.addInterface(LinkType.ETHERNET, 0, 9)).isEqualTo(0);
            w.writeEnhanced(0, TS, f, 0, f.length);
            w.writeSimple(f, 0, f.length);
        }
        final ByteBuffer bb = ByteBuffer.wrap(bos.toByteArray()).order(ByteOrder.BIG_ENDIAN);
        assertThat(bb.getInt(0)).isEqualTo(PcapngWriter.SHB);
        assertThat(bb.getInt(8)).isEqualTo(PcapngWriter.BYTE_ORDER_MAGIC);
        assertThat(bb.getInt(28)).isEqualTo(PcapngWriter.IDB);
        assertThat(bb.getShort(36)).isEqualTo((short)LinkType.ETHERNET);
        assertThat(bb.getShort(44)).as("if_tsresol").isEqualTo((short)9);
        assertThat(bb.get(48)).isEqualTo((byte)9);
        final int epb = 28 + 32;
        assertThat(bb.getInt(epb)).isEqualTo(PcapngWriter.EPB);
        assertThat(bb.getInt(epb + 4)).isEqualTo(32 + 44);
        assertThat(((long)bb.getInt(epb + 12) << 32) | (bb.getInt(epb + 16) & 0xffffffffL)).isEqualTo(TS);
        assertThat(bb.getInt(epb + 20)).isEqualTo(43);
        assertThat(bb.getInt(epb + 24)).isEqualTo(43);
        final int spb = epb + 76;
        assertThat(bb.getInt(spb)).isEqualTo(PcapngWriter.SPB);
        assertThat(bb.getInt(spb + 4)).isEqualTo(16 + 44);
        assertThat(bb.getInt(spb + 8)).isEqualTo(43);
        assertThat(bos.size()).isEqualTo(spb + 60);
    }

    @Test
    void shouldBeReadByTcpdumpInEveryVariant() throws Exception
    {
        Assumptions.assumeTrue(Tcpdump.available(), "tcpdump not installed");
        final PacketBuilder b = new PacketBuilder();
        final byte[] f = syn();
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            final Path pcap = tmp.resolve("p-" + order + ".pcap");
            try (PcapWriter w = PcapWriter.open(pcap, LinkType.ETHERNET, 65535, true, order))
            {
                for (int i = 0; i < 5; i++)
                {
                    w.write(TS + i, f, 0, f.length);
                }
            }
            assertThat(Tcpdump.count(pcap, "tcp port 80")).isEqualTo(5);
            final Path ng = tmp.resolve("p-" + order + ".pcapng");
            try (PcapngWriter w = PcapngWriter.open(ng, order))
            {
                // libpcap reads several interfaces only when they share one link type
                w.addInterface(LinkType.ETHERNET, 65535, 6);
                w.addInterface(LinkType.ETHERNET, 65535, 9);
                w.writeEnhanced(0, TS, f, 0, f.length);
                w.writeSimple(f, 0, f.length);
                w.writeEnhanced(1, TS, f, 0, f.length);
            }
            final List<String> lines = Tcpdump.run(ng, "-nn", "-tt");
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).startsWith("1717200000.123456 IP 192.0.2.1.1000 > 198.51.100.2.80");
            assertThat(lines.get(2)).startsWith("1717200000.123456 IP 192.0.2.1.1000 > 198.51.100.2.80");
            final Path sll2File = tmp.resolve("sll2-" + order + ".pcapng");
            try (PcapngWriter w = PcapngWriter.open(sll2File, order))
            {
                w.addInterface(LinkType.LINUX_SLL2, 0, 9);
                final byte[] sll2 = b.reset().sll2().ipv4("192.0.2.1", "198.51.100.2").udp(1, 53).build();
                w.writeEnhanced(0, TS, sll2, 0, sll2.length);
            }
            assertThat(Tcpdump.run(sll2File, "-nn").get(0)).contains("198.51.100.2.53");
            final Path rawFile = tmp.resolve("raw-" + order + ".pcap");
            try (PcapWriter w = PcapWriter.open(rawFile, LinkType.RAW, 65535, false, order))
            {
                final byte[] raw = b.reset().rawIp().ipv6("2001:db8::1", "2001:db8:dead::1").icmpv6(128, 0).build();
                w.write(TS, raw, 0, raw.length);
            }
            assertThat(Tcpdump.run(rawFile, "-nn", "-vv").get(0)).contains("ICMP6, echo request").doesNotContain("bad icmp6 cksum");
        }
    }

    @Test
    void shouldGzipWhenThePathEndsInGz() throws Exception
    {
        final Path gz = tmp.resolve("x.pcap.gz");
        final byte[] f = syn();
        try (PcapWriter w = PcapWriter.open(gz, LinkType.ETHERNET))
        {
            w.write(TS, f, 0, f.length);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz)))
        {
            final byte[] all = in.readAllBytes();
            assertThat(all).hasSize(24 + 16 + f.length);
            assertThat(ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(PcapWriter.MAGIC_MICROS);
        }
    }
}
