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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One writer lane of the store: a thread and a DuckDB connection of its own that applies the items
 * of the sensors {@link StoreWriter} gave it, in groups, one transaction per group (rows and each
 * sensor's progress together), and only then acknowledges. No two lanes write for one sensor, so
 * their transactions never write the same rows.
 *
 * <p>The first lane also keeps the store: it moves the other lanes' dirty-day marks and pending
 * sources into {@code rollup_days} and {@code sources} (in its own groups' transactions, or alone
 * when idle), rebuilds dirty days' roll-ups, re-attributes sources and checkpoints when idle.
 */
final class WriterLane
{
    private static final Logger LOG = LoggerFactory.getLogger(WriterLane.class);

    private final StoreWriter owner;
    private final FlowStore store;
    /** Source attribution (null: the {@code sources} table is not maintained). */
    private final SourceTable sources;
    private final boolean first;
    private final long maxGroupRows;
    private final LinkedBlockingQueue<IngestItem> queue = new LinkedBlockingQueue<>();
    /** Items submitted to and finished by this lane: equal when it is idle. */
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    /** Time spent applying groups, ns (written by this lane only). */
    private volatile long busyNanos;

    // first lane only
    /** The other lanes' commit count that this lane last absorbed (-1: not yet, so a restart absorbs what is left). */
    private long absorbed = -1;
    private long lastReattributeNanos;
    private volatile boolean rollupsDue = true;
    private long lastRollupNanos = System.nanoTime();
    /**
     * Write-ahead log size past which the first lane holds the others and checkpoints: DuckDB's own
     * threshold (1 GB, FlowStore), or {@code -Dnightjar.store.walLimitBytes} (benchmarks).
     */
    static final long WAL_LIMIT = Long.getLong("nightjar.store.walLimitBytes", 1L << 30);
    private long lastWalCheckNanos = System.nanoTime();
    /** When this lane last saw another lane busy (System.nanoTime). */
    private long othersBusyAt = Long.MIN_VALUE;
    private final List<CountDownLatch> rollupWaiters = new CopyOnWriteArrayList<>();

    WriterLane(final StoreWriter owner, final int index, final FlowStore store, final SourceTable sources, final long maxGroupRows)
    {
        this.owner = owner;
        this.store = store;
        this.sources = sources;
        this.first = store.isFirstLane();
        this.maxGroupRows = maxGroupRows;
        this.thread = new Thread(this::run, index == 0 ? "nightjar-store-writer" : "nightjar-store-writer-" + index);
    }

    void start()
    {
        thread.start();
    }

    void submit(final IngestItem item)
    {
        submitted.incrementAndGet();
        queue.add(item);
    }

    /** Whether everything submitted to this lane is applied (or failed). */
    boolean idle()
    {
        return finished.get() == submitted.get();
    }

    /** Time this lane has spent applying groups since it started, ns. */
    long busyNanos()
    {
        return busyNanos;
    }

    boolean isRunning()
    {
        return running && thread.isAlive();
    }

    /** First lane: counts {@code l} down once everything is applied and every day's roll-ups are current. */
    void awaitRollups(final CountDownLatch l)
    {
        rollupsDue = true;
        rollupWaiters.add(l);
    }

    private void run()
    {
        final List<IngestItem> group = new ArrayList<>();
        boolean dirty = false;
        long idleSince = System.nanoTime();
        while (running || !queue.isEmpty())
        {
            long applyStart = 0;
            try
            {
                final IngestItem head = queue.poll(first && rollupsDue ? 1 : 100, TimeUnit.MILLISECONDS);
                if (first)
                {
                    owner.threads().adjust(store);
                }
                if (first && sources != null && sources.reattributing()
                    && (head == null || System.nanoTime() - lastReattributeNanos > TimeUnit.SECONDS.toNanos(5)))
                {
                    reattributeStep();
                    dirty = true;
                }
                if (head == null)
                {
                    if (first)
                    {
                        dirty = maintainWhileIdle(dirty, idleSince);
                    }
                    continue;
                }
                if (first && System.nanoTime() - lastRollupNanos > TimeUnit.SECONDS.toNanos(60))
                {
                    // under sustained load, still keep the roll-ups at most about a minute behind
                    rebuildOneDirtyDay();
                    lastRollupNanos = System.nanoTime();
                }
                dirty = true;
                applyStart = System.nanoTime();
                group.add(head);
                long rows = rows(head);
                IngestItem next;
                while (rows < maxGroupRows && (next = queue.poll()) != null)
                {
                    group.add(next);
                    rows += rows(next);
                }
                owner.transactions().readLock().lock();
                try
                {
                    apply(group);
                }
                finally
                {
                    owner.transactions().readLock().unlock();
                }
                if (first)
                {
                    checkpointIfWalLarge();
                }
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
                if (applyStart != 0)
                {
                    busyNanos += System.nanoTime() - applyStart;
                }
                if (!group.isEmpty())
                {
                    // (an idle poll also passes here: it must not restart the idle time)
                    idleSince = System.nanoTime();
                }
                finished.addAndGet(group.size());
                group.clear();
                owner.released(bytes);
            }
        }
    }

    /**
     * First lane with nothing queued: absorbs the other lanes' commits, rebuilds a dirty day, then
     * (idle for 2 s and nothing left to rebuild) checkpoints, and answers roll-up waiters once
     * everything is applied and current. Returns whether uncheckpointed writes are left.
     */
    private boolean maintainWhileIdle(final boolean dirtyBefore, final long idleSince)
    {
        boolean dirty = dirtyBefore | absorbOthers();
        if (!owner.othersIdle(this))
        {
            // the other lanes are busy: the store is under load, whatever this lane's queue says
            othersBusyAt = System.nanoTime();
            if (othersBusyAt - lastRollupNanos > TimeUnit.SECONDS.toNanos(60))
            {
                rebuildOneDirtyDay();
                lastRollupNanos = System.nanoTime();
            }
            return dirty;
        }
        final long quietSince = Math.max(idleSince, othersBusyAt);
        if (rollupsDue || System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(1))
        {
            rollupsDue = !rebuildOneDirtyDay();
            lastRollupNanos = System.nanoTime();
        }
        if (dirty && !rollupsDue && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(2))
        {
            checkpoint();
            dirty = false;
        }
        // the others' idleness first: a lane counts its commit before it counts its items finished
        if (!rollupsDue && owner.othersIdle(this) && absorbed == owner.otherLaneCommits())
        {
            for (final CountDownLatch l : rollupWaiters)
            {
                l.countDown();
            }
            rollupWaiters.clear();
        }
        return dirty;
    }

    /** First lane: absorbs, in a transaction of its own, what the other lanes committed since the last absorb. */
    private boolean absorbOthers()
    {
        final long commits = owner.otherLaneCommits();
        if (commits == absorbed)
        {
            return false;
        }
        try
        {
            store.absorbLanes(sources);
            store.commit();
            absorbed = commits;
            return true;
        }
        catch (final SQLException ex)
        {
            store.rollback();
            LOG.warn("store: moving the other writer lanes' marks and sources failed (retried): {}", ex.getMessage());
            return false;
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

    /** Rebuilds the oldest dirty day's roll-ups; returns whether none was left dirty before the call. */
    private boolean rebuildOneDirtyDay()
    {
        // the days (and sources) that other lanes committed must be in rollup_days (and sources)
        // before the rebuild's snapshot is taken
        absorbOthers();
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

    /**
     * First lane, after a group: DuckDB checkpoints by itself only when no other transaction is open,
     * which with busy lanes is almost never, so its write-ahead log would grow without bound under
     * sustained load. Past {@link #WAL_LIMIT} (checked every 5 s), this waits for the other lanes'
     * transactions to end, keeps new ones from starting, and checkpoints.
     */
    private void checkpointIfWalLarge()
    {
        final long now = System.nanoTime();
        // one lane alone: DuckDB's own automatic checkpoint is never held off
        if (owner.lanes() == 1 || now - lastWalCheckNanos < TimeUnit.SECONDS.toNanos(5))
        {
            return;
        }
        lastWalCheckNanos = now;
        final long wal = store.walBytes();
        if (wal <= WAL_LIMIT)
        {
            return;
        }
        owner.transactions().writeLock().lock();
        try
        {
            final long start = System.nanoTime();
            store.checkpoint();
            LOG.info("store: write-ahead log of {} MB checkpointed in {} ms with the other writer lanes held", wal >> 20,
                (System.nanoTime() - start) / 1_000_000);
        }
        catch (final SQLException ex)
        {
            LOG.warn("store: checkpoint of a {} MB write-ahead log failed (retried in 5 s): {}", wal >> 20, ex.getMessage());
        }
        finally
        {
            owner.transactions().writeLock().unlock();
        }
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
        final long othersCommits = first ? owner.otherLaneCommits() : 0;
        try
        {
            for (final IngestItem item : group)
            {
                if (item instanceof IngestItem.Batch b)
                {
                    final Progress cur = pending.getOrDefault(b.sensorId(), owner.progress(b.sensorId()));
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
                    final Progress cur = pending.getOrDefault(h.sensorId(), owner.progress(h.sensorId()));
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
            if (first && othersCommits != absorbed)
            {
                store.absorbLanes(sources);
            }
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
            owner.metrics().storeFailures.increment();
            return;
        }
        if (first)
        {
            absorbed = othersCommits;
        }
        else
        {
            owner.otherLaneCommitted();
        }
        owner.applied(pending);
        owner.metrics().recordGroup(flowRows, duplicates, System.nanoTime() - start);
        for (final IngestItem.Batch b : rejected)
        {
            final Progress cur = owner.progress(b.sensorId());
            b.session().fail(ErrorCode.OVERLAP, "batch " + b.header() + " does not follow the applied progress " + cur
                + "; reconnect and resume after the acknowledged position");
        }
        for (final Map.Entry<SensorSession, String> e : ackAfterCommit.entrySet())
        {
            e.getKey().acknowledge(owner.progress(e.getValue()));
        }
    }

    /** Asks the lane to stop once its queue is empty. */
    void stop()
    {
        running = false;
    }

    /** Stops after applying what is queued (waits up to 30 s); a lane other than the first closes its connection. */
    void close()
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
        if (!first)
        {
            store.close();
        }
    }
}
