package io.nightjar.aggregator.ingest;

import io.nightjar.aggregator.store.FlowStore;
import io.nightjar.aggregator.store.Progress;
import io.nightjar.aggregator.store.SourceTable;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The store's writers: takes what connections read (batches, hellos, heartbeats) and hands each
 * sensor's items, in arrival order, to one of its {@link WriterLane}s, which applies them in groups,
 * one DuckDB transaction per group (rows and each sensor's progress together), and only then
 * acknowledges. Exactly-once: a batch whose spool positions are already applied is acknowledged
 * without being applied again. A sensor keeps its lane for the writer's life (lanes are given out
 * in turn as sensors first appear), so no two transactions write one sensor's rows or progress.
 *
 * <p>Several lanes let DuckDB's inserts and commits of different sensors run at once (each lane's
 * commit is serial inside DuckDB). The first lane also keeps the store (roll-ups, source
 * re-attribution, checkpoints, the other lanes' marks and new sources).
 *
 * <p>Back-pressure: the lanes' queues are bounded together by bytes. A connection whose submit finds
 * them over the high-water mark stops reading (TCP then pushes back on the sensor) and is resumed
 * once the writers have drained them below the low-water mark. Connections never block.
 */
public final class StoreWriter implements AutoCloseable
{
    private final List<WriterLane> lanes = new ArrayList<>();
    /** Each sensor's lane, given once. */
    private final Map<String, WriterLane> laneOf = new ConcurrentHashMap<>();
    private final AtomicInteger nextLane = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long highWaterBytes;
    private final long lowWaterBytes;
    private final Set<SensorSession> paused = ConcurrentHashMap.newKeySet();
    /** Durable progress per sensor; written by the sensor's lane only, read by anyone. */
    private final Map<String, Progress> applied = new ConcurrentHashMap<>();
    /** Transactions committed by lanes other than the first (the first absorbs their marks and sources). */
    private final AtomicLong otherLaneCommits = new AtomicLong();
    private final IngestMetrics metrics;
    private final DuckDbThreads threads;
    /** Held shared by each lane's transaction, exclusively by the first lane's forced checkpoint. */
    private final ReentrantReadWriteLock transactions = new ReentrantReadWriteLock();

    /**
     * Writer lanes that also maintain {@code sources}: new sources of each group are attributed in
     * the group's transaction, and a pending re-attribution runs chunk by chunk when the first lane
     * is idle (and at least every 5 s under load).
     *
     * @param highWaterBytes queued batch bytes above which connections pause.
     * @param maxGroupRows   rows applied per transaction at most (more waits for the next group).
     * @param sources        the source table of {@code store}, or null for none.
     * @param lanes          writer lanes (connections and threads), at least 1.
     */
    public StoreWriter(final FlowStore store, final long highWaterBytes, final long maxGroupRows, final IngestMetrics metrics,
                       final SourceTable sources, final int lanes)
    {
        if (lanes < 1)
        {
            throw new IllegalArgumentException("store writers must be at least 1, not " + lanes);
        }
        this.highWaterBytes = highWaterBytes;
        this.lowWaterBytes = highWaterBytes / 2;
        this.metrics = metrics;
        try
        {
            applied.putAll(store.progress());
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot read sensor progress from " + store.file() + ": " + ex.getMessage(), ex);
        }
        this.lanes.add(new WriterLane(this, 0, store, sources, maxGroupRows));
        for (int i = 1; i < lanes; i++)
        {
            final FlowStore lane = store.lane();
            this.lanes.add(new WriterLane(this, i, lane, sources == null ? null : SourceTable.lane(lane, sources.enricher()), maxGroupRows));
        }
        this.threads = DuckDbThreads.over(this.lanes);
        for (final WriterLane l : this.lanes)
        {
            l.start();
        }
    }

    /**
     * Queues an item for its sensor's lane (any thread, never blocks).
     *
     * @return false if the queues are now over their high-water mark: the caller should pause reading
     *         and call {@link #pauseUntilDrained}.
     */
    boolean submit(final IngestItem item)
    {
        laneOf.computeIfAbsent(item.sensorId(), k -> lanes.get(Math.floorMod(nextLane.getAndIncrement(), lanes.size()))).submit(item);
        return queuedBytes.addAndGet(item.sizeBytes()) <= highWaterBytes;
    }

    /** Resumes {@code session} once the queues are below their low-water mark. */
    void pauseUntilDrained(final SensorSession session)
    {
        paused.add(session);
        if (queuedBytes.get() <= lowWaterBytes)
        {
            resumePaused();
        }
    }

    /** Durable progress of {@code sensorId}. */
    public Progress progress(final String sensorId)
    {
        return applied.getOrDefault(sensorId, Progress.NONE);
    }

    /** Durable progress of every sensor seen. */
    public Map<String, Progress> progress()
    {
        return Map.copyOf(applied);
    }

    /** Bytes of batches queued and not yet applied. */
    public long queuedBytes()
    {
        return queuedBytes.get();
    }

    /** Writer lanes. */
    public int lanes()
    {
        return lanes.size();
    }

    /** A lane committed {@code progress} (its sensors' only). */
    void applied(final Map<String, Progress> progress)
    {
        applied.putAll(progress);
    }

    /** A lane finished items holding {@code bytes}. */
    void released(final long bytes)
    {
        if (queuedBytes.addAndGet(-bytes) <= lowWaterBytes)
        {
            resumePaused();
        }
    }

    IngestMetrics metrics()
    {
        return metrics;
    }

    ReentrantReadWriteLock transactions()
    {
        return transactions;
    }

    /** DuckDB's thread policy (the first lane adjusts it). */
    DuckDbThreads threads()
    {
        return threads;
    }

    /** Whether DuckDB runs with one thread now, because two or more lanes are loaded. */
    public boolean duckDbSingleThreaded()
    {
        return threads.single();
    }

    void otherLaneCommitted()
    {
        otherLaneCommits.incrementAndGet();
    }

    long otherLaneCommits()
    {
        return otherLaneCommits.get();
    }

    /** Whether every lane but {@code self} has applied everything submitted to it. */
    boolean othersIdle(final WriterLane self)
    {
        for (final WriterLane l : lanes)
        {
            if (l != self && !l.idle())
            {
                return false;
            }
        }
        return true;
    }

    private void resumePaused()
    {
        for (final SensorSession s : paused)
        {
            if (paused.remove(s))
            {
                s.resume();
            }
        }
    }

    /** Whether every lane's thread is running (readiness). */
    public boolean isRunning()
    {
        for (final WriterLane l : lanes)
        {
            if (!l.isRunning())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until the lanes have applied what is queued and brought every day's roll-ups up to date
     * (the demo and benchmarks call it before timing queries). Returns false on timeout.
     */
    public boolean awaitRollups(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final CountDownLatch l = new CountDownLatch(1);
        lanes.get(0).awaitRollups(l);
        return l.await(timeout, unit);
    }

    /** Stops every lane after it has applied what is queued; closes the lanes' own connections (not the store's). */
    @Override
    public void close()
    {
        for (final WriterLane l : lanes)
        {
            l.stop();
        }
        for (final WriterLane l : lanes)
        {
            l.close();
        }
    }
}
