package io.nightjar.sensor.decode;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.generate.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

import static io.nightjar.sensor.generate.PacketBuilder.ACK;
import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoder's fast path gives every field the general path gives, on common frames and on
 * mutated ones (flipped header bytes, cut captures, odd wire lengths, either buffer byte order),
 * decoding into a packet that still holds another frame's fields.
 */
class PacketDecoderFastPathTest
{
    private static final int MUTATIONS = 40_000;

    private final PacketBuilder b = new PacketBuilder();

    private List<byte[]> frames()
    {
        final List<byte[]> frames = new ArrayList<>();
        frames.add(b.reset().ethernet().ipv4("192.0.2.7", "198.51.100.9").id(54321).ttl(51).tcp(40000, 23).seq(0x0102_0304).flags(SYN).window(65535).build());
        frames.add(b.reset().ethernet().ipv4("192.0.2.8", "198.51.100.10").ttl(64).dontFragment(true).tcp(51234, 443).seq(7).flags(SYN)
            .window(64240).mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7).build());
        frames.add(b.reset().ethernet().ipv4("203.0.113.5", "198.51.100.11").tcp(80, 3333).seq(99).ack(100).flags(SYN | ACK).window(29200).mss(1400).build());
        frames.add(b.reset().ethernet().ipv4("203.0.113.6", "198.51.100.12").tcp(80, 3334).flags(PacketBuilder.RST).build());
        frames.add(b.reset().ethernet().ipv4("192.0.2.9", "198.51.100.13").udp(5353, 5060).payloadZeros(30).build());
        frames.add(b.reset().ethernet().ipv4("192.0.2.10", "198.51.100.14").udp(1234, 53).padTo(60).build());
        frames.add(b.reset().ethernet().ipv4("192.0.2.11", "198.51.100.15").icmp(8, 0).echo(1, 2).build());
        frames.add(b.reset().ethernet().ipv4("192.0.2.12", "198.51.100.16").ipv4Options(new byte[] {1, 1, 1, 0}).tcp(1, 2).flags(SYN).build());
        frames.add(b.reset().ethernet().ipv4("192.0.2.13", "198.51.100.17").moreFragments(true).udp(1, 2).build());
        frames.add(b.reset().ethernet().vlan(10).ipv4("192.0.2.14", "198.51.100.18").tcp(1, 2).flags(SYN).build());
        frames.add(b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").tcp(1, 2).flags(SYN).mss(1220).build());
        return frames;
    }

    @Test
    void shouldGiveTheGeneralPathsFieldsOnCommonAndMutatedFrames() throws IllegalAccessException
    {
        final PacketDecoder fast = new PacketDecoder(true);
        final PacketDecoder general = new PacketDecoder(false);
        final List<byte[]> frames = frames();
        // a frame whose decoding sets most fields: each fast decode starts from its leftovers
        final byte[] stale = b.reset().ethernet().ipv4("203.0.113.1", "198.51.100.1").icmp(3, 3)
            .quote(new PacketBuilder().ipv4("198.51.100.1", "192.0.2.99").udp(53, 4444), 64).build();
        final SplittableRandom random = new SplittableRandom(17);
        final DecodedPacket expected = new DecodedPacket();
        final DecodedPacket actual = new DecodedPacket();
        int fastFrames = 0;
        for (int n = 0; n < MUTATIONS; n++)
        {
            final byte[] frame = frames.get(random.nextInt(frames.size())).clone();
            int cap = frame.length;
            int wire = frame.length;
            if (n >= frames.size())
            {
                final int flips = random.nextInt(4);
                for (int i = 0; i < flips; i++)
                {
                    frame[random.nextInt(Math.min(frame.length, 64))] = (byte)random.nextInt(256);
                }
                if (random.nextInt(4) == 0)
                {
                    cap = random.nextInt(frame.length + 1);
                }
                if (random.nextInt(4) == 0)
                {
                    wire = Math.max(cap, frame.length) + random.nextInt(-8, 40);
                }
            }
            final ByteOrder order = random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            // the frame at an offset inside a larger buffer, as in a capture file
            final ByteBuffer buffer = ByteBuffer.allocate(frame.length + 16).order(order);
            buffer.put(5, frame);
            general.decode(buffer, 5, cap, wire, LinkType.ETHERNET, 1000L + n, expected);
            fast.decode(ByteBuffer.wrap(stale), 0, stale.length, stale.length, LinkType.ETHERNET, 1, actual);
            fast.decode(buffer, 5, cap, wire, LinkType.ETHERNET, 1000L + n, actual);
            assertSameFields(actual, expected, n);
            if (fast.decodeCommon(buffer, 5, cap, wire, 1000L + n, new DecodedPacket()))
            {
                fastFrames++;
            }
        }
        // both paths were taken often
        assertThat(fastFrames).isBetween(MUTATIONS / 10, MUTATIONS * 9 / 10);
    }

    private static void assertSameFields(final DecodedPacket actual, final DecodedPacket expected, final int n) throws IllegalAccessException
    {
        for (final Field f : DecodedPacket.class.getDeclaredFields())
        {
            if (Modifier.isStatic(f.getModifiers()))
            {
                continue;
            }
            final Object a = f.get(actual);
            final Object e = f.get(expected);
            assertThat(Objects.equals(a, e)).as("frame %d: field %s is %s, general path %s", n, f.getName(), a, e).isTrue();
        }
    }
}
