package io.nightjar.wire.events;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ids of a detector's open items by the slice of data time their last packet fell in
 * ({@code width} wide), as append-only int lists: an item whose last packet moves to a later slice
 * is appended there and its old entry is left behind, to be skipped when that slice is visited
 * (the owner keeps each item's current slice and says which entries are current). Moving an item
 * costs one sequential write, and touches no other item, unlike a linked list whose neighbours must
 * be relinked (cache misses that JFR put at a quarter of the scan detector's time).
 *
 * <p>One thread (the detector's).
 */
final class SliceLists
{
    /** The ids of one slice, in the order they were appended (stale entries included). */
    static final class Slice
    {
        final long index;
        int[] ids = new int[64];
        int size;

        Slice(final long index)
        {
            this.index = index;
        }

        void add(final int id)
        {
            if (size == ids.length)
            {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }
    }

    private final TreeMap<Long, Slice> slices = new TreeMap<>();
    private final long width;
    private Slice last;

    /** Slices {@code width} wide (at least 1). */
    SliceLists(final long width)
    {
        this.width = Math.max(1, width);
    }

    /** The slice index of data time {@code micros}. */
    long sliceOf(final long micros)
    {
        return Math.floorDiv(micros, width);
    }

    /** Appends {@code id} to slice {@code index}. */
    void add(final long index, final int id)
    {
        Slice s = last;
        if (s == null || s.index != index)
        {
            s = slices.get(index);
            if (s == null)
            {
                s = new Slice(index);
                slices.put(index, s);
            }
            last = s;
        }
        s.add(id);
    }

    /**
     * The oldest slice that began more than {@code gapMicros} before {@code nowMicros} (its items may
     * have ended), or null. The caller visits its ids, keeps those still open in it with
     * {@link #retain}, and asks again: each call returns the next such slice.
     */
    Slice nextExpired(final long nowMicros, final long gapMicros, final Slice after)
    {
        final Map.Entry<Long, Slice> e = after == null ? slices.firstEntry() : slices.higherEntry(after.index);
        if (e == null || nowMicros - e.getKey() * width <= gapMicros)
        {
            return null;
        }
        return e.getValue();
    }

    /** Keeps the first {@code size} ids of {@code s} (the caller compacted them); drops the slice if none remain. */
    void retain(final Slice s, final int size)
    {
        s.size = size;
        if (size == 0)
        {
            slices.remove(s.index);
            if (last == s)
            {
                last = null;
            }
        }
    }

    /** Forgets every slice. */
    void clear()
    {
        slices.clear();
        last = null;
    }

}
