package io.nightjar.wire.events;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * A primitive open-addressing map from an event key (a 128-bit address as two longs, a 64-bit
 * {@code tag} and a 32-bit {@code tag2} that hold the rest of the key, e.g. protocol and port, and
 * traffic class) to a non-negative {@code int} value: the detectors' index of their open events, without a key object, boxing or
 * map node per lookup (the habit of Agrona's {@code Int2IntHashMap}).
 *
 * <p>Layout: each slot is four consecutive longs of one array (32 bytes, two slots per cache line),
 * {@code hi}, {@code lo}, {@code tag} and {@code tag2 << 32 | (value + 1)}; a low word of 0 marks
 * an empty slot. Linear probing; the capacity is a power of two, doubled when the table is more
 * than {@value #LOAD_PERCENT}% full; removal shifts later entries of the cluster back (no
 * tombstones), so lookups never slow down with churn.
 *
 * <p>Single-threaded: owned by the one thread that feeds its detector.
 */
final class EventKeyTable
{
    /** Returned by {@link #get} and {@link #remove} when the key is absent. */
    static final int MISSING = -1;
    private static final int LOAD_PERCENT = 60;
    private static final int STRIDE = 4;

    private long[] slots;
    private int mask;
    private int size;
    private int resizeAt;

    /** @param initialCapacity expected entries (rounded up to a power of two of slots, at least 16). */
    EventKeyTable(final int initialCapacity)
    {
        int capacity = 16;
        while (capacity * (long)LOAD_PERCENT / 100 < initialCapacity)
        {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    private void allocate(final int capacity)
    {
        slots = new long[capacity * STRIDE];
        mask = capacity - 1;
        resizeAt = (int)(capacity * (long)LOAD_PERCENT / 100);
    }

    /** The key's hash, spread over all bits (the slot is its low bits). */
    static int hash(final long hi, final long lo, final long tag, final int tag2)
    {
        long h = hi * 0x9E3779B97F4A7C15L;
        h = (h ^ lo) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ tag) * 0x165667B19E3779F9L;
        h = (h ^ tag2) * 0x9E3779B97F4A7C15L;
        return (int)(h ^ h >>> 32);
    }

    /**
     * The slot holding the key, or, if it is absent, the bitwise complement ({@code ~slot}) of the
     * empty slot where it would go: the one probe loop of get, put and remove.
     */
    private int slotOf(final long hi, final long lo, final long tag, final int tag2)
    {
        final long[] s = slots;
        final int m = mask;
        int i = hash(hi, lo, tag, tag2) & m;
        while (true)
        {
            final int at = i * STRIDE;
            final long meta = s[at + 3];
            if ((int)meta == 0)
            {
                return ~i;
            }
            if (s[at + 1] == lo && s[at] == hi && s[at + 2] == tag && (int)(meta >>> 32) == tag2)
            {
                return i;
            }
            i = (i + 1) & m;
        }
    }

    /**
     * Reads the key's home slot and changes nothing: a caller about to look up many keys touches them
     * all first, so that their cache misses overlap instead of coming one after another.
     *
     * @return the sum of the slot's first and last words, only so that the loads are not optimised away.
     */
    long touch(final long hi, final long lo, final long tag, final int tag2)
    {
        // both ends: every other 32-byte slot straddles two cache lines (the array's data starts 16 bytes into a line)
        final int at = (hash(hi, lo, tag, tag2) & mask) * STRIDE;
        return slots[at] + slots[at + 3];
    }

    /** The value in occupied slot {@code i}. */
    private int valueAt(final int i)
    {
        return (int)slots[i * STRIDE + 3] - 1;
    }

    /** The value of the key, or {@link #MISSING}. */
    int get(final long hi, final long lo, final long tag, final int tag2)
    {
        final int i = slotOf(hi, lo, tag, tag2);
        return i < 0 ? MISSING : valueAt(i);
    }

    /**
     * Maps the key to {@code value} (0 .. {@code Integer.MAX_VALUE - 1}), replacing any previous value.
     *
     * @return the previous value, or {@link #MISSING}.
     */
    int put(final long hi, final long lo, final long tag, final int tag2, final int value)
    {
        if (value < 0 || value == Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("value out of range: " + value);
        }
        final int i = slotOf(hi, lo, tag, tag2);
        final long meta = (long)tag2 << 32 | (value + 1L);
        if (i >= 0)
        {
            final int previous = valueAt(i);
            slots[i * STRIDE + 3] = meta;
            return previous;
        }
        final int at = ~i * STRIDE;
        slots[at] = hi;
        slots[at + 1] = lo;
        slots[at + 2] = tag;
        slots[at + 3] = meta;
        if (++size > resizeAt)
        {
            grow();
        }
        return MISSING;
    }

    /**
     * Removes the key.
     *
     * @return its value, or {@link #MISSING} if it was absent.
     */
    int remove(final long hi, final long lo, final long tag, final int tag2)
    {
        final int i = slotOf(hi, lo, tag, tag2);
        if (i < 0)
        {
            return MISSING;
        }
        final int value = valueAt(i);
        shiftBack(i);
        size--;
        return value;
    }

    /** Empties slot {@code hole} and moves later entries of its cluster into holes before their home slots. */
    private void shiftBack(int hole)
    {
        final long[] s = slots;
        final int m = mask;
        int i = hole;
        while (true)
        {
            i = (i + 1) & m;
            final int at = i * STRIDE;
            final long meta = s[at + 3];
            if ((int)meta == 0)
            {
                break;
            }
            final int home = hash(s[at], s[at + 1], s[at + 2], (int)(meta >>> 32)) & m;
            // the entry may move to the hole if its home is not cyclically within (hole, i]
            if (((i - home) & m) >= ((i - hole) & m))
            {
                final int to = hole * STRIDE;
                s[to] = s[at];
                s[to + 1] = s[at + 1];
                s[to + 2] = s[at + 2];
                s[to + 3] = meta;
                hole = i;
            }
        }
        final int to = hole * STRIDE;
        s[to] = 0;
        s[to + 1] = 0;
        s[to + 2] = 0;
        s[to + 3] = 0;
    }

    private void grow()
    {
        final long[] old = slots;
        allocate((mask + 1) * 2);
        final long[] s = slots;
        final int m = mask;
        for (int at = 0; at < old.length; at += STRIDE)
        {
            final long meta = old[at + 3];
            if ((int)meta != 0)
            {
                int i = hash(old[at], old[at + 1], old[at + 2], (int)(meta >>> 32)) & m;
                while ((int)s[i * STRIDE + 3] != 0)
                {
                    i = (i + 1) & m;
                }
                s[i * STRIDE] = old[at];
                s[i * STRIDE + 1] = old[at + 1];
                s[i * STRIDE + 2] = old[at + 2];
                s[i * STRIDE + 3] = meta;
            }
        }
    }

    /** Entries. */
    int size()
    {
        return size;
    }

    /** Slots (for tests of growth). */
    int capacity()
    {
        return mask + 1;
    }

    /** Removes every entry (keeps the capacity). */
    void clear()
    {
        Arrays.fill(slots, 0);
        size = 0;
    }

    /** Calls {@code visitor} with every value, in slot order. */
    void forEachValue(final IntConsumer visitor)
    {
        final long[] s = slots;
        for (int at = 0; at < s.length; at += STRIDE)
        {
            final long meta = s[at + 3];
            if ((int)meta != 0)
            {
                visitor.accept((int)meta - 1);
            }
        }
    }
}
