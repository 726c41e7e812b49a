package io.nightjar.sensor.live;

import io.nightjar.sensor.capture.LiveCapture;
import io.nightjar.sensor.capture.LiveSettings;
import io.nightjar.sensor.capture.PacketRing;
import io.nightjar.sensor.flow.FlowPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the sensor's pipeline on live interfaces: one {@link LiveCapture} thread per interface fills
 * its {@link PacketRing}; the calling thread drains the rings in time order into the
 * {@link FlowPipeline} (while one interface's ring is empty, the others' packets wait until they are
 * older than its kernel could still be holding back: the read timeout plus 50 ms), closes bins on
 * wall-clock time when no packets arrive (a bin closes once the clock is {@link #CLOSE_GRACE_NANOS}
 * past its end, so packets still in the rings are not late),
 * and adds the captures' statistics (received, kernel, interface and ring drops) to the open bin as
 * differences since the previous reading, as they are reported ({@link CaptureStatsDeltas}).
 *
 * <p>{@link #requestStop()} (any thread: a signal handler, {@code --exit-after}) stops the captures
 * with {@code pcap_breakloop}, drains what they captured and closes the last bin; {@link #run}
 * then returns. Single pipeline thread: the one calling {@link #run}.
 */
public final class LiveRun
{
    /** How far past a bin's end the wall clock must be before an idle sensor closes it. */
    public static final long CLOSE_GRACE_NANOS = 2_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(LiveRun.class);
    private static final int SLICE = 4096;
    private static final long CHECK_NANOS = 50_000_000L;

    private final List<LiveSettings> interfaces;
    private final PrintStream progress;
    private final List<LiveCapture> captures = new CopyOnWriteArrayList<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile int flowTableSize;
    private volatile long packets;
    private final long[] statsDelta = new long[CaptureStatsDeltas.FIELDS];
    private CaptureStatsDeltas statsDeltas;
    private long elapsedNanos;
    /** How old a packet must be before it is taken while another interface's ring is empty: the longest read timeout, plus 50 ms. */
    private final long holdNanos;

    /**
     * @param interfaces one settings per interface.
     * @param progress   where a status line goes every 10 s (stderr), or null.
     */
    public LiveRun(final List<LiveSettings> interfaces, final PrintStream progress)
    {
        if (interfaces.isEmpty())
        {
            throw new IllegalArgumentException("give at least one --interface");
        }
        this.interfaces = List.copyOf(interfaces);
        this.progress = progress;
        this.holdNanos = (interfaces.stream().mapToLong(LiveSettings::timeoutMillis).max().orElse(0) + 50) * 1_000_000L;
    }

    /**
     * Opens every interface, then captures into {@code pipeline} until {@link #requestStop()}; closes
     * the last bin before it returns.
     *
     * @throws IOException naming the interface if one cannot be opened (the others are closed again),
     *                     or if a capture thread fails.
     */
    public void run(final FlowPipeline pipeline) throws IOException, InterruptedException
    {
        final long start = System.nanoTime();
        try
        {
            for (final LiveSettings s : interfaces)
            {
                captures.add(LiveCapture.start(s, new PacketRing(s.ringBytes())));
            }
        }
        catch (final IOException ex)
        {
            stopCaptures();
            done.countDown();
            throw ex;
        }
        statsDeltas = new CaptureStatsDeltas(captures.size());
        started.countDown();
        Throwable failure = null;
        try
        {
            long nextCheck = 0;
            long nextReport = start + 10_000_000_000L;
            int idle = 0;
            while (true)
            {
                final int n = drainOnce(pipeline, true);
                final long now = System.nanoTime();
                if (n > 0)
                {
                    idle = 0;
                }
                if (n == 0 || now >= nextCheck)
                {
                    nextCheck = now + CHECK_NANOS;
                    if (n == 0)
                    {
                        refreshStaleStats();
                    }
                    addCaptureStats(pipeline);
                    pipeline.advanceTo(System.currentTimeMillis() * 1_000_000L - CLOSE_GRACE_NANOS);
                    flowTableSize = pipeline.table().size();
                    packets = pipeline.packets();
                    failure = firstFailure();
                    if (stopRequested || failure != null)
                    {
                        break;
                    }
                    if (progress != null && now >= nextReport)
                    {
                        nextReport = now + 10_000_000_000L;
                        progress.println(status(pipeline, now - start));
                    }
                }
                if (n == 0)
                {
                    idle(++idle);
                }
            }
            stopCaptures();
            while (drainOnce(pipeline, false) > 0)
            {
                // what was captured before the stop
            }
            addCaptureStats(pipeline);
            pipeline.finish();
            packets = pipeline.packets();
            flowTableSize = 0;
        }
        finally
        {
            stopCaptures();
            elapsedNanos = System.nanoTime() - start;
            done.countDown();
        }
        if (failure != null)
        {
            throw new IOException("capture failed: " + failure.getMessage(), failure);
        }
    }

    /**
     * Hands the pipeline what the rings hold, in time order across interfaces. With {@code hold}
     * (while capturing), a packet is taken while another interface's ring is empty only once it is
     * older than {@link #holdNanos}: that interface's kernel may still hold older packets in a
     * part-filled block (up to its read timeout), which would otherwise arrive after newer ones and
     * count as late, in the wrong bin when a bin closes between them. Without {@code hold} (after
     * the captures stopped, when nothing more can come) every packet is taken.
     */
    private int drainOnce(final FlowPipeline pipeline, final boolean hold)
    {
        if (captures.size() == 1)
        {
            return captures.get(0).ring().drain(pipeline, SLICE);
        }
        final long watermark = hold ? System.currentTimeMillis() * 1_000_000L - holdNanos : Long.MAX_VALUE;
        int delivered = 0;
        while (delivered < SLICE)
        {
            PacketRing oldest = null;
            long oldestTs = Long.MAX_VALUE;
            int nonEmpty = 0;
            for (final LiveCapture c : captures)
            {
                final long ts = c.ring().peekTimestamp();
                if (ts != Long.MAX_VALUE)
                {
                    nonEmpty++;
                    if (ts < oldestTs)
                    {
                        oldestTs = ts;
                        oldest = c.ring();
                    }
                }
            }
            if (oldest == null)
            {
                break;
            }
            if (nonEmpty < captures.size() && oldestTs > watermark)
            {
                // an empty ring's interface may still deliver older packets: wait for them (or for the hold to pass)
                break;
            }
            // several rings hold packets: one at a time, in time order; only this one: a slice of it,
            // as far as the hold allows
            delivered += nonEmpty == 1 ? oldest.drain(pipeline, SLICE - delivered, watermark) : oldest.drain(pipeline, 1);
        }
        return delivered;
    }

    private void addCaptureStats(final FlowPipeline pipeline)
    {
        final long[] d = statsDelta;
        Arrays.fill(d, 0);
        boolean moved = false;
        for (int i = 0; i < captures.size(); i++)
        {
            final LiveCapture c = captures.get(i);
            moved |= statsDeltas.add(i, c.received(), c.kernelDrops(), c.interfaceDrops(), c.ringDrops(), d);
        }
        if (moved)
        {
            pipeline.addCaptureStats(d[0], d[1], d[2], d[3]);
        }
    }

    private void refreshStaleStats()
    {
        for (final LiveCapture c : captures)
        {
            c.refreshStaleStats();
        }
    }

    private Throwable firstFailure()
    {
        for (final LiveCapture c : captures)
        {
            if (c.failure() != null)
            {
                return c.failure();
            }
        }
        return null;
    }

    private static void idle(final int idleRounds)
    {
        if (idleRounds < 100)
        {
            Thread.onSpinWait();
        }
        else if (idleRounds < 200)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(idleRounds < 1000 ? 50_000L : 1_000_000L);
        }
    }

    private void stopCaptures()
    {
        for (final LiveCapture c : captures)
        {
            try
            {
                if (!c.stop(1_000))
                {
                    LOG.warn("capture {} did not stop within 1 s", c.interfaceName());
                }
                c.close();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String status(final FlowPipeline pipeline, final long elapsed)
    {
        final StringBuilder sb = new StringBuilder(String.format("live %.0f s: %,d packets, %d bins closed, %,d flows in the open bin",
            elapsed / 1e9, pipeline.packets(), pipeline.binsClosed(), pipeline.table().size()));
        for (final LiveCapture c : captures)
        {
            sb.append(String.format("; %s received %,d, dropped kernel %,d interface %,d ring %,d", c.interfaceName(), c.received(),
                c.kernelDrops(), c.interfaceDrops(), c.ringDrops()));
        }
        return sb.toString();
    }

    /** Asks the run to stop (any thread); it closes the last bin and returns from {@link #run}. */
    public void requestStop()
    {
        stopRequested = true;
    }

    /** Waits until the captures are open (or failed to open), up to {@code millis}. */
    public boolean awaitStarted(final long millis) throws InterruptedException
    {
        return started.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Waits until {@link #run} has finished, up to {@code millis}. */
    public boolean awaitDone(final long millis) throws InterruptedException
    {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The running captures (for metrics; empty before {@link #run} opens them). */
    public List<LiveCapture> captures()
    {
        return List.copyOf(captures);
    }

    /** Flows in the open bin, as last seen by the pipeline thread (for metrics). */
    public int flowTableSize()
    {
        return flowTableSize;
    }

    /** Packets counted by the pipeline, as last published by its thread. */
    public long packets()
    {
        return packets;
    }

    /** Wall time of the run, ns. */
    public long elapsedNanos()
    {
        return elapsedNanos;
    }
}
