package io.nightjar.aggregator.ingest;

import io.nightjar.aggregator.store.FlowStore;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** DuckDB's thread count follows the writer lanes' load, with a real store, period by period. */
class DuckDbThreadsTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void oneThreadWhileTwoLanesAreLoadedAndTheDefaultAgainOnceTheLoadHasPassed(@TempDir final Path dir) throws Exception
    {
        final AtomicLong a = new AtomicLong();
        final AtomicLong b = new AtomicLong();
        try (RootAllocator allocator = new RootAllocator(); FlowStore store = FlowStore.open(dir, allocator))
        {
            final int initial = store.threads();
            final DuckDbThreads policy = new DuckDbThreads(List.of(a::get, b::get), true, 0);
            // one lane loaded, the other not: unchanged
            a.addAndGet(SECOND * 9 / 10);
            b.addAndGet(SECOND / 10);
            policy.adjust(store, SECOND);
            assertThat(policy.single()).isFalse();
            assertThat(store.threads()).isEqualTo(initial);
            // less than a period later: not even looked at
            a.addAndGet(SECOND / 2);
            b.addAndGet(SECOND / 2);
            policy.adjust(store, SECOND + SECOND / 2);
            assertThat(policy.single()).isFalse();
            // both loaded over the period
            a.addAndGet(SECOND / 2);
            b.addAndGet(SECOND / 2);
            policy.adjust(store, 2 * SECOND);
            assertThat(policy.single()).isTrue();
            assertThat(store.threads()).isEqualTo(1);
            // both between 30 and 60 %: stays (hysteresis)
            a.addAndGet(SECOND * 4 / 10);
            b.addAndGet(SECOND * 4 / 10);
            policy.adjust(store, 3 * SECOND);
            assertThat(store.threads()).isEqualTo(1);
            // one of them idle: back to the default
            a.addAndGet(SECOND * 9 / 10);
            policy.adjust(store, 4 * SECOND);
            assertThat(policy.single()).isFalse();
            assertThat(store.threads()).isEqualTo(initial);
        }
    }

    @Test
    void anInactivePolicyNeverChangesTheSetting(@TempDir final Path dir) throws Exception
    {
        try (RootAllocator allocator = new RootAllocator(); FlowStore store = FlowStore.open(dir, allocator))
        {
            final int initial = store.threads();
            final DuckDbThreads policy = new DuckDbThreads(List.of(() -> SECOND * 10, () -> SECOND * 10), false, 0);
            policy.adjust(store, 2 * SECOND);
            assertThat(policy.single()).isFalse();
            assertThat(store.threads()).isEqualTo(initial);
        }
    }
}
