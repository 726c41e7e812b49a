package io.nightjar.sensor.collections;

import java.util.Arrays;

/**
 * A set of non-negative {@code long} values kept as an append-only log that is sorted and
 * deduplicated ({@link LongRadixSorter}) when it fills up and when the distinct values are asked
 * for. Adding is a sequential store, not a random probe of a large hash table: the structure for
 * per-packet "remember this pair" work whose distinct values are read once per bin or run.
 *
 * <p>The log grows by doubling (allocation only while it grows) up to room for twice
 * {@code maxDistinct} values, so that after a compaction at least half of it is free. Once
 * at least {@code maxDistinct} distinct values are held (checked at each compaction), new values are refused ({@link #add} returns false)
 * until {@link #clear}; values already held are still recognised.
 *
 * <p>Single writer, single thread: the owner's.
 */
public final class DistinctLongLog
{
    private final LongRadixSorter sorter = new LongRadixSorter();
    private final int maxDistinct;
    private final int maxLength;
    private long[] log;
    private long[] scratch;
    private int size;
    private boolean compacted = true;
    private boolean full;

    /**
     * @param initialLength values held before the first compaction (rounded up to a power of two).
     * @param maxDistinct   the most distinct values held (positive).
     */
    public DistinctLongLog(final int initialLength, final int maxDistinct)
    {
        if (maxDistinct < 1 || initialLength < 1)
        {
            throw new IllegalArgumentException("sizes must be positive");
        }
        this.maxDistinct = maxDistinct;
        this.maxLength = (int)Math.min(1 << 30, Long.highestOneBit((long)maxDistinct * 2 - 1) << 1);
        final int length = Math.min(maxLength, Math.max(16, Integer.highestOneBit(Math.max(1, initialLength - 1)) << 1));
        log = new long[length];
        scratch = new long[0];
    }

    /**
     * Adds {@code value} (non-negative).
     *
     * @return false if the log holds {@code maxDistinct} distinct values and {@code value} is not one of them.
     */
    public boolean add(final long value)
    {
        if ((full || size == log.length) && !makeRoom())
        {
            return Arrays.binarySearch(log, 0, size, value) >= 0;
        }
        log[size++] = value;
        compacted = false;
        return true;
    }

    private boolean makeRoom()
    {
        if (full)
        {
            return false;
        }
        compact();
        if (size >= maxDistinct)
        {
            full = true;
            return false;
        }
        if (size * 2 > log.length && log.length < maxLength)
        {
            log = Arrays.copyOf(log, log.length * 2);
        }
        return size < log.length;
    }

    /** Sorts and deduplicates the log; returns the number of distinct values, then in {@link #values()}[0 .. n). */
    public int compact()
    {
        if (compacted)
        {
            return size;
        }
        if (scratch.length < log.length)
        {
            scratch = new long[log.length];
        }
        final long[] sorted = sorter.sort(log, scratch, size);
        if (sorted != log)
        {
            scratch = log;
            log = sorted;
        }
        size = LongRadixSorter.unique(log, size);
        compacted = true;
        return size;
    }

    /** The distinct values ascending, valid in {@code [0, compact())} until the next {@link #add}. */
    public long[] values()
    {
        compact();
        return log;
    }

    /** Whether values were refused since the last {@link #clear}. */
    public boolean full()
    {
        return full;
    }

    /** Empties the log, keeping its memory. */
    public void clear()
    {
        size = 0;
        compacted = true;
        full = false;
    }
}
