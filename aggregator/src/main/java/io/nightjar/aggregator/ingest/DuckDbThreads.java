package io.nightjar.aggregator.ingest;

import io.nightjar.aggregator.store.FlowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Chooses DuckDB's thread count (a setting of the whole database) from how busy the store's writer
 * lanes are, once a second: while two or more lanes are applying more than 60 % of the time, one
 * thread (each lane's statements then run on the lane's own thread, and the cores are the lanes');
 * once fewer than two are busier than 30 %, DuckDB's default again (all cores), so that analysts'
 * queries run in parallel. On 2 cores, two lanes with one DuckDB thread ingest 13-16 % more than two
 * lanes with two threads (benchmarks/README.md). Inactive with one lane, or when the operator set
 * {@code threads} in {@code nightjar.duckdb.settings}.
 *
 * <p>Single thread: the first lane's writer thread calls {@link #adjust}.
 */
final class DuckDbThreads
{
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbThreads.class);
    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Busy share of a period above which a lane counts as loaded. */
    private static final double LOADED = 0.6;
    /** Busy share below which a lane no longer counts as loaded. */
    private static final double UNLOADED = 0.3;

    private final List<LongSupplier> busy;
    private final long[] lastBusy;
    private final boolean active;
    private int defaultThreads;
    private boolean single;
    private long lastNanos;

    /** The policy over {@code lanes}, inactive with one lane or when the operator set DuckDB's threads. */
    static DuckDbThreads over(final List<WriterLane> lanes)
    {
        final List<LongSupplier> busy = new java.util.ArrayList<>();
        lanes.forEach(l -> busy.add(l::busyNanos));
        return new DuckDbThreads(busy, lanes.size() > 1 && !FlowStore.threadsSetByOperator(),
            System.nanoTime());
    }

    /**
     * @param busy   each lane's time spent applying groups so far, ns.
     * @param active whether to change DuckDB's threads at all.
     * @param now    the start of the first period (System.nanoTime).
     */
    DuckDbThreads(final List<LongSupplier> busy, final boolean active, final long now)
    {
        this.busy = busy;
        this.lastBusy = new long[busy.size()];
        this.active = active;
        this.lastNanos = now;
    }

    /** Whether DuckDB now runs with one thread because the lanes are loaded. */
    boolean single()
    {
        return single;
    }

    /** Checks the lanes' load (at most once a second) and sets DuckDB's threads through {@code store}. */
    void adjust(final FlowStore store)
    {
        adjust(store, System.nanoTime());
    }

    /** {@link #adjust(FlowStore)} at {@code now} (System.nanoTime). */
    void adjust(final FlowStore store, final long now)
    {
        if (!active || now - lastNanos < PERIOD_NANOS)
        {
            return;
        }
        final double period = now - lastNanos;
        lastNanos = now;
        int loaded = 0;
        int unloaded = 0;
        for (int i = 0; i < busy.size(); i++)
        {
            final long b = busy.get(i).getAsLong();
            final double share = (b - lastBusy[i]) / period;
            lastBusy[i] = b;
            loaded += share > LOADED ? 1 : 0;
            unloaded += share < UNLOADED ? 1 : 0;
        }
        try
        {
            if (defaultThreads == 0)
            {
                defaultThreads = store.threads();
            }
            if (!single && loaded >= 2)
            {
                store.setThreads(1);
                single = true;
                LOG.info("store: {} writer lanes loaded: DuckDB runs with 1 thread (was {})", loaded, defaultThreads);
            }
            else if (single && busy.size() - unloaded < 2)
            {
                store.setThreads(defaultThreads);
                single = false;
                LOG.info("store: writer lanes no longer loaded: DuckDB runs with {} threads again", defaultThreads);
            }
        }
        catch (final SQLException ex)
        {
            LOG.warn("store: cannot set DuckDB's threads: {}", ex.getMessage());
        }
    }
}
