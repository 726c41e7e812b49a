package io.nightjar.sensor.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer, single-consumer ring of captured packets in one off-heap buffer: the hand-over
 * from a live capture thread (which only copies) to the pipeline's thread (which decodes, classifies
 * and counts), so that a burst that the pipeline cannot take at once waits here instead of being
 * dropped by the kernel, and the capture thread goes back to the interface at once.
 *
 * <p>Records are 8-byte aligned: {@code int capturedLength, int wireLength, long timestampNanos,
 * int linkType, int 0}, then the bytes. A record that does not fit before the end of the buffer is
 * preceded by a padding marker and starts at index 0 (as in Agrona's {@code OneToOneRingBuffer}).
 * Positions only grow; the producer publishes its tail and the consumer its head with release
 * stores, each reads the other's with acquire loads, and each keeps a cached copy so that the
 * shared lines are read once per batch, not per packet. Nothing is allocated per packet.
 *
 * <p>Threads: {@link #offer} from one producer thread, {@link #drain}/{@link #peekTimestamp} from
 * one consumer thread; the counters may be read from any thread.
 */
public final class PacketRing
{
    private static final int HEADER = 24;
    private static final int PADDING = -1;

    private final ByteBuffer buffer;
    private final int capacity;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    /** Producer's own: its next write position and its last view of the consumer's head. */
    private long producerTail;
    private long headCache;
    /** Consumer's own. */
    private long consumerHead;
    private long tailCache;
    private volatile long rejected;

    /** A ring of {@code capacityBytes}, rounded up to a power of two (at least 64 KiB). */
    public PacketRing(final int capacityBytes)
    {
        if (capacityBytes <= 0 || capacityBytes > 1 << 30)
        {
            throw new IllegalArgumentException("ring capacity must be 1 byte .. 1 GiB: " + capacityBytes);
        }
        final int size = Math.max(1 << 16, Integer.highestOneBit(capacityBytes - 1) << 1);
        this.capacity = size;
        this.mask = size - 1;
        this.buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * Copies one packet in. Returns false (and counts it in {@link #rejected()}) when the ring has no
     * room or the packet is larger than half the ring; the caller counts that as a capture drop.
     */
    public boolean offer(final byte[] packet, final int capturedLength, final int wireLength, final long timestampNanos,
                         final int linkType)
    {
        final int length = Math.min(capturedLength, packet.length);
        final int record = align(HEADER + length);
        if (record > capacity / 2)
        {
            rejected++;
            return false;
        }
        long t = producerTail;
        int index = (int)(t & mask);
        final int toEnd = capacity - index;
        final int needed = record <= toEnd ? record : toEnd + record;
        if (t + needed - headCache > capacity)
        {
            headCache = head.getAcquire();
            if (t + needed - headCache > capacity)
            {
                rejected++;
                return false;
            }
        }
        if (record > toEnd)
        {
            buffer.putInt(index, PADDING);
            t += toEnd;
            index = 0;
        }
        buffer.putInt(index, length);
        buffer.putInt(index + 4, wireLength);
        buffer.putLong(index + 8, timestampNanos);
        buffer.putInt(index + 16, linkType);
        buffer.putInt(index + 20, 0);
        buffer.put(index + HEADER, packet, 0, length);
        producerTail = t + record;
        tail.setRelease(producerTail);
        return true;
    }

    /**
     * Delivers up to {@code maxPackets} packets to {@code handler}, oldest first, and frees their
     * room. Returns how many were delivered (0 when the ring is empty).
     */
    public int drain(final PacketHandler handler, final int maxPackets)
    {
        return drain(handler, maxPackets, Long.MAX_VALUE);
    }

    /**
     * As {@link #drain(PacketHandler, int)}, stopping before the first packet whose timestamp is
     * above {@code maxTimestampNanos} (it stays in the ring): the merge of several interfaces takes a
     * slice of one ring only as far as it knows no other interface can still hand over older packets.
     */
    public int drain(final PacketHandler handler, final int maxPackets, final long maxTimestampNanos)
    {
        long h = consumerHead;
        if (h == tailCache)
        {
            tailCache = tail.getAcquire();
            if (h == tailCache)
            {
                return 0;
            }
        }
        final long t = tailCache;
        int delivered = 0;
        while (h < t && delivered < maxPackets)
        {
            final int index = (int)(h & mask);
            final int length = buffer.getInt(index);
            if (length == PADDING)
            {
                h += capacity - index;
                continue;
            }
            final long timestampNanos = buffer.getLong(index + 8);
            if (timestampNanos > maxTimestampNanos)
            {
                break;
            }
            handler.onPacket(buffer, index + HEADER, length, buffer.getInt(index + 4), timestampNanos, buffer.getInt(index + 16));
            h += align(HEADER + length);
            delivered++;
        }
        consumerHead = h;
        head.setRelease(h);
        return delivered;
    }

    /**
     * The timestamp of the oldest packet waiting, or {@link Long#MAX_VALUE} if none is: lets the
     * consumer of several rings take packets in time order. Consumer thread only.
     */
    public long peekTimestamp()
    {
        long h = consumerHead;
        if (h == tailCache)
        {
            tailCache = tail.getAcquire();
            if (h == tailCache)
            {
                return Long.MAX_VALUE;
            }
        }
        int index = (int)(h & mask);
        if (buffer.getInt(index) == PADDING)
        {
            h += capacity - index;
            consumerHead = h;
            head.setRelease(h);
            if (h == tailCache)
            {
                return Long.MAX_VALUE;
            }
            index = 0;
        }
        return buffer.getLong(index + 8);
    }

    /** Whether packets are waiting (any thread; a snapshot). */
    public boolean isEmpty()
    {
        return head.get() == tail.get();
    }

    /** Bytes in use (any thread; a snapshot). */
    public long usedBytes()
    {
        return tail.get() - head.get();
    }

    /** The ring's size in bytes. */
    public int capacity()
    {
        return capacity;
    }

    /** Packets refused because the ring was full (written by the producer, read by anyone). */
    public long rejected()
    {
        return rejected;
    }

    private static int align(final int length)
    {
        return (length + 7) & ~7;
    }
}
