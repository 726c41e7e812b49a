package io.nightjar.sensor.flow;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.generate.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static io.nightjar.sensor.generate.PacketBuilder.ACK;
import static io.nightjar.sensor.generate.PacketBuilder.RST;
import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decode-classify-flow path allocates nothing per packet after warm-up, measured with the
 * thread's allocated-bytes counter (HotSpot's ThreadMXBean extension).
 */
class PipelineAllocationTest
{
    private static final int FRAMES = 4096;

    @Test
    void shouldAllocateNothingPerPacketAfterWarmUp()
    {
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertThat(mx.isThreadAllocatedMemorySupported()).isTrue();
        mx.setThreadAllocatedMemoryEnabled(true);

        // a mix of every kind of packet, laid out in one buffer
        final PacketBuilder b = new PacketBuilder();
        final SplittableRandom random = new SplittableRandom(7);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(FRAMES * 128);
        final int[] offsets = new int[FRAMES];
        final int[] lengths = new int[FRAMES];
        for (int i = 0; i < FRAMES; i++)
        {
            final int src = 0x0a000000 + random.nextInt(2000);
            final int dst = 0xc6336400 + random.nextInt(256);
            switch (i % 8)
            {
                case 0, 1, 2 -> b.reset().ethernet().ipv4(src, dst).id(random.nextInt(65536)).tcp(40000, 1 + random.nextInt(1024)).flags(SYN).mss(1460);
                case 3 -> b.reset().ethernet().ipv4(src, dst).tcp(80, 40000).flags(random.nextBoolean() ? SYN | ACK : RST);
                case 4 -> b.reset().ethernet().vlan(5).ipv4(src, dst).udp(5000, 53 + random.nextInt(4));
                case 5 -> b.reset().ethernet().ipv4(src, dst).icmp(random.nextBoolean() ? 8 : 3, 0);
                case 6 -> b.reset().ethernet().ipv6(0x20010db8L << 32, src, 0x20010db8L << 32, dst).tcp(1, 22).flags(SYN);
                default -> b.reset().ethernet().ipv4(src, dst).ihlOverride(3).tcp(1, 2);
            }
            offsets[i] = buffer.position();
            lengths[i] = b.writeTo(buffer);
        }
        final long[] closed = new long[1];
        final FlowPipeline pipeline = new FlowPipeline(Darknet.parse("198.51.100.0/24,2001:db8::/32"), 60_000_000_000L,
            new FlowTable(1 << 16, 1 << 20, 1 << 22), (s, l, c, t) -> closed[0] += t.size());

        final long t0 = 1_700_000_000_000_000_000L;
        long ts = t0;
        // warm-up: JIT, and the tables reach the size this traffic needs (bins close every 60 s of packet time)
        for (int round = 0; round < 200; round++)
        {
            for (int i = 0; i < FRAMES; i++)
            {
                pipeline.onPacket(buffer, offsets[i], lengths[i], lengths[i], ts, LinkType.ETHERNET);
                ts += 1_000_000L;
            }
        }
        final int packets = 2_000_000;
        final long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int n = 0; n < packets; n++)
        {
            final int i = n & (FRAMES - 1);
            pipeline.onPacket(buffer, offsets[i], lengths[i], lengths[i], ts, LinkType.ETHERNET);
            ts += 1_000_000L;
        }
        final long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertThat(closed[0]).as("bins closed during the measurement").isPositive();
        assertThat((double)allocated / packets).as("bytes allocated per packet (%d in all)", allocated).isLessThan(0.01);
    }
}
