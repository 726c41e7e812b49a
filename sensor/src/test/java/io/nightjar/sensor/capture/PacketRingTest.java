package io.nightjar.sensor.capture;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-over ring: order, contents and lengths kept across wrap-arounds, a full ring refuses and counts. */
class PacketRingTest
{
    private record Seen(int length, int wire, long ts, int link, byte first, byte last)
    {
    }

    private static List<Seen> drainAll(final PacketRing ring)
    {
        final List<Seen> seen = new ArrayList<>();
        while (ring.drain((b, off, len, wire, ts, link) -> seen.add(new Seen(len, wire, ts, link, b.get(off), b.get(off + len - 1))), 7) > 0)
        {
            // until empty
        }
        return seen;
    }

    @Test
    void packetsComeOutInOrderWithTheirFieldsAcrossManyWrapArounds()
    {
        final PacketRing ring = new PacketRing(1 << 16);
        final Random random = new Random(5);
        long next = 0;
        long expected = 0;
        for (int round = 0; round < 200; round++)
        {
            final int n = 1 + random.nextInt(200);
            for (int i = 0; i < n; i++)
            {
                final int len = 2 + random.nextInt(1500);
                final byte[] p = new byte[len];
                p[0] = (byte)next;
                p[len - 1] = (byte)(next >> 8);
                if (!ring.offer(p, len, len + 3, next * 1000, 1))
                {
                    break;
                }
                next++;
            }
            for (final Seen s : drainAll(ring))
            {
                assertThat(s.ts()).isEqualTo(expected * 1000);
                assertThat(s.wire()).isEqualTo(s.length() + 3);
                assertThat(s.link()).isEqualTo(1);
                assertThat(s.first()).isEqualTo((byte)expected);
                assertThat(s.last()).isEqualTo((byte)(expected >> 8));
                expected++;
            }
        }
        assertThat(expected).isEqualTo(next).isGreaterThan(10_000);
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void aFullRingRefusesAndCountsUntilItIsDrained()
    {
        final PacketRing ring = new PacketRing(1 << 16);
        final byte[] p = new byte[1000];
        int accepted = 0;
        while (ring.offer(p, p.length, p.length, accepted, 1))
        {
            accepted++;
        }
        assertThat(accepted).isEqualTo((1 << 16) / 1024);
        assertThat(ring.offer(p, p.length, p.length, 0, 1)).isFalse();
        assertThat(ring.rejected()).isEqualTo(2);
        assertThat(drainAll(ring)).hasSize(accepted);
        assertThat(ring.offer(p, p.length, p.length, 0, 1)).isTrue();
    }

    @Test
    void peekGivesTheOldestTimestampOrMaxWhenEmpty()
    {
        final PacketRing ring = new PacketRing(1 << 16);
        assertThat(ring.peekTimestamp()).isEqualTo(Long.MAX_VALUE);
        ring.offer(new byte[60], 60, 60, 42, 1);
        ring.offer(new byte[60], 60, 60, 43, 1);
        assertThat(ring.peekTimestamp()).isEqualTo(42);
        ring.drain((b, off, len, wire, ts, link) -> { }, 1);
        assertThat(ring.peekTimestamp()).isEqualTo(43);
    }

    @Test
    void aDrainUpToATimestampLeavesNewerPacketsInTheRing()
    {
        final PacketRing ring = new PacketRing(1 << 16);
        for (long ts = 10; ts <= 50; ts += 10)
        {
            ring.offer(new byte[60], 60, 60, ts, 1);
        }
        final List<Long> seen = new ArrayList<>();
        assertThat(ring.drain((b, off, len, wire, ts, link) -> seen.add(ts), 100, 30)).isEqualTo(3);
        assertThat(seen).containsExactly(10L, 20L, 30L);
        assertThat(ring.peekTimestamp()).isEqualTo(40);
        assertThat(ring.drain((b, off, len, wire, ts, link) -> seen.add(ts), 100, 39)).isZero();
        assertThat(ring.drain((b, off, len, wire, ts, link) -> seen.add(ts), 1, Long.MAX_VALUE)).isEqualTo(1);
        assertThat(seen).containsExactly(10L, 20L, 30L, 40L);
    }
}
