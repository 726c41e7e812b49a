package io.nightjar.sensor.decode;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Classifier;
import io.nightjar.sensor.generate.PacketBuilder;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/** Link layers, header fields, snaplen cuts and named anomalies on hand-built frames. */
class PacketDecoderTest
{
    private final PacketBuilder b = new PacketBuilder();
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket p = new DecodedPacket();

    private DecodedPacket decode(final byte[] frame, final int linkType)
    {
        return decode(frame, frame.length, frame.length, linkType);
    }

    private DecodedPacket decode(final byte[] frame, final int cap, final int wire, final int linkType)
    {
        decoder.decode(ByteBuffer.wrap(frame), 0, cap, wire, linkType, 123, p);
        return p;
    }

    private TrafficClass cls()
    {
        return TrafficClass.ofId(Classifier.classify(p));
    }

    @Test
    void shouldDecodeEveryTcpFieldAndSynOptions()
    {
        final byte[] f = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").ttl(47).id(4242)
            .tcp(40001, 8080).seq(0xdeadbeef).flags(SYN).window(29200).mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7)
            .build();
        decode(f, LinkType.ETHERNET);
        assertThat(p.fatal).isNull();
        assertThat(p.ipVersion).isEqualTo(4);
        assertThat(Addresses.toString(p.srcHi, p.srcLo)).isEqualTo("192.0.2.7");
        assertThat(Addresses.toString(p.dstHi, p.dstLo)).isEqualTo("198.51.100.9");
        assertThat(p.ttl).isEqualTo(47);
        assertThat(p.ipId).isEqualTo(4242);
        assertThat(p.srcPort).isEqualTo(40001);
        assertThat(p.dstPort).isEqualTo(8080);
        assertThat(p.tcpSeq).isEqualTo(0xdeadbeef);
        assertThat(p.tcpWindow).isEqualTo(29200);
        assertThat(p.tcpMss).isEqualTo(1460);
        assertThat(p.tcpWindowScale).isEqualTo(7);
        assertThat(io.nightjar.wire.schema.FlowRecord.optionSignature(p.tcpOptionKinds, p.tcpOptionCount, p.tcpMss, p.tcpWindowScale))
            .isEqualTo("M1460,S,T,N,W7");
    }

    @Test
    void shouldSkipVlanAndQinqTags()
    {
        decode(b.reset().ethernet().vlan(100).ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).build(), LinkType.ETHERNET);
        assertThat(p.vlanTags).isEqualTo(1);
        assertThat(cls()).isEqualTo(TrafficClass.TCP_SCAN);
        assertThat(p.bpfNetwork).as("BPF 'ip' does not look inside tags").isZero();
        decode(b.reset().ethernet().qinq(10, 20).ipv6("2001:db8::1", "2001:db8::2").udp(1, 53).build(), LinkType.ETHERNET);
        assertThat(p.vlanTags).isEqualTo(2);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
    }

    @Test
    void shouldDecodeEveryLinkType()
    {
        decode(b.reset().sll().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).build(), LinkType.LINUX_SLL);
        assertThat(cls()).isEqualTo(TrafficClass.TCP_SCAN);
        decode(b.reset().sll2().ipv6("2001:db8::1", "2001:db8::2").tcp(1, 23).build(), LinkType.LINUX_SLL2);
        assertThat(cls()).isEqualTo(TrafficClass.TCP_SCAN);
        decode(b.reset().rawIp().ipv4("192.0.2.7", "198.51.100.9").udp(1, 53).build(), LinkType.RAW);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
        decode(b.reset().rawIp().ipv6("2001:db8::1", "2001:db8::2").udp(1, 53).build(), LinkType.RAW);
        assertThat(p.ipVersion).isEqualTo(6);
        decode(b.reset().rawIp().ipv4("192.0.2.7", "198.51.100.9").udp(1, 53).build(), LinkType.IPV4);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
        decode(b.reset().rawIp().ipv6("2001:db8::1", "2001:db8::2").udp(1, 53).build(), LinkType.IPV6);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
        decode(b.reset().nullLoopback(ByteOrder.LITTLE_ENDIAN).ipv4("192.0.2.7", "198.51.100.9").udp(1, 53).build(), LinkType.NULL);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
        decode(b.reset().nullLoopback(ByteOrder.BIG_ENDIAN).ipv6("2001:db8::1", "2001:db8::2").udp(1, 53).build(), LinkType.NULL);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
        decode(b.reset().loop().ipv4("192.0.2.7", "198.51.100.9").udp(1, 53).build(), LinkType.LOOP);
        assertThat(cls()).isEqualTo(TrafficClass.UDP_PROBE);
    }

    @Test
    void shouldReadAbsoluteBigEndianWhateverTheBufferOrder()
    {
        final byte[] f = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(40001, 8080).seq(7).build();
        decoder.decode(ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN), 0, f.length, f.length, LinkType.ETHERNET, 0, p);
        assertThat(p.dstPort).isEqualTo(8080);
        assertThat(p.tcpSeq).isEqualTo(7);
    }

    @Test
    void shouldDecodeAtAnOffsetInsideALargerBuffer()
    {
        final byte[] f = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").udp(1, 161).build();
        final byte[] big = new byte[f.length + 100];
        System.arraycopy(f, 0, big, 37, f.length);
        decoder.decode(ByteBuffer.wrap(big), 37, f.length, f.length, LinkType.ETHERNET, 0, p);
        assertThat(p.dstPort).isEqualTo(161);
    }

    @Test
    void shouldClassifyASynCutBySnaplenWhenFlagsArePresent()
    {
        final byte[] f = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 23).flags(SYN).mss(1460).windowScale(2).build();
        decode(f, 14 + 20 + 14, f.length, LinkType.ETHERNET);
        assertThat(cls()).isEqualTo(TrafficClass.TCP_SCAN);
        assertThat(p.dstPort).isEqualTo(23);
        assertThat(p.tcpWindow).as("window not captured").isEqualTo(-1);
        assertThat(p.has(Anomaly.SNAPLEN_TRUNCATED)).isTrue();
        decode(f, 14 + 20 + 13, f.length, LinkType.ETHERNET);
        assertThat(cls()).as("flags cut off").isEqualTo(TrafficClass.MALFORMED);
        assertThat(p.fatal).isEqualTo(Anomaly.TCP_HEADER_TRUNCATED);
    }

    @Test
    void shouldNameEachMalformation()
    {
        assertThat(fatalOf(b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").versionOverride(5).tcp(1, 2).build()))
            .isEqualTo(Anomaly.IP_BAD_VERSION);
        assertThat(fatalOf(b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").ihlOverride(4).tcp(1, 2).build()))
            .isEqualTo(Anomaly.IPV4_IHL_TOO_SMALL);
        assertThat(fatalOf(b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").totalLengthOverride(12).tcp(1, 2).build()))
            .isEqualTo(Anomaly.IPV4_TOTAL_LENGTH_BELOW_HEADER);
        assertThat(fatalOf(b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").totalLengthOverride(1500).tcp(1, 2).build()))
            .isEqualTo(Anomaly.IP_LENGTH_ABOVE_FRAME);
        assertThat(fatalOf(b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 2).dataOffsetOverride(3).build()))
            .isEqualTo(Anomaly.TCP_BAD_DATA_OFFSET);
        final byte[] tcp = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").tcp(1, 2).build();
        decode(tcp, 14 + 20 + 8, 14 + 20 + 8, LinkType.ETHERNET);
        assertThat(p.fatal).as("packet itself ends inside the TCP header").isEqualTo(Anomaly.IP_LENGTH_ABOVE_FRAME);
        decode(tcp, 14 + 10, tcp.length, LinkType.ETHERNET);
        assertThat(p.fatal).isEqualTo(Anomaly.IPV4_HEADER_TRUNCATED);
        decode(tcp, 10, tcp.length, LinkType.ETHERNET);
        assertThat(p.fatal).isEqualTo(Anomaly.LINK_HEADER_TRUNCATED);
        final byte[] v6 = b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build();
        decode(v6, 14 + 30, v6.length, LinkType.ETHERNET);
        assertThat(p.fatal).isEqualTo(Anomaly.IPV6_HEADER_TRUNCATED);
        final byte[] udp = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").udp(1, 2).build();
        decode(udp, 14 + 20 + 2, udp.length, LinkType.ETHERNET);
        assertThat(p.fatal).isEqualTo(Anomaly.UDP_HEADER_TRUNCATED);
        final byte[] icmp = b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").icmp(8, 0).build();
        decode(icmp, 14 + 20 + 1, icmp.length, LinkType.ETHERNET);
        assertThat(p.fatal).isEqualTo(Anomaly.ICMP_HEADER_TRUNCATED);
        assertThat(TrafficClass.ofId(Classifier.classify(p))).isEqualTo(TrafficClass.MALFORMED);
    }

    private Anomaly fatalOf(final byte[] frame)
    {
        decode(frame, LinkType.ETHERNET);
        assertThat(cls()).isEqualTo(TrafficClass.MALFORMED);
        return p.fatal;
    }

    @Test
    void shouldReadTheQuotedHeaderOfIcmpErrors()
    {
        final PacketBuilder inner = new PacketBuilder().rawIp().ipv4("198.51.100.9", "203.0.113.5").tcp(40000, 443).flags(SYN);
        final byte[] f = b.reset().ethernet().ipv4("203.0.113.1", "198.51.100.9").icmp(3, 3).quote(inner, 28).build();
        decode(f, LinkType.ETHERNET);
        assertThat(cls()).isEqualTo(TrafficClass.BACKSCATTER);
        assertThat(p.hasQuote).isTrue();
        assertThat(Addresses.toString(p.quotedDstHi, p.quotedDstLo)).isEqualTo("203.0.113.5");
        assertThat(Addresses.toString(p.quotedSrcHi, p.quotedSrcLo)).isEqualTo("198.51.100.9");
        assertThat(p.quotedProtocol).isEqualTo(6);
        assertThat(p.quotedDstPort).isEqualTo(443);

        final PacketBuilder inner6 = new PacketBuilder().rawIp().ipv6("2001:db8:dead::9", "2001:db8:beef::5").udp(5353, 53);
        decode(b.reset().ethernet().ipv6("2001:db8:beef::1", "2001:db8:dead::9").icmpv6(1, 4).quote(inner6, 48).build(), LinkType.ETHERNET);
        assertThat(cls()).isEqualTo(TrafficClass.BACKSCATTER);
        assertThat(Addresses.toString(p.quotedDstHi, p.quotedDstLo)).isEqualTo("2001:db8:beef::5");
        assertThat(p.quotedDstPort).isEqualTo(53);
    }

    @Test
    void shouldCountAMissingQuoteButStillClassify()
    {
        decode(b.reset().ethernet().ipv4("203.0.113.1", "198.51.100.9").icmp(11, 0).build(), LinkType.ETHERNET);
        assertThat(cls()).isEqualTo(TrafficClass.BACKSCATTER);
        assertThat(p.hasQuote).isFalse();
        assertThat(p.has(Anomaly.ICMP_QUOTE_TRUNCATED)).isTrue();
    }

    @Test
    void shouldNeverThrowOrReadOutsideTheFrameOnRandomBytes()
    {
        final Random random = new Random(42);
        final int[] linkTypes = {LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL,
            LinkType.LOOP, LinkType.IPV4, LinkType.IPV6, LinkType.PPP, LinkType.C_HDLC, 105};
        final byte[] seed = b.reset().ethernet().vlan(3).ipv4("192.0.2.7", "198.51.100.9").icmp(3, 1)
            .quote(new PacketBuilder().rawIp().ipv4("198.51.100.9", "203.0.113.5").tcp(1, 2), 28).build();
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] f;
            if (i % 2 == 0)
            {
                f = new byte[random.nextInt(120)];
                random.nextBytes(f);
            }
            else
            {
                f = seed.clone();
                for (int k = random.nextInt(6); k >= 0; k--)
                {
                    f[random.nextInt(f.length)] = (byte)random.nextInt(256);
                }
            }
            final int cap = f.length == 0 ? 0 : random.nextInt(f.length + 1);
            // the buffer's limit is the captured length: a read past it would throw
            final ByteBuffer buffer = ByteBuffer.wrap(f, 0, cap).slice();
            decoder.decode(buffer, 0, cap, f.length + random.nextInt(3), linkTypes[random.nextInt(linkTypes.length)], 0, p);
            final int c = Classifier.classify(p);
            assertThat(c).isBetween(0, TrafficClass.COUNT - 1);
        }
    }
}
