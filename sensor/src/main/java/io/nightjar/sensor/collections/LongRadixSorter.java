package io.nightjar.sensor.collections;

/**
 * Sorts non-negative {@code long} keys ascending by least-significant-digit radix sort (11-bit
 * digits, one histogram pass for all digits, digits on which every key agrees skipped), and removes
 * duplicates. Linear in the keys and sequential in memory, so it replaces a random-access hash set
 * where the distinct values are needed only once in a while (at a bin's close, at a run's end).
 *
 * <p>Holds only its histogram (48 KiB); the caller owns the key and scratch arrays. Allocates
 * nothing per call. Single-threaded: one owner thread per instance.
 */
public final class LongRadixSorter
{
    private static final int DIGIT_BITS = 11;
    private static final int RADIX = 1 << DIGIT_BITS;
    private static final int DIGITS = (63 + DIGIT_BITS - 1) / DIGIT_BITS;

    private final int[] counts = new int[DIGITS * RADIX];

    /**
     * Sorts {@code keys[0 .. n)} (all non-negative) using {@code scratch} (at least {@code n} long).
     *
     * @return the array holding the sorted keys: {@code keys} or {@code scratch}.
     */
    public long[] sort(final long[] keys, final long[] scratch, final int n)
    {
        return sort(keys, 0, scratch, n);
    }

    /**
     * Sorts {@code keys[from .. from + n)} (all non-negative) using {@code scratch} (at least {@code n} long).
     *
     * @return where the sorted keys are: {@code keys} (at {@code from}) or {@code scratch} (at 0).
     */
    public long[] sort(final long[] keys, final int from, final long[] scratch, final int n)
    {
        final int[] c = counts;
        java.util.Arrays.fill(c, 0);
        for (int i = from; i < from + n; i++)
        {
            final long k = keys[i];
            for (int d = 0; d < DIGITS; d++)
            {
                c[d * RADIX + ((int)(k >>> (d * DIGIT_BITS)) & (RADIX - 1))]++;
            }
        }
        long[] src = keys;
        int srcFrom = from;
        long[] dst = scratch;
        int dstFrom = 0;
        for (int d = 0; d < DIGITS; d++)
        {
            final int base = d * RADIX;
            if (constantDigit(c, base, n))
            {
                continue;
            }
            int sum = dstFrom;
            for (int b = 0; b < RADIX; b++)
            {
                final int count = c[base + b];
                c[base + b] = sum;
                sum += count;
            }
            final int shift = d * DIGIT_BITS;
            for (int i = srcFrom; i < srcFrom + n; i++)
            {
                final long k = src[i];
                dst[c[base + ((int)(k >>> shift) & (RADIX - 1))]++] = k;
            }
            final long[] t = src;
            src = dst;
            dst = t;
            final int f = srcFrom;
            srcFrom = dstFrom;
            dstFrom = f;
        }
        return src;
    }

    private static boolean constantDigit(final int[] c, final int base, final int n)
    {
        for (int b = 0; b < RADIX; b++)
        {
            final int count = c[base + b];
            if (count != 0)
            {
                return count == n;
            }
        }
        return true;
    }

    /** Removes adjacent duplicates of the sorted {@code keys[0 .. n)} in place; returns the new length. */
    public static int unique(final long[] keys, final int n)
    {
        return unique(keys, 0, n);
    }

    /** Removes adjacent duplicates of the sorted {@code keys[from .. from + n)} in place (kept from {@code from}); returns the new length. */
    public static int unique(final long[] keys, final int from, final int n)
    {
        if (n == 0)
        {
            return 0;
        }
        int m = from + 1;
        long last = keys[from];
        for (int i = from + 1; i < from + n; i++)
        {
            final long k = keys[i];
            if (k != last)
            {
                keys[m++] = k;
                last = k;
            }
        }
        return m - from;
    }
}
