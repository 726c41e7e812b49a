package io.nightjar.wire.sketch;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DistinctSketchTest
{
    private static int addressHash(final long i)
    {
        // distinct IPv4-mapped addresses 10.0.0.0 + i
        return DistinctSketch.hashAddress(0, 0x0000_ffff_0a00_0000L + i);
    }

    @Test
    void shouldCountExactlyUpToTheExactLimitAndIgnoreDuplicates()
    {
        final DistinctSketch s = new DistinctSketch();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < DistinctSketch.EXACT_LIMIT; i++)
            {
                s.add(addressHash(i));
            }
        }
        assertThat(s.isExact()).isTrue();
        assertThat(s.estimate()).isEqualTo(DistinctSketch.EXACT_LIMIT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1_500, 10_000, 65_536, 300_000, 2_000_000})
    void shouldEstimateWithinTwoPercentPastTheExactLimit(final int n)
    {
        final DistinctSketch s = new DistinctSketch();
        for (int i = 0; i < n; i++)
        {
            s.add(addressHash(i));
        }
        assertThat(s.isExact()).isFalse();
        assertThat((double)s.estimate()).isCloseTo(n, org.assertj.core.data.Percentage.withPercentage(2));
    }

    @Test
    void shouldMergeOverlappingSetsAsTheirUnion()
    {
        final DistinctSketch a = new DistinctSketch();
        final DistinctSketch b = new DistinctSketch();
        for (int i = 0; i < 600; i++)
        {
            a.add(addressHash(i));
        }
        for (int i = 300; i < 900; i++)
        {
            b.add(addressHash(i));
        }
        a.merge(b);
        assertThat(a.estimate()).as("exact union").isEqualTo(900);

        final DistinctSketch big1 = new DistinctSketch();
        final DistinctSketch big2 = new DistinctSketch();
        for (int i = 0; i < 50_000; i++)
        {
            big1.add(addressHash(i));
            big2.add(addressHash(i + 25_000));
        }
        big1.merge(big2);
        assertThat((double)big1.estimate()).isCloseTo(75_000, org.assertj.core.data.Percentage.withPercentage(2));
        big1.merge(a);
        assertThat((double)big1.estimate()).isCloseTo(75_000, org.assertj.core.data.Percentage.withPercentage(2));
    }

    @Test
    void shouldRoundTripBothForms()
    {
        final DistinctSketch small = new DistinctSketch();
        final DistinctSketch large = new DistinctSketch();
        for (int i = 0; i < 5000; i++)
        {
            if (i < 77)
            {
                small.add(addressHash(i));
            }
            large.add(addressHash(i));
        }
        assertThat(DistinctSketch.fromBytes(small.toBytes()).estimate()).isEqualTo(77);
        assertThat(DistinctSketch.fromBytes(large.toBytes()).estimate()).isEqualTo(large.estimate());
    }

    @Test
    void shouldRejectCorruptBytesWithAClearMessage()
    {
        assertThatThrownBy(() -> DistinctSketch.fromBytes(new byte[] {9, 1, 2})).hasMessageContaining("not a distinct sketch");
        assertThatThrownBy(() -> DistinctSketch.fromBytes(new byte[] {1, 5, 0, 0, 0})).hasMessageContaining("corrupt exact sketch");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void shouldGiveTheSameSketchWhenRunsAreAddedAllAtOnceAsOneByOne(final long seed)
    {
        // runs of 0..300 hashes, most sorted and unique (merged), some not (added one by one), with
        // overlaps, until the union passes the exact limit and switches to HyperLogLog
        final java.util.Random rnd = new java.util.Random(seed);
        final DistinctSketch merged = new DistinctSketch();
        final DistinctSketch single = new DistinctSketch();
        boolean wasExactAndBig = false;
        for (int run = 0; run < 40; run++)
        {
            final int k = rnd.nextInt(300);
            final java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
            while (set.size() < k)
            {
                set.add(addressHash(rnd.nextInt(3000)));
            }
            final int[] hashes = new int[k + 2];
            int i = 1;
            for (final int h : set)
            {
                hashes[i++] = h;
            }
            if (run % 5 == 4 && k > 1)
            {
                final int t = hashes[1];
                hashes[1] = hashes[k];
                hashes[k] = t;
            }
            merged.addAll(hashes, 1, k + 1);
            for (int j = 1; j <= k; j++)
            {
                single.add(hashes[j]);
            }
            assertThat(merged.toBytes()).as("run %d", run).isEqualTo(single.toBytes());
            wasExactAndBig |= merged.isExact() && merged.estimate() > 500;
        }
        assertThat(wasExactAndBig).isTrue();
        assertThat(merged.isExact()).isFalse();
    }
}
