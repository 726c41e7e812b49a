package io.nightjar.aggregator.store;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class KnownSourcesTest
{
    @Test
    void shouldAnswerNewOnlyTheFirstTimeAnAddressIsAdded()
    {
        final KnownSources set = new KnownSources(10);
        final Set<String> reference = new HashSet<>();
        final SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 600; i++)
        {
            // few distinct values, so that most adds are repeats; hi 0 with lo 0xffff.... as IPv4-mapped
            final long hi = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(4);
            final long lo = rnd.nextInt(200);
            assertThat(set.add(hi, lo)).as("add %d/%d", hi, lo).isEqualTo(reference.add(hi + "/" + lo));
        }
        assertThat(set.size()).isEqualTo(reference.size());
    }

    @Test
    void shouldKeepTheAllZeroAddressApart()
    {
        final KnownSources set = new KnownSources(4);
        assertThat(set.add(0, 0)).isTrue();
        assertThat(set.add(0, 0)).isFalse();
        assertThat(set.add(0, 1)).isTrue();
        assertThat(set.size()).isEqualTo(2);
    }

    @Test
    void shouldForgetEverythingWhenFullInsteadOfGrowing()
    {
        final KnownSources set = new KnownSources(4); // 16 slots, cleared at 11 entries
        for (int i = 1; i <= 11; i++)
        {
            assertThat(set.add(7, i)).isTrue();
        }
        assertThat(set.size()).isEqualTo(11);
        assertThat(set.add(7, 12)).isTrue();
        assertThat(set.size()).isEqualTo(1);
        assertThat(set.add(7, 1)).as("forgotten, so new again").isTrue();
        set.clear();
        assertThat(set.size()).isZero();
    }
}
