package io.nightjar.sensor.summary;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowTable;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Counts closed bins into a {@link RunSummary} on a thread of its own, so that the summary's
 * per-flow work runs beside the pipeline instead of between its packets. On the pipeline's thread,
 * {@link #onBinClosed} copies the bin into one of two {@link BinSnapshot}s (a sequential pass) and
 * queues it; it waits only when the agent is two bins behind. With event detection, which is most
 * of the summary's work, the pipeline's thread also adds the bin's totals (sources, ports, tools)
 * before queueing it and the agent runs only the events; without it the agent does it all. Bins
 * are counted in order, so the results are those of the same bins counted inline.
 *
 * <p>Threads: {@link #onBinClosed} and {@link #close()} from the pipeline's (one) thread; the
 * {@link RunSummary}'s totals are written by the thread of {@code onBinClosed} (with events) or
 * the agent's, its events only by the agent's; it may be read after {@link #close()} returns. An
 * error on the agent's thread is rethrown by {@code close()}.
 */
public final class SummaryAgent implements BinListener, AutoCloseable
{
    private static final int SNAPSHOTS = 2;

    private final RunSummary summary;
    /** The summary's event detection (read here so that the copy on the pipeline's thread knows what to copy), or null. */
    private final EventSummary events;
    private final BlockingQueue<BinSnapshot> free = new ArrayBlockingQueue<>(SNAPSHOTS);
    private final BlockingQueue<BinSnapshot> full = new ArrayBlockingQueue<>(SNAPSHOTS + 1);
    private final BinSnapshot endOfRun = new BinSnapshot();
    private final Thread thread;
    private volatile Throwable failure;
    private boolean closed;

    /** Starts the agent's thread (a daemon) for {@code summary}, which it owns from now on. */
    public SummaryAgent(final RunSummary summary)
    {
        this.summary = summary;
        this.events = summary == null ? null : summary.events();
        for (int i = 0; i < SNAPSHOTS; i++)
        {
            free.add(new BinSnapshot());
        }
        thread = new Thread(this::run, "nightjar-summary");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void onBinClosed(final long binStartNanos, final long binLengthNanos, final BinCounters counters, final FlowTable flows)
    {
        final BinSnapshot b = take(free);
        b.copyOf(binStartNanos, binLengthNanos, counters, flows, events != null, events == null ? 0 : events.scanClassMask());
        if (events != null)
        {
            // the agent's thread, busy with the event detection, was the slower of the two: the totals run here
            summary.addTotals(b);
        }
        put(b);
    }

    private void run()
    {
        while (true)
        {
            final BinSnapshot b = take(full);
            if (b == endOfRun)
            {
                return;
            }
            if (failure == null)
            {
                try
                {
                    if (events != null)
                    {
                        summary.addEvents(b);
                    }
                    else
                    {
                        summary.add(b);
                    }
                }
                catch (final Throwable t)
                {
                    // keep taking bins so that the pipeline never waits for a dead agent; close() reports it
                    failure = t;
                }
            }
            free.add(b);
        }
    }

    /** Waits until every queued bin is counted and stops the thread; rethrows the agent's error, if any. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            put(endOfRun);
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the summary", ex);
            }
        }
        final Throwable t = failure;
        if (t instanceof RuntimeException)
        {
            throw (RuntimeException)t;
        }
        if (t instanceof Error)
        {
            throw (Error)t;
        }
        if (t != null)
        {
            throw new IllegalStateException(t);
        }
    }

    private void put(final BinSnapshot b)
    {
        try
        {
            full.put(b);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing a bin", ex);
        }
    }

    private static BinSnapshot take(final BlockingQueue<BinSnapshot> queue)
    {
        try
        {
            return queue.take();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a bin buffer", ex);
        }
    }
}
