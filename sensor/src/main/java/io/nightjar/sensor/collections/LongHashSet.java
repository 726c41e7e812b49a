package io.nightjar.sensor.collections;

import io.nightjar.wire.sketch.DistinctSketch;

/**
 * A set of {@code long} values other than {@link Long#MIN_VALUE} (the empty marker): open
 * addressing, linear probing, grows by doubling. Single-threaded.
 */
public final class LongHashSet
{
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private int mask;
    private int size;

    /** A set with room for {@code expected} values before it grows. */
    public LongHashSet(final int expected)
    {
        final int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    /** Adds {@code value}; returns true if it was not present. */
    public boolean add(final long value)
    {
        if (value == EMPTY)
        {
            throw new IllegalArgumentException("Long.MIN_VALUE cannot be stored");
        }
        int i = (int)DistinctSketch.mix64(value) & mask;
        while (true)
        {
            final long k = keys[i];
            if (k == value)
            {
                return false;
            }
            if (k == EMPTY)
            {
                break;
            }
            i = (i + 1) & mask;
        }
        if (size * 2 >= keys.length)
        {
            grow();
            return add(value);
        }
        keys[i] = value;
        size++;
        return true;
    }

    private void grow()
    {
        final long[] old = keys;
        keys = new long[old.length * 2];
        java.util.Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        for (final long k : old)
        {
            if (k != EMPTY)
            {
                int i = (int)DistinctSketch.mix64(k) & mask;
                while (keys[i] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
            }
        }
    }

    /** Number of values. */
    public int size()
    {
        return size;
    }
}
