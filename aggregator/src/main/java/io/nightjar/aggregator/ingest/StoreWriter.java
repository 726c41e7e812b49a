package io.nightjar.aggregator.ingest;

import io.nightjar.aggregator.store.FlowStore;
import io.nightjar.aggregator.store.Progress;
import io.nightjar.aggregator.store.SourceTable;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.frame.ErrorCode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's single writer: takes what connections read (batches, hellos, heartbeats) from one
 * queue, applies them in groups, one DuckDB transaction per group (rows and each sensor's progress
 * together), and only then acknowledges. Exactly-once: a batch whose spool positions are already
 * applied is acknowledged without being applied again.
 *
 * <p>Back-pressure: the queue is bounded by bytes. A connection whose submit finds the queue over
 * its high-water mark stops reading (TCP then pushes back on the sensor) and is resumed once the
 * writer has drained the queue below the low-water mark. Connections never block.
 */
public final class StoreWriter implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

    private final FlowStore store;
    private final LinkedBlockingQueue<IngestItem> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long highWaterBytes;
    private final long lowWaterBytes;
    private final long maxGroupRows;
    private final Set<SensorSession> paused = ConcurrentHashMap.newKeySet();
    /** Durable progress per sensor; written by the writer thread only, read by anyone. */
    private final Map<String, Progress> applied = new ConcurrentHashMap<>();
    private final IngestMetrics metrics;
    /** Source attribution (null: the {@code sources} table is not maintained). */
    private final SourceTable sources;
    private long lastReattributeNanos;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * A writer over {@code store}; starts its thread.
     *
     * @param highWaterBytes queued batch bytes above which connections pause.
     * @param maxGroupRows   rows applied per transaction at most (more waits for the next group).
     */
    public StoreWriter(final FlowStore store, final long highWaterBytes, final long maxGroupRows, final IngestMetrics metrics)
    {
        this(store, highWaterBytes, maxGroupRows, metrics, null);
    }

    /**
     * A writer that also maintains {@code sources}: new sources of each group are attributed in the
     * group's transaction, and a pending re-attribution runs chunk by chunk when the writer is idle
     * (and at least every 5 s under load).
     *
     * @param sources the source table, or null for none.
     */
    public StoreWriter(final FlowStore store, final long highWaterBytes, final long maxGroupRows, final IngestMetrics metrics,
                       final SourceTable sources)
    {
        this.store = store;
        this.sources = sources;
        this.highWaterBytes = highWaterBytes;
        this.lowWaterBytes = highWaterBytes / 2;
        this.maxGroupRows = maxGroupRows;
        this.metrics = metrics;
        try
        {
            applied.putAll(store.progress());
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot read sensor progress from " + store.file() + ": " + ex.getMessage(), ex);
        }
        this.thread = new Thread(this::run, "nightjar-store-writer");
        thread.start();
    }

    /**
     * Queues an item (any thread, never blocks).
     *
     * @return false if the queue is now over its high-water mark: the caller should pause reading
     *         and call {@link #pauseUntilDrained}.
     */
    boolean submit(final IngestItem item)
    {
        queue.add(item);
        return queuedBytes.addAndGet(item.sizeBytes()) <= highWaterBytes;
    }

    /** Resumes {@code session} once the queue is below its low-water mark. */
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

    private void run()
    {
        final List<IngestItem> group = new ArrayList<>();
        boolean dirty = false;
        long idleSince = System.nanoTime();
        while (running || !queue.isEmpty())
        {
            try
            {
                final IngestItem first = queue.poll(rollupsDue ? 1 : 100, TimeUnit.MILLISECONDS);
                if (sources != null && sources.reattributing()
                    && (first == null || System.nanoTime() - lastReattributeNanos > TimeUnit.SECONDS.toNanos(5)))
                {
                    reattributeStep();
                    dirty = true;
                }
                if (first == null)
                {
                    if (rollupsDue || System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(1))
                    {
                        rollupsDue = !rebuildOneDirtyDay();
                        lastRollupNanos = System.nanoTime();
                    }
                    if (dirty && !rollupsDue && System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(2))
                    {
                        checkpoint();
                        dirty = false;
                    }
                    if (!rollupsDue)
                    {
                        rollupsCurrent();
                    }
                    continue;
                }
                if (System.nanoTime() - lastRollupNanos > TimeUnit.SECONDS.toNanos(60))
                {
                    // under sustained load, still keep the roll-ups at most about a minute behind
                    rebuildOneDirtyDay();
                    lastRollupNanos = System.nanoTime();
                }
                dirty = true;
                group.add(first);
                long rows = rows(first);
                IngestItem next;
                while (rows < maxGroupRows && (next = queue.poll()) != null)
                {
                    group.add(next);
                    rows += rows(next);
                }
                apply(group);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final RuntimeException ex)
            {
                LOG.error("store writer: unexpected failure applying {} items; rolled back, their connections are closed and will resend",
                    group.size(), ex);
                // nothing of a failed group may reach a later group's commit (rows without their progress)
                store.rollback();
                if (sources != null)
                {
                    sources.rolledBack();
                }
                for (final IngestItem item : group)
                {
                    if (item instanceof IngestItem.Batch b)
                    {
                        b.session().fail(ErrorCode.INTERNAL, "aggregator failed to apply the batch: " + ex);
                    }
                }
            }
            finally
            {
                long bytes = 0;
                for (final IngestItem item : group)
                {
                    bytes += item.sizeBytes();
                    if (item instanceof IngestItem.Batch b)
                    {
                        b.data().close();
                    }
                }
                group.clear();
                idleSince = System.nanoTime();
                if (queuedBytes.addAndGet(-bytes) <= lowWaterBytes)
                {
                    resumePaused();
                }
            }
        }
    }

    private void reattributeStep()
    {
        lastReattributeNanos = System.nanoTime();
        try
        {
            sources.reattributeStep();
        }
        catch (final SQLException ex)
        {
            store.rollback();
            LOG.warn("geo: re-attribution step failed and was rolled back (retried in 5 s): {}", ex.getMessage());
        }
    }

    private volatile boolean rollupsDue = true;
    private long lastRollupNanos = System.nanoTime();
    private final java.util.List<java.util.concurrent.CountDownLatch> rollupWaiters = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Rebuilds the oldest dirty day's roll-ups; returns whether none was left dirty before the call. */
    private boolean rebuildOneDirtyDay()
    {
        try
        {
            final List<Long> days = store.dirtyDays();
            if (days.isEmpty())
            {
                final List<Long> months = store.dirtyMonths();
                if (months.isEmpty())
                {
                    return true;
                }
                final long start = System.nanoTime();
                store.rebuildMonth(months.get(0));
                LOG.info("store: regional roll-ups of {} rebuilt in {} ms", java.time.LocalDate.ofEpochDay(months.get(0)).toString().substring(0, 7),
                    (System.nanoTime() - start) / 1_000_000);
                return months.size() == 1;
            }
            final long start = System.nanoTime();
            store.rebuildRollup(days.get(0));
            LOG.info("store: roll-ups of {} rebuilt in {} ms ({} more days to do)", java.time.LocalDate.ofEpochDay(days.get(0)),
                (System.nanoTime() - start) / 1_000_000, days.size() - 1);
            return false;
        }
        catch (final SQLException ex)
        {
            LOG.warn("store: roll-up rebuild failed (queries use the records meanwhile): {}", ex.getMessage());
            return true;
        }
    }

    private void rollupsCurrent()
    {
        for (final java.util.concurrent.CountDownLatch l : rollupWaiters)
        {
            l.countDown();
        }
        rollupWaiters.clear();
    }

    /** Whether the writer's thread is running (readiness). */
    public boolean isRunning()
    {
        return running && thread.isAlive();
    }

    /**
     * Waits until the writer has applied what is queued and brought every day's roll-ups up to date
     * (the demo and benchmarks call it before timing queries). Returns false on timeout.
     */
    public boolean awaitRollups(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final java.util.concurrent.CountDownLatch l = new java.util.concurrent.CountDownLatch(1);
        rollupsDue = true;
        rollupWaiters.add(l);
        return l.await(timeout, unit);
    }

    private void checkpoint()
    {
        final long start = System.nanoTime();
        try
        {
            store.checkpoint();
            LOG.debug("store: checkpoint in {} ms", (System.nanoTime() - start) / 1_000_000);
        }
        catch (final SQLException ex)
        {
            LOG.warn("store: idle checkpoint failed (the WAL keeps the data): {}", ex.getMessage());
        }
    }

    private static long rows(final IngestItem item)
    {
        return item instanceof IngestItem.Batch b ? Math.max(1, b.data().rows()) : 1;
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

    private void apply(final List<IngestItem> group)
    {
        final long start = System.nanoTime();
        final Map<String, Progress> pending = new HashMap<>();
        final List<ArrowRecordBatch> flows = new ArrayList<>();
        final List<ArrowRecordBatch> bins = new ArrayList<>();
        final Map<SensorSession, String> ackAfterCommit = new LinkedHashMap<>();
        final List<IngestItem.Batch> rejected = new ArrayList<>();
        long flowRows = 0;
        long duplicates = 0;
        try
        {
            for (final IngestItem item : group)
            {
                if (item instanceof IngestItem.Batch b)
                {
                    final Progress cur = pending.getOrDefault(b.sensorId(), progress(b.sensorId()));
                    final long seq = b.header().sequence();
                    if (b.header().lastPosition() <= cur.position() && seq <= cur.sequence())
                    {
                        duplicates++;
                        ackAfterCommit.put(b.session(), b.sensorId());
                    }
                    else if (seq != cur.sequence() + 1 || b.header().firstPosition() <= cur.position())
                    {
                        rejected.add(b);
                    }
                    else
                    {
                        if (b.data().schema().equals(BatchSchemas.FLOWS))
                        {
                            flows.addAll(b.data().batches());
                            flowRows += b.data().rows();
                        }
                        else
                        {
                            bins.addAll(b.data().batches());
                        }
                        pending.put(b.sensorId(), new Progress(seq, b.header().lastPosition(), cur.batches() + 1, cur.spoolId()));
                        ackAfterCommit.put(b.session(), b.sensorId());
                    }
                }
                else if (item instanceof IngestItem.Beat beat)
                {
                    store.insertHeartbeat(beat.sensorId(), beat.receivedMicros(), beat.heartbeat());
                }
                else if (item instanceof IngestItem.Hello h)
                {
                    final Progress cur = pending.getOrDefault(h.sensorId(), progress(h.sensorId()));
                    if (!cur.spoolId().equals(h.spoolId()))
                    {
                        if (!cur.spoolId().isEmpty())
                        {
                            LOG.warn("sensor {} now ships from spool {} (was {}): positions restart, sequence continues after {}",
                                h.sensorId(), h.spoolId(), cur.spoolId(), cur.sequence());
                        }
                        pending.put(h.sensorId(), cur.inSpool(h.spoolId()));
                    }
                    ackAfterCommit.put(h.session(), h.sensorId());
                }
            }
            store.insert(BatchSchemas.FLOWS, flows);
            if (sources != null)
            {
                sources.attributeNew(flows);
            }
            store.insert(BatchSchemas.BINS, bins);
            store.setProgress(pending);
            store.commit();
        }
        catch (final SQLException ex)
        {
            store.rollback();
            if (sources != null)
            {
                sources.rolledBack();
            }
            LOG.error("store: transaction of {} items failed and was rolled back; their connections are closed and will resend: {}",
                group.size(), ex.getMessage());
            for (final SensorSession s : ackAfterCommit.keySet())
            {
                s.fail(ErrorCode.INTERNAL, "store failed: " + ex.getMessage());
            }
            metrics.storeFailures.increment();
            return;
        }
        applied.putAll(pending);
        metrics.recordGroup(flowRows, duplicates, System.nanoTime() - start);
        for (final IngestItem.Batch b : rejected)
        {
            final Progress cur = progress(b.sensorId());
            b.session().fail(ErrorCode.OVERLAP, "batch " + b.header() + " does not follow the applied progress " + cur
                + "; reconnect and resume after the acknowledged position");
        }
        for (final Map.Entry<SensorSession, String> e : ackAfterCommit.entrySet())
        {
            e.getKey().acknowledge(progress(e.getValue()));
        }
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(30_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
