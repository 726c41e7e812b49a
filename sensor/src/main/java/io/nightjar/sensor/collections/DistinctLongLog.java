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
    /** {@code log[0 .. sortedSize)} is sorted and unique (compacted). */
    private int sortedSize;
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

    /**
     * Sorts and deduplicates the log; returns the number of distinct values, then in
     * {@link #values()}[0 .. n). Only the values added since the last compaction are sorted, then
     * merged with the sorted ones, so that compacting often (every bin) costs a linear pass.
     */
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
        final int tail = size - sortedSize;
        final long[] sorted = sorter.sort(log, sortedSize, scratch, tail);
        if (sortedSize == 0)
        {
            if (sorted != log)
            {
                scratch = log;
                log = sorted;
            }
            size = LongRadixSorter.unique(log, size);
        }
        else
        {
            if (sorted == log)
            {
                System.arraycopy(log, sortedSize, scratch, 0, tail);
            }
            size = mergeBackwards(log, sortedSize, scratch, LongRadixSorter.unique(scratch, tail));
        }
        sortedSize = size;
        compacted = true;
        return size;
    }

    /**
     * Merges the sorted unique {@code tail[0 .. m)} into the sorted unique {@code log[0 .. n)},
     * dropping duplicates, from the back (so that nothing is overwritten before it is read); returns
     * the merged length, moved to the front of {@code log}.
     */
    private static int mergeBackwards(final long[] log, final int n, final long[] tail, final int m)
    {
        int i = n - 1;
        int j = m - 1;
        int w = n + m;
        long last = -1;
        while (i >= 0 || j >= 0)
        {
            final long v = j < 0 || (i >= 0 && log[i] > tail[j]) ? log[i--] : tail[j--];
            if (v != last)
            {
                log[--w] = v;
                last = v;
            }
        }
        final int merged = n + m - w;
        System.arraycopy(log, w, log, 0, merged);
        return merged;
    }

    /**
     * Compacts when the values added since the last compaction are at least an eighth of the
     * distinct ones before, so that calling it after every batch of adds (a bin) keeps the next
     * {@link #compact()} short at an amortised linear cost.
     */
    public void compactIfWorthwhile()
    {
        if ((size - sortedSize) * 8L >= Math.max(sortedSize, 1 << 16))
        {
            compact();
        }
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
        sortedSize = 0;
        compacted = true;
        full = false;
    }
}
