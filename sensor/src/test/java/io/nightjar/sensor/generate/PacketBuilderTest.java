package io.nightjar.sensor.generate;

import io.nightjar.sensor.capture.LinkType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketBuilderTest
{
    private static final int SRC = PacketBuilder.parseIpv4("192.0.2.7");
    private static final int DST = PacketBuilder.parseIpv4("198.51.100.9");

    @TempDir
    Path tmp;

    // An independent checksum: sums big-endian shorts through a ByteBuffer, end-around carry each step.
    private static int onesComplementSum(final byte[] b, final int off, final int len, final int start)
    {
        final ByteBuffer bb = ByteBuffer.wrap(b, off, len).order(ByteOrder.BIG_ENDIAN);
        int s = start;
        while (bb.remaining() >= 2)
        {
            s += bb.getShort() & 0xffff;
            s = (s & 0xffff) + (s >>> 16);
        }
        if (bb.hasRemaining())
        {
            s += (bb.get() & 0xff) << 8;
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    private static int u16(final byte[] b, final int p)
    {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static boolean ipv4HeaderVerifies(final byte[] f, final int ip)
    {
        final int ihl = (f[ip] & 0xf) * 4;
        return onesComplementSum(f, ip, ihl, 0) == 0xffff;
    }

    private static boolean ipv4TransportVerifies(final byte[] f, final int ip)
    {
        final int ihl = (f[ip] & 0xf) * 4;
        final int total = u16(f, ip + 2);
        final int proto = f[ip + 9] & 0xff;
        int s = proto == 1 ? 0 : onesComplementSum(f, ip + 12, 8, 0);
        if (proto != 1)
        {
            s = onesComplementSum(new byte[] {0, (byte)proto, (byte)((total - ihl) >>> 8), (byte)(total - ihl)}, 0, 4, s);
        }
        return onesComplementSum(f, ip + ihl, total - ihl, s) == 0xffff;
    }

    private static boolean ipv6TransportVerifies(final byte[] f, final int ip, final int l4Off, final int proto)
    {
        final int len = ip + 40 + u16(f, ip + 4) - l4Off;
        int s = onesComplementSum(f, ip + 8, 32, 0);
        s = onesComplementSum(new byte[] {0, 0, (byte)(len >>> 8), (byte)len, 0, 0, 0, (byte)proto}, 0, 8, s);
        return onesComplementSum(f, l4Off, len, s) == 0xffff;
    }

    @Test
    void shouldBuildTcpSynWithCorrectLayoutAndChecksums()
    {
        final byte[] f = new PacketBuilder().ethernet()
            .ipv4(SRC, DST).ttl(255).id(54321).dontFragment(true)
            .tcp(40000, 23).seq(0x12345678).flags(PacketBuilder.SYN).window(1024)
            .build();
        assertThat(f).hasSize(54);
        assertThat(u16(f, 12)).isEqualTo(0x0800);
        assertThat(f[14]).isEqualTo((byte)0x45);
        assertThat(u16(f, 16)).isEqualTo(40);
        assertThat(u16(f, 18)).isEqualTo(54321);
        assertThat(u16(f, 20)).isEqualTo(0x4000);
        assertThat(f[22] & 0xff).isEqualTo(255);
        assertThat(f[23]).isEqualTo((byte)6);
        assertThat(u16(f, 34)).isEqualTo(40000);
        assertThat(u16(f, 36)).isEqualTo(23);
        assertThat(f[46] & 0xff).isEqualTo(0x50);
        assertThat(f[47] & 0xff).isEqualTo(0x02);
        assertThat(ipv4HeaderVerifies(f, 14)).isTrue();
        assertThat(ipv4TransportVerifies(f, 14)).isTrue();
    }

    @Test
    void shouldWriteTcpOptionsPaddedAndCountedInDataOffset()
    {
        final byte[] f = new PacketBuilder().ethernet().ipv4(SRC, DST)
            .tcp(1, 2).mss(1460).sackPermitted().timestamps(7, 0).nop().windowScale(7).build();
        assertThat(f).hasSize(74);
        assertThat((f[46] & 0xff) >>> 4).isEqualTo(10);
        assertThat(f[54]).isEqualTo((byte)2);
        assertThat(u16(f, 56)).isEqualTo(1460);
        assertThat(f[58]).isEqualTo((byte)4);
        assertThat(f[60]).isEqualTo((byte)8);
        assertThat(ipv4TransportVerifies(f, 14)).isTrue();
    }

    @Test
    void shouldChecksumUdpAndIcmpWithOddPayloads()
    {
        final PacketBuilder b = new PacketBuilder();
        final byte[] udp = b.reset().ipv4(SRC, DST).udp(5353, 53).payload(new byte[] {1, 2, 3, 4, 5}).build();
        assertThat(ipv4HeaderVerifies(udp, 14)).isTrue();
        assertThat(ipv4TransportVerifies(udp, 14)).isTrue();
        assertThat(u16(udp, 38)).isEqualTo(13);
        final byte[] icmp = b.reset().ipv4(SRC, DST).icmp(8, 0).echo(0x1234, 7).payload(new byte[] {9, 8, 7}).build();
        assertThat(ipv4TransportVerifies(icmp, 14)).isTrue();
        assertThat(u16(icmp, 38)).isEqualTo(0x1234);
        assertThat(u16(icmp, 40)).isEqualTo(7);
    }

    @Test
    void shouldQuoteInnerPacketInIcmpError()
    {
        final PacketBuilder inner = new PacketBuilder().rawIp().ipv4(DST, SRC).udp(33000, 53).payloadZeros(30);
        final byte[] f = new PacketBuilder().ipv4(PacketBuilder.parseIpv4("203.0.113.1"), DST)
            .icmp(3, 3).quote(inner, 28).build();
        assertThat(f).hasSize(14 + 20 + 8 + 28);
        assertThat(f[42]).isEqualTo((byte)0x45);
        assertThat(u16(f, 42 + 2)).isEqualTo(20 + 8 + 30); // the quoted total length is the original one
        assertThat(f[42 + 12] & 0xff).isEqualTo(198);
        assertThat(u16(f, 42 + 20 + 2)).isEqualTo(53);
        assertThat(ipv4HeaderVerifies(f, 42)).isTrue();
        assertThat(ipv4TransportVerifies(f, 14)).isTrue();
    }

    @Test
    void shouldTagVlanAndQinq()
    {
        final PacketBuilder b = new PacketBuilder();
        final byte[] q = b.reset().ethernet().vlan(3, 100).ipv4(SRC, DST).tcp(1, 2).build();
        assertThat(u16(q, 12)).isEqualTo(0x8100);
        assertThat(u16(q, 14)).isEqualTo((3 << 13) | 100);
        assertThat(u16(q, 16)).isEqualTo(0x0800);
        assertThat(ipv4HeaderVerifies(q, 18)).isTrue();
        final byte[] qq = b.reset().ethernet().qinq(200, 100).ipv6("2001:db8::1", "2001:db8:dead::2").udp(1, 2).build();
        assertThat(u16(qq, 12)).isEqualTo(0x88a8);
        assertThat(u16(qq, 14)).isEqualTo(200);
        assertThat(u16(qq, 16)).isEqualTo(0x8100);
        assertThat(u16(qq, 18)).isEqualTo(100);
        assertThat(u16(qq, 20)).isEqualTo(0x86dd);
        assertThat(ipv6TransportVerifies(qq, 22, 62, 17)).isTrue();
    }

    @Test
    void shouldChainIpv6ExtensionHeaders()
    {
        final byte[] f = new PacketBuilder().rawIp()
            .ipv6("2001:db8::1", "2001:db8:dead::2").hopLimit(33)
            .hopByHop().destinationOptions().fragmentHeader(0, true, 0xabcdef)
            .icmpv6(128, 0).echo(1, 2).build();
        assertThat(f[0] >>> 4 & 0xf).isEqualTo(6);
        assertThat(f[6]).isEqualTo((byte)0);
        assertThat(f[7]).isEqualTo((byte)33);
        assertThat(f[40]).isEqualTo((byte)60);
        assertThat(f[48]).isEqualTo((byte)44);
        assertThat(f[56]).isEqualTo((byte)58);
        assertThat(u16(f, 58)).isEqualTo(1); // offset 0, M set
        assertThat(u16(f, 4)).isEqualTo(24 + 8);
        assertThat(ipv6TransportVerifies(f, 0, 64, 58)).isTrue();
    }

    @Test
    void shouldApplyMalformedOverrides()
    {
        final PacketBuilder b = new PacketBuilder();
        final byte[] v = b.reset().ipv4(SRC, DST).versionOverride(5).tcp(1, 2).build();
        assertThat(f4(v)).isEqualTo(0x55);
        final byte[] ihl = b.reset().ipv4(SRC, DST).ihlOverride(3).tcp(1, 2).build();
        assertThat(f4(ihl)).isEqualTo(0x43);
        final byte[] tl = b.reset().ipv4(SRC, DST).totalLengthOverride(200).tcp(1, 2).build();
        assertThat(u16(tl, 16)).isEqualTo(200);
        assertThat(tl).hasSize(54);
        final byte[] cut = b.reset().ipv4(SRC, DST).tcp(1, 2).truncateTransport(12).build();
        assertThat(cut).hasSize(14 + 20 + 12);
        assertThat(u16(cut, 16)).isEqualTo(32);
        assertThat(ipv4HeaderVerifies(cut, 14)).isTrue();
        final byte[] doff = b.reset().ipv4(SRC, DST).tcp(1, 2).dataOffsetOverride(3).build();
        assertThat((doff[46] & 0xff) >>> 4).isEqualTo(3);
        final byte[] udpLen = b.reset().ipv4(SRC, DST).udp(1, 2).udpLengthOverride(999).build();
        assertThat(u16(udpLen, 38)).isEqualTo(999);
        final byte[] badSum = b.reset().ipv4(SRC, DST).ipChecksumOverride(0x1234).tcp(1, 2).l4ChecksumOverride(0x4321).build();
        assertThat(u16(badSum, 24)).isEqualTo(0x1234);
        assertThat(u16(badSum, 50)).isEqualTo(0x4321);
    }

    private static int f4(final byte[] f)
    {
        return f[14] & 0xff;
    }

    @Test
    void shouldFrameEveryLinkType()
    {
        final PacketBuilder b = new PacketBuilder();
        assertThat(b.reset().sll().ipv4(SRC, DST).tcp(1, 2).length()).isEqualTo(16 + 40);
        assertThat(u16(b.frameArray(), 14)).isEqualTo(0x0800);
        assertThat(b.reset().sll2().ipv6("::1", "::2").tcp(1, 2).length()).isEqualTo(20 + 60);
        assertThat(u16(b.frameArray(), 0)).isEqualTo(0x86dd);
        assertThat(b.reset().rawIp().ipv4(SRC, DST).tcp(1, 2).length()).isEqualTo(40);
        assertThat(b.reset().nullLoopback(ByteOrder.LITTLE_ENDIAN).ipv4(SRC, DST).tcp(1, 2).length()).isEqualTo(44);
        assertThat(b.frameArray()[0]).isEqualTo((byte)2);
        assertThat(b.reset().nullLoopback(ByteOrder.BIG_ENDIAN).ipv6("::1", "::2").tcp(1, 2).length()).isEqualTo(64);
        assertThat(b.frameArray()[3]).isEqualTo((byte)24);
        assertThat(b.reset().loop().ipv4(SRC, DST).tcp(1, 2).length()).isEqualTo(44);
        assertThat(b.frameArray()[3]).isEqualTo((byte)2);
        assertThat(b.reset().ethernet().arp(1, 0x020000000001L, SRC, 0, DST).padTo(60).length()).isEqualTo(60);
        assertThat(u16(b.frameArray(), 12)).isEqualTo(0x0806);
        assertThatThrownBy(() -> new PacketBuilder().rawIp().arp(1, 0, 0, 0, 0).build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldWriteIntoCallerBuffersWithoutChangingBytes()
    {
        final PacketBuilder b = new PacketBuilder().ipv4(SRC, DST).tcp(1, 2).payloadZeros(3);
        final byte[] built = b.build();
        final byte[] dst = new byte[100];
        assertThat(b.writeTo(dst, 10)).isEqualTo(built.length);
        final ByteBuffer bb = ByteBuffer.allocate(100);
        b.writeTo(bb);
        assertThat(bb.position()).isEqualTo(built.length);
        for (int i = 0; i < built.length; i++)
        {
            assertThat(dst[10 + i]).isEqualTo(built[i]);
            assertThat(bb.get(i)).isEqualTo(built[i]);
        }
    }

    @Test
    void shouldBeAcceptedByTcpdumpWithCorrectChecksums() throws Exception
    {
        Assumptions.assumeTrue(Tcpdump.available(), "tcpdump not installed");
        final Path file = tmp.resolve("builder.pcap");
        final PacketBuilder b = new PacketBuilder();
        final PacketBuilder inner = new PacketBuilder();
        int n = 0;
        try (PcapWriter w = PcapWriter.open(file, LinkType.ETHERNET))
        {
            final byte[][] frames = {
                b.reset().ipv4(SRC, DST).tcp(40000, 23).mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7).build(),
                b.reset().vlan(10).ipv4(SRC, DST).tcp(443, 5555).flags(PacketBuilder.SYN | PacketBuilder.ACK).seq(1).ack(2).build(),
                b.reset().qinq(20, 30).ipv4(SRC, DST).udp(5353, 53).payload(new byte[] {1, 2, 3}).build(),
                b.reset().ipv4(SRC, DST).icmp(8, 0).echo(1, 1).payloadZeros(7).build(),
                b.reset().ipv4(SRC, DST).icmp(11, 0).quote(inner.reset().ipv4(DST, SRC).tcp(1234, 80), 28).build(),
                b.reset().ipv6("2001:db8::1", "2001:db8:dead::2").tcp(1, 22).mss(1440).build(),
                b.reset().ipv6("2001:db8::1", "2001:db8:dead::2").udp(1, 123).payloadZeros(48).build(),
                b.reset().ipv6("2001:db8::1", "2001:db8:dead::2").hopByHop().destinationOptions().icmpv6(128, 0).echo(5, 6).build(),
                b.reset().ipv6("2001:db8::1", "2001:db8:dead::2").icmpv6(1, 4)
                    .quote(inner.reset().ipv6("2001:db8:dead::2", "2001:db8::1").udp(7, 8).payloadZeros(10), 1232).build(),
            };
            for (final byte[] f : frames)
            {
                w.write(1_700_000_000_000_000_000L + n++ * 1000L, f, 0, f.length);
            }
        }
        final List<String> lines = Tcpdump.run(file, "-nn", "-vv");
        final String all = String.join("\n", lines);
        assertThat(all).doesNotContain("incorrect").doesNotContain("bad cksum").doesNotContain("bad udp cksum")
            .doesNotContain("wrong icmp cksum").doesNotContain("bad icmp6 cksum");
        assertThat(all.split("cksum 0x[0-9a-f]+ \\(correct\\)", -1).length - 1).isGreaterThanOrEqualTo(3);
        assertThat(Tcpdump.count(file, null)).isEqualTo(n);
        assertThat(Tcpdump.count(file, "vlan")).isEqualTo(2);
        assertThat(Tcpdump.count(file, "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn")).isEqualTo(1);
    }
}
