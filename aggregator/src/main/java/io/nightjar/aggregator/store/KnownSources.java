package io.nightjar.aggregator.store;

import java.util.Arrays;

/**
 * A bounded set of source addresses known to be in {@code sources} (or in the transaction being
 * built), so that the writer looks up and inserts only the sources it has not seen: a primitive
 * open-addressing table of (hi, lo) pairs, linear probing, no object per entry. When it reaches
 * its load limit it is cleared (the sources it forgets cost one geo lookup and one ignored
 * insert each when they come back). Keys are the address's two 64-bit halves in any fixed byte
 * order; (0, 0) is tracked apart.
 *
 * <p>Single writer: the store's writer thread only.
 */
final class KnownSources
{
    private final long[] keys;
    private final int mask;
    private final int limit;
    private int size;
    private boolean zero;

    /** A set of {@code 2^log2Slots} slots (16 bytes each), cleared past 70 % full. */
    KnownSources(final int log2Slots)
    {
        final int slots = 1 << log2Slots;
        this.keys = new long[slots * 2];
        this.mask = slots - 1;
        this.limit = (int)(slots * 0.7);
    }

    /** Adds (hi, lo); returns true if it was not there. */
    boolean add(final long hi, final long lo)
    {
        if (hi == 0 && lo == 0)
        {
            final boolean added = !zero;
            zero = true;
            return added;
        }
        if (size >= limit)
        {
            clear();
        }
        final long[] k = keys;
        int slot = hash(hi, lo) & mask;
        while (true)
        {
            final int i = slot << 1;
            final long h = k[i];
            final long l = k[i + 1];
            if (h == 0 && l == 0)
            {
                k[i] = hi;
                k[i + 1] = lo;
                size++;
                return true;
            }
            if (h == hi && l == lo)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Forgets everything (after a rollback: some entries were never committed). */
    void clear()
    {
        Arrays.fill(keys, 0);
        size = 0;
        zero = false;
    }

    int size()
    {
        return size + (zero ? 1 : 0);
    }

    private static int hash(final long hi, final long lo)
    {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h *= 0xBF58476D1CE4E5B9L;
        return (int)(h ^ (h >>> 31) ^ (h >>> 47));
    }
}
