package io.nightjar.sensor.decode;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.generate.PacketBuilder;
import io.nightjar.wire.schema.Anomaly;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SYN option walk against a byte-by-byte reference written from RFC 9293's option format (kind;
 * kinds 0 and 1 are one byte; the others carry a length byte counting kind and length), on random
 * option blocks, cut captures and frames at the very end of their buffer.
 */
class TcpOptionsTest
{
    private static final int ETH_IP = 14 + 20;

    /** What the reference finds in the options of the TCP header at {@code tcp} (captured {@code available} bytes of it). */
    private record Expected(long kinds, int count, int mss, int windowScale, boolean malformed, boolean snaplen)
    {
        static Expected of(final byte[] f, final int tcp, final int headerLength, final int available)
        {
            final int end = Math.min(available, headerLength);
            long kinds = 0;
            int count = 0;
            int mss = -1;
            int ws = -1;
            boolean malformed = false;
            boolean snaplen = false;
            int pos = 20;
            while (pos < end)
            {
                final int kind = f[tcp + pos] & 0xff;
                if (count < 8)
                {
                    kinds = kinds << 8 | kind;
                    count++;
                }
                if (kind == 0)
                {
                    break;
                }
                if (kind == 1)
                {
                    pos++;
                    continue;
                }
                if (pos + 1 >= end)
                {
                    break;
                }
                final int len = f[tcp + pos + 1] & 0xff;
                if (len < 2)
                {
                    malformed = true;
                    break;
                }
                if (pos + len > end)
                {
                    // cut by the capture when the header's end is the capture's end, else longer than the header
                    if (end == available)
                    {
                        snaplen = true;
                    }
                    else
                    {
                        malformed = true;
                    }
                    break;
                }
                if (kind == 2 && len == 4)
                {
                    mss = (f[tcp + pos + 2] & 0xff) << 8 | f[tcp + pos + 3] & 0xff;
                }
                else if (kind == 3 && len == 3)
                {
                    ws = f[tcp + pos + 2] & 0xff;
                }
                pos += len;
            }
            return new Expected(kinds, count, mss, ws, malformed, snaplen || available < headerLength);
        }
    }

    @Test
    void shouldWalkRandomOptionBlocksAsTheReferenceDoes()
    {
        final SplittableRandom random = new SplittableRandom(23);
        final PacketBuilder b = new PacketBuilder();
        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket p = new DecodedPacket();
        final int[] common = {0, 1, 2, 3, 4, 8, 30, 254};
        int withMss = 0;
        for (int n = 0; n < 20_000; n++)
        {
            final byte[] options = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < options.length; i++)
            {
                options[i] = (byte)(random.nextInt(3) == 0 ? random.nextInt(256) : common[random.nextInt(common.length)]);
            }
            final byte[] frame = b.reset().ethernet().ipv4("192.0.2.1", "198.51.100.2").tcp(1234, 80).flags(SYN).tcpOption(options).build();
            final int headerLength = ((frame[ETH_IP + 12] & 0xff) >>> 4) * 4;
            final int cap = random.nextInt(4) == 0 ? ETH_IP + 14 + random.nextInt(headerLength - 13) : frame.length;
            // the frame at the end of its buffer (no bytes after it) or inside a larger one
            final int at = random.nextBoolean() ? 0 : 7;
            final ByteBuffer buffer = ByteBuffer.allocate(at + cap + (random.nextBoolean() ? 0 : 64))
                .order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            buffer.put(at, frame, 0, cap);
            decoder.decode(buffer, at, cap, frame.length, LinkType.ETHERNET, 1, p);
            final Expected e = Expected.of(frame, ETH_IP, headerLength, cap - ETH_IP);
            assertThat(new Expected(p.tcpOptionKinds, p.tcpOptionCount, p.tcpMss, p.tcpWindowScale,
                p.has(Anomaly.TCP_OPTION_MALFORMED), p.has(Anomaly.SNAPLEN_TRUNCATED)))
                .as("options %s, %d of %d bytes captured", java.util.Arrays.toString(options), cap, frame.length)
                .isEqualTo(e);
            if (e.mss() >= 0)
            {
                withMss++;
            }
        }
        assertThat(withMss).isGreaterThan(100);
    }
}
