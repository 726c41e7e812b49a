package io.nightjar.sensor.classify;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.decode.DecodedPacket;
import io.nightjar.sensor.decode.PacketDecoder;
import io.nightjar.sensor.generate.PacketBuilder;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;

import static io.nightjar.sensor.generate.PacketBuilder.ACK;
import static io.nightjar.sensor.generate.PacketBuilder.FIN;
import static io.nightjar.sensor.generate.PacketBuilder.PSH;
import static io.nightjar.sensor.generate.PacketBuilder.RST;
import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/** Hand-built packets for every class, fingerprint and near miss. */
class ClassifierTest
{
    private static final String SRC = "192.0.2.7";
    private static final String DST = "198.51.100.9";
    private final PacketBuilder b = new PacketBuilder();
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket p = new DecodedPacket();

    private TrafficClass classOf(final byte[] frame)
    {
        return classOf(frame, LinkType.ETHERNET);
    }

    private TrafficClass classOf(final byte[] frame, final int linkType)
    {
        decoder.decode(ByteBuffer.wrap(frame), 0, frame.length, frame.length, linkType, 0, p);
        return TrafficClass.ofId(Classifier.classify(p));
    }

    private int fingerprintOf(final byte[] frame)
    {
        final TrafficClass c = classOf(frame);
        return Classifier.fingerprint(p, c.id());
    }

    @Test
    void shouldCallSynWithoutAckATcpScan()
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).tcp(40000, 23).flags(SYN).build())).isEqualTo(TrafficClass.TCP_SCAN);
        assertThat(classOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8:dead::9").tcp(40000, 22).flags(SYN).build()))
            .isEqualTo(TrafficClass.TCP_SCAN);
    }

    @Test
    void shouldCallSynAckAndRstBackscatter()
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).tcp(80, 40000).flags(SYN | ACK).build())).isEqualTo(TrafficClass.BACKSCATTER);
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).tcp(80, 40000).flags(RST).build())).isEqualTo(TrafficClass.BACKSCATTER);
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).tcp(80, 40000).flags(RST | ACK).build())).isEqualTo(TrafficClass.BACKSCATTER);
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).tcp(80, 40000).flags(SYN | RST).build()))
            .as("RST wins over SYN").isEqualTo(TrafficClass.BACKSCATTER);
    }

    @Test
    void shouldCallOtherTcpSegmentsTcpOther()
    {
        for (final int flags : new int[] {ACK, FIN, FIN | ACK, PSH | ACK, 0, FIN | PSH | 0x20})
        {
            assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).tcp(1234, 80).flags(flags).build()))
                .as("flags %x", flags).isEqualTo(TrafficClass.TCP_OTHER);
        }
    }

    @Test
    void shouldCallUdpAProbe()
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).udp(5353, 53).build())).isEqualTo(TrafficClass.UDP_PROBE);
        assertThat(classOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").udp(5353, 123).build())).isEqualTo(TrafficClass.UDP_PROBE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 5, 11, 12, 14, 16, 18})
    void shouldCallIcmpRepliesAndErrorsBackscatter(final int type)
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).icmp(type, 0).build())).isEqualTo(TrafficClass.BACKSCATTER);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 13, 15, 17, 9, 10, 1, 2, 6, 7, 19, 30, 42, 255})
    void shouldCallOtherIcmpTypesProbes(final int type)
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).icmp(type, 0).build())).isEqualTo(TrafficClass.ICMP_PROBE);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 129})
    void shouldCallIcmpv6ErrorsAndEchoReplyBackscatter(final int type)
    {
        assertThat(classOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").icmpv6(type, 0).build()))
            .isEqualTo(TrafficClass.BACKSCATTER);
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 133, 135, 136, 0, 5, 127, 130, 200})
    void shouldCallOtherIcmpv6TypesProbes(final int type)
    {
        assertThat(classOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").icmpv6(type, 0).build()))
            .isEqualTo(TrafficClass.ICMP_PROBE);
    }

    @Test
    void shouldCallIpv4FragmentsFragmentsWhateverTheyCarry()
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).moreFragments(true).tcp(1, 23).flags(SYN).build()))
            .as("first fragment, MF set").isEqualTo(TrafficClass.FRAGMENT);
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).fragmentOffset(185).udp(1, 53).build()))
            .as("last fragment, offset only").isEqualTo(TrafficClass.FRAGMENT);
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).dontFragment(true).tcp(1, 23).flags(SYN).build()))
            .as("DF alone is no fragment").isEqualTo(TrafficClass.TCP_SCAN);
    }

    @Test
    void shouldCallIpv6WithFragmentHeaderAFragment()
    {
        assertThat(classOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").fragmentHeader(0, true, 7).udp(1, 53).build()))
            .isEqualTo(TrafficClass.FRAGMENT);
    }

    @Test
    void shouldSkipIpv6ExtensionHeadersToFindTheTransport()
    {
        final byte[] frame = b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").hopByHop().destinationOptions()
            .routing(0, 0, new byte[16]).tcp(5, 443).flags(SYN).build();
        assertThat(classOf(frame)).isEqualTo(TrafficClass.TCP_SCAN);
        assertThat(p.dstPort).isEqualTo(443);
        assertThat(p.ipv6Extensions).isTrue();
    }

    @Test
    void shouldCallOtherProtocolsOther()
    {
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).ipPayload(47).build())).isEqualTo(TrafficClass.OTHER);
        assertThat(classOf(b.reset().ethernet().ipv4(SRC, DST).ipPayload(50).build())).isEqualTo(TrafficClass.OTHER);
        assertThat(classOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").ipPayload(59).build())).isEqualTo(TrafficClass.OTHER);
    }

    @Test
    void shouldCallArpNonIp()
    {
        assertThat(classOf(b.reset().ethernet().arp(1, 0x020000000001L, 0xc0000207, 0, 0xc6336409).build())).isEqualTo(TrafficClass.NON_IP);
        assertThat(p.fatal).isNull();
    }

    @Test
    void shouldCallUnsupportedLinkTypesNonIpAndCountThem()
    {
        final byte[] frame = b.reset().ethernet().ipv4(SRC, DST).tcp(1, 2).build();
        assertThat(classOf(frame, 127)).isEqualTo(TrafficClass.NON_IP);
        assertThat(p.has(Anomaly.UNSUPPORTED_LINK_TYPE)).isTrue();
    }

    @Test
    void shouldRecogniseZmapIdOnEveryIpv4Probe()
    {
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(SRC, DST).id(54321).tcp(1, 80).flags(SYN).build()) & ScannerTool.ZMAP.bit()).isNotZero();
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(SRC, DST).id(54321).udp(1, 53).build())).isEqualTo(ScannerTool.ZMAP.bit());
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(SRC, DST).id(54321).icmp(8, 0).echo(1, 1).build())).isEqualTo(ScannerTool.ZMAP.bit());
    }

    @Test
    void shouldNotRecogniseZmapOnNearMisses()
    {
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(SRC, DST).id(54320).udp(1, 53).build())).as("other id").isZero();
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(SRC, DST).id(54321).tcp(80, 1).flags(SYN | ACK).build()))
            .as("backscatter is out of scope").isZero();
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(SRC, DST).id(54321).tcp(80, 1).flags(ACK).build()))
            .as("tcp_other is out of scope").isZero();
    }

    @Test
    void shouldRecogniseMasscanIdFromDestinationPortAndSequence()
    {
        final int dst = 0xc6336409; // 198.51.100.9
        final int seq = 0x12345678;
        final int port = 3389;
        final int id = (dst ^ port ^ seq) & 0xffff;
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(id).tcp(61000, port).seq(seq).flags(SYN).build()))
            .isEqualTo(ScannerTool.MASSCAN.bit());
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(id ^ 1).tcp(61000, port).seq(seq).flags(SYN).build()))
            .as("id off by one bit").isZero();
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(id).tcp(61000, port + 1).seq(seq).flags(SYN).build()))
            .as("other port").isZero();
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(id).tcp(port, 61000).seq(seq).flags(SYN | ACK).build()))
            .as("not a SYN scan").isZero();
    }

    @Test
    void shouldRecogniseMiraiSequenceEqualToDestination()
    {
        final int dst = 0xc6336409;
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(777).tcp(40000, 23).seq(dst).flags(SYN).build()))
            .isEqualTo(ScannerTool.MIRAI.bit());
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(777).tcp(40000, 23).seq(dst + 1).flags(SYN).build()))
            .as("seq one off").isZero();
        assertThat(fingerprintOf(b.reset().ethernet().ipv4(0xc0000207, dst).id(777).tcp(40000, 23).seq(dst).flags(ACK).build()))
            .as("not a SYN").isZero();
    }

    @Test
    void shouldNeverFingerprintIpv6()
    {
        assertThat(fingerprintOf(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").tcp(1, 23).seq(0).flags(SYN).build())).isZero();
    }

    @Test
    void shouldAttributeOnlyWithTenMatchesAndNinetyPercent()
    {
        assertThat(ScannerTool.attributes(10, 11)).isTrue();
        assertThat(ScannerTool.attributes(9, 9)).as("too few").isFalse();
        assertThat(ScannerTool.attributes(89, 100)).as("below 90%").isFalse();
        assertThat(ScannerTool.attributes(90, 100)).isTrue();
        assertThat(ScannerTool.attributes(1, 1)).as("chance single match").isFalse();
    }
}
