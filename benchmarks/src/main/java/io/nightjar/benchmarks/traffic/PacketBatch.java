package io.nightjar.benchmarks.traffic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Pre-built frames held in memory for the micro-benchmarks: one big direct buffer (as the mmap'd
 * capture reader hands out, big-endian), an offsets array, and packet times as microseconds since
 * {@link DarknetTraffic#START_NANOS} (ints: 10M packets span about 400 s). Frame {@code i} is
 * {@code [offset(i), offset(i + 1))}.
 *
 * <p>Built once per benchmark trial; immutable afterwards and then safe to read from any thread.
 */
public final class PacketBatch
{
    private final ByteBuffer frames;
    private final int[] offsets;
    private final int[] timeMicros;
    private final int count;
    private final long spanNanos;

    private PacketBatch(final ByteBuffer frames, final int[] offsets, final int[] timeMicros, final int count)
    {
        this.frames = frames;
        this.offsets = offsets;
        this.timeMicros = timeMicros;
        this.count = count;
        this.spanNanos = (timeMicros[count - 1] + 1_000L) * 1_000L;
    }

    /**
     * Generates {@code count} frames of {@link DarknetTraffic} with {@code seed}.
     *
     * @throws IllegalArgumentException if the frames would not fit one buffer (about 25M packets).
     */
    public static PacketBatch generate(final int count, final long seed)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        final long maxBytes = (long)count * DarknetTraffic.MAX_FRAME_BYTES;
        final int capacity = (int)Math.min(Integer.MAX_VALUE - 8, maxBytes);
        final DarknetTraffic traffic = new DarknetTraffic(seed);
        final int[] offsets = new int[count + 1];
        final int[] times = new int[count];
        final byte[] chunk = new byte[1 << 20];
        // grow the direct buffer in steps; an exact size is known only at the end
        ByteBuffer frames = ByteBuffer.allocateDirect(Math.min(capacity, count * 80)).order(ByteOrder.BIG_ENDIAN);
        int used = 0;
        int pos = 0;
        for (int i = 0; i < count; i++)
        {
            if (used + DarknetTraffic.MAX_FRAME_BYTES > chunk.length)
            {
                frames = append(frames, chunk, used, capacity);
                used = 0;
            }
            offsets[i] = pos;
            final int len = traffic.next(chunk, used);
            used += len;
            pos += len;
            times[i] = (int)((traffic.timestampNanos() - DarknetTraffic.START_NANOS) / 1_000L);
        }
        frames = append(frames, chunk, used, capacity);
        offsets[count] = pos;
        return new PacketBatch(frames, offsets, times, count);
    }

    private static ByteBuffer append(final ByteBuffer frames, final byte[] chunk, final int length, final int capacity)
    {
        ByteBuffer f = frames;
        if (f.remaining() < length)
        {
            final long want = Math.min(capacity, Math.max((long)f.capacity() * 3 / 2, (long)f.position() + length));
            if (want < f.position() + length)
            {
                throw new IllegalArgumentException("frames do not fit one buffer");
            }
            final ByteBuffer bigger = ByteBuffer.allocateDirect((int)want).order(ByteOrder.BIG_ENDIAN);
            f.flip();
            bigger.put(f);
            f = bigger;
        }
        f.put(chunk, 0, length);
        return f;
    }

    /** The frames; use absolute reads only. */
    public ByteBuffer frames()
    {
        return frames;
    }

    /** Offsets of the frames in {@link #frames()}, {@code count() + 1} entries (the last is the end). */
    public int[] offsets()
    {
        return offsets;
    }

    /** Packet times, µs after {@link DarknetTraffic#START_NANOS}. */
    public int[] timeMicros()
    {
        return timeMicros;
    }

    /** Number of frames. */
    public int count()
    {
        return count;
    }

    /** Bytes of all frames. */
    public long bytes()
    {
        return offsets[count];
    }

    /** Time from the first to just after the last packet, ns: the shift to add per replay so time keeps increasing. */
    public long spanNanos()
    {
        return spanNanos;
    }
}
