package io.nightjar.wire.events;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventKeyTableTest
{
    private record Key(long hi, long lo, long tag, int tag2)
    {
    }

    @Test
    void shouldPutGetReplaceAndRemove()
    {
        final EventKeyTable t = new EventKeyTable(4);
        assertThat(t.get(1, 2, 3, 4)).isEqualTo(EventKeyTable.MISSING);
        assertThat(t.put(1, 2, 3, 4, 0)).isEqualTo(EventKeyTable.MISSING);
        assertThat(t.get(1, 2, 3, 4)).isZero();
        assertThat(t.put(1, 2, 3, 4, 7)).isZero();
        assertThat(t.get(1, 2, 3, 4)).isEqualTo(7);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.remove(1, 2, 3, 4)).isEqualTo(7);
        assertThat(t.remove(1, 2, 3, 4)).isEqualTo(EventKeyTable.MISSING);
        assertThat(t.get(1, 2, 3, 4)).isEqualTo(EventKeyTable.MISSING);
        assertThat(t.size()).isZero();
    }

    @Test
    void shouldTellKeysApartThatDifferInOnePart()
    {
        final EventKeyTable t = new EventKeyTable(16);
        t.put(0, 0, 0, 0, 1);
        t.put(1, 0, 0, 0, 2);
        t.put(0, 1, 0, 0, 3);
        t.put(0, 0, 1, 0, 4);
        t.put(0, 0, 0, 1, 5);
        t.put(0, 0, 6L << 32 | 80, 0, 6);
        t.put(0, 0, 17L << 32 | 80, 0, 7);
        t.put(-1, -1, -1, -1, 8);
        assertThat(List.of(t.get(0, 0, 0, 0), t.get(1, 0, 0, 0), t.get(0, 1, 0, 0), t.get(0, 0, 1, 0), t.get(0, 0, 0, 1),
            t.get(0, 0, 6L << 32 | 80, 0), t.get(0, 0, 17L << 32 | 80, 0), t.get(-1, -1, -1, -1))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(t.size()).isEqualTo(8);
    }

    @Test
    void shouldGrowAndKeepEveryEntry()
    {
        final EventKeyTable t = new EventKeyTable(1);
        final int initial = t.capacity();
        for (int i = 0; i < 100_000; i++)
        {
            t.put(i, ~i, i % 7, i % 3, i);
        }
        assertThat(t.capacity()).isGreaterThan(initial).isGreaterThanOrEqualTo(100_000);
        assertThat(t.size()).isEqualTo(100_000);
        for (int i = 0; i < 100_000; i++)
        {
            assertThat(t.get(i, ~i, i % 7, i % 3)).isEqualTo(i);
        }
        assertThat(t.get(100_000, ~100_000, 100_000 % 7, 100_000 % 3)).isEqualTo(EventKeyTable.MISSING);
    }

    /** Keys of one home slot form one cluster; removing from its middle must leave the later ones findable. */
    @Test
    void shouldFindEveryCollidingKeyAfterRemovalsFromTheCluster()
    {
        final EventKeyTable t = new EventKeyTable(1000);
        final int mask = t.capacity() - 1;
        final int home = EventKeyTable.hash(0, 0, 0, 0) & mask;
        final List<Key> colliding = new ArrayList<>();
        for (long lo = 1; colliding.size() < 40; lo++)
        {
            if ((EventKeyTable.hash(0, lo, 0, 0) & mask) == home)
            {
                colliding.add(new Key(0, lo, 0, 0));
            }
        }
        for (int i = 0; i < colliding.size(); i++)
        {
            final Key k = colliding.get(i);
            t.put(k.hi(), k.lo(), k.tag(), k.tag2(), i);
        }
        assertThat(t.capacity()).isEqualTo(mask + 1);
        for (int i = 0; i < colliding.size(); i += 3)
        {
            final Key k = colliding.get(i);
            assertThat(t.remove(k.hi(), k.lo(), k.tag(), k.tag2())).isEqualTo(i);
        }
        for (int i = 0; i < colliding.size(); i++)
        {
            final Key k = colliding.get(i);
            assertThat(t.get(k.hi(), k.lo(), k.tag(), k.tag2())).isEqualTo(i % 3 == 0 ? EventKeyTable.MISSING : i);
        }
    }

    /** Random puts, replacements and removals over a small key space (dense clusters), checked against a HashMap. */
    @Test
    void shouldAgreeWithAHashMapUnderChurn()
    {
        final Random random = new Random(42);
        final EventKeyTable t = new EventKeyTable(8);
        final Map<Key, Integer> expected = new HashMap<>();
        for (int step = 0; step < 200_000; step++)
        {
            final Key k = new Key(random.nextInt(4), random.nextInt(300), random.nextInt(3), random.nextInt(2));
            final int op = random.nextInt(3);
            if (op == 0)
            {
                final Integer before = expected.remove(k);
                assertThat(t.remove(k.hi(), k.lo(), k.tag(), k.tag2())).isEqualTo(before == null ? EventKeyTable.MISSING : before);
            }
            else
            {
                final int v = random.nextInt(1_000_000);
                final Integer before = expected.put(k, v);
                assertThat(t.put(k.hi(), k.lo(), k.tag(), k.tag2(), v)).isEqualTo(before == null ? EventKeyTable.MISSING : before);
            }
        }
        assertThat(t.size()).isEqualTo(expected.size());
        for (final Map.Entry<Key, Integer> e : expected.entrySet())
        {
            final Key k = e.getKey();
            assertThat(t.get(k.hi(), k.lo(), k.tag(), k.tag2())).isEqualTo(e.getValue());
        }
        final TreeSet<Integer> values = new TreeSet<>();
        t.forEachValue(values::add);
        assertThat(values).isEqualTo(new TreeSet<>(expected.values()));
    }

    @Test
    void shouldEmptyOnClear()
    {
        final EventKeyTable t = new EventKeyTable(4);
        t.put(1, 1, 1, 1, 1);
        t.clear();
        assertThat(t.size()).isZero();
        assertThat(t.get(1, 1, 1, 1)).isEqualTo(EventKeyTable.MISSING);
    }

    @Test
    void shouldRefuseValuesItCannotStore()
    {
        final EventKeyTable t = new EventKeyTable(4);
        assertThatThrownBy(() -> t.put(1, 1, 1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.put(1, 1, 1, 1, Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }
}
