package io.nightjar.sensor.collections;

import io.nightjar.wire.sketch.DistinctSketch;

import java.util.Arrays;

/**
 * Numbers distinct 128-bit addresses 0, 1, 2, ... in order of first appearance: an open-addressing
 * hash map from (hi, lo) to an int index, with linear probing. Grows by doubling. Single-threaded.
 */
public final class AddressIndex
{
    private long[] keys; // pairs hi, lo
    private int[] values; // index + 1, 0 = empty
    private long[] byIndex; // pairs hi, lo by index
    private int mask;
    private int size;

    /** An index with room for {@code expected} addresses before it grows. */
    public AddressIndex(final int expected)
    {
        final int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity * 2];
        values = new int[capacity];
        byIndex = new long[Math.max(16, expected) * 2];
        mask = capacity - 1;
    }

    /** The index of (hi, lo), adding it if new. */
    public int indexOf(final long hi, final long lo)
    {
        int i = (int)DistinctSketch.mix64(hi * 31 + lo) & mask;
        while (true)
        {
            final int v = values[i];
            if (v == 0)
            {
                break;
            }
            if (keys[2 * i] == hi && keys[2 * i + 1] == lo)
            {
                return v - 1;
            }
            i = (i + 1) & mask;
        }
        if (size * 2 >= values.length)
        {
            grow();
            return indexOf(hi, lo);
        }
        keys[2 * i] = hi;
        keys[2 * i + 1] = lo;
        values[i] = size + 1;
        if (byIndex.length < 2 * (size + 1))
        {
            byIndex = Arrays.copyOf(byIndex, byIndex.length * 2);
        }
        byIndex[2 * size] = hi;
        byIndex[2 * size + 1] = lo;
        return size++;
    }

    private void grow()
    {
        final int capacity = values.length * 2;
        keys = new long[capacity * 2];
        values = new int[capacity];
        mask = capacity - 1;
        for (int index = 0; index < size; index++)
        {
            final long hi = byIndex[2 * index];
            final long lo = byIndex[2 * index + 1];
            int i = (int)DistinctSketch.mix64(hi * 31 + lo) & mask;
            while (values[i] != 0)
            {
                i = (i + 1) & mask;
            }
            keys[2 * i] = hi;
            keys[2 * i + 1] = lo;
            values[i] = index + 1;
        }
    }

    /** Number of distinct addresses. */
    public int size()
    {
        return size;
    }

    /** High bits of the address with this index. */
    public long hi(final int index)
    {
        return byIndex[2 * index];
    }

    /** Low bits of the address with this index. */
    public long lo(final int index)
    {
        return byIndex[2 * index + 1];
    }
}
