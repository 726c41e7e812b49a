package io.nightjar.sensor.collections;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class DistinctLongLogTest
{
    @Test
    void shouldSortNonNegativeKeysOfAnyWidth()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final LongRadixSorter sorter = new LongRadixSorter();
        for (final long bound : new long[] {1, 2, 1000, 1L << 32, 1L << 52, Long.MAX_VALUE})
        {
            final int n = 10_000;
            final long[] keys = new long[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = random.nextLong(bound);
            }
            final long[] expected = keys.clone();
            Arrays.sort(expected);
            final long[] sorted = sorter.sort(keys, new long[n], n);
            assertThat(sorted).as("bound %d", bound).isEqualTo(expected);
        }
    }

    @Test
    void shouldHoldExactlyTheDistinctValuesAcrossCompactionsAndGrowth()
    {
        final SplittableRandom random = new SplittableRandom(5);
        final DistinctLongLog log = new DistinctLongLog(16, 1_000_000);
        final TreeSet<Long> expected = new TreeSet<>();
        for (int i = 0; i < 200_000; i++)
        {
            final long v = random.nextLong(50_000) << 20 | random.nextInt(4);
            assertThat(log.add(v)).isTrue();
            expected.add(v);
        }
        final int n = log.compact();
        assertThat(n).isEqualTo(expected.size());
        assertThat(Arrays.copyOf(log.values(), n)).isEqualTo(expected.stream().mapToLong(Long::longValue).toArray());
        assertThat(log.full()).isFalse();

        log.clear();
        assertThat(log.compact()).isZero();
        log.add(7);
        log.add(7);
        assertThat(log.compact()).isEqualTo(1);
    }

    @Test
    void shouldMergeNewValuesIntoCompactedOnes()
    {
        final SplittableRandom random = new SplittableRandom(9);
        final DistinctLongLog log = new DistinctLongLog(1 << 10, 10_000_000);
        final TreeSet<Long> expected = new TreeSet<>();
        for (int round = 0; round < 300; round++)
        {
            final int adds = random.nextInt(5000);
            for (int i = 0; i < adds; i++)
            {
                final long v = random.nextInt(1 << 20) * (round % 3 == 0 ? 1L : 1L << 30);
                log.add(v);
                expected.add(v);
            }
            if (round % 2 == 0)
            {
                log.compactIfWorthwhile();
            }
            else
            {
                final int n = log.compact();
                assertThat(n).isEqualTo(expected.size());
                assertThat(Arrays.copyOf(log.values(), n)).isEqualTo(expected.stream().mapToLong(Long::longValue).toArray());
            }
        }
    }

    @Test
    void shouldRefuseNewValuesPastTheLimitButRecogniseHeldOnes()
    {
        final DistinctLongLog log = new DistinctLongLog(4, 100);
        for (long v = 0; v < 1000; v++)
        {
            log.add(v);
        }
        assertThat(log.full()).isTrue();
        final int held = log.compact();
        assertThat(held).isGreaterThanOrEqualTo(100).isLessThan(1000);
        assertThat(log.add(0)).isTrue();
        assertThat(log.add(5000)).isFalse();
        assertThat(log.compact()).isEqualTo(held);
    }
}
