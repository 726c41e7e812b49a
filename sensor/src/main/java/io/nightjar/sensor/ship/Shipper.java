package io.nightjar.sensor.ship;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.nightjar.sensor.spool.ShipMark;
import io.nightjar.sensor.spool.SpoolFormat;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.BinBatchBuilder;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.Frames;
import io.nightjar.wire.frame.Heartbeat;
import io.nightjar.wire.schema.FlowRecord;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.HdrHistogram.ConcurrentHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Ships the spool to the aggregator: tails the spool from where the aggregator's last
 * acknowledgement stands, builds Arrow batches (whole spool documents, up to a row limit or a
 * linger time, flow records and bin summaries in separate batches), sends up to a window of them,
 * and moves its mark only on ACK. Reconnects with exponential backoff and jitter; on every
 * (re)connection the aggregator's answer to HELLO decides where to resume, so a restarted sensor
 * or a lost connection neither skips nor repeats a record. Batches in flight stay in memory until
 * acknowledged and are resent from there.
 *
 * <p>Runs on its own thread (the spool tailer is thread-confined); the spool writer runs elsewhere.
 */
public final class Shipper implements AutoCloseable
{
    private static final long MAX_LATENCY_MICROS = 3_600_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(Shipper.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;
    private static final long HELLO_TIMEOUT_MILLIS = 15_000;

    private final ShipperSettings settings;
    private final SingleChronicleQueue queue;
    private final ShipMark mark;
    private final Supplier<Heartbeat> health;
    private final String software;
    private final Thread thread;
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean producerDone;
    private volatile boolean closed;

    // shipper-thread state
    private EventLoopGroup group;
    private BufferAllocator allocator;
    private ExcerptTailer tailer;
    private FlowBatchBuilder flows;
    private BinBatchBuilder bins;
    private ShipClient client;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long nextSequence;
    private long lastTaken;
    private int batchType;
    private long batchFirst;
    private long batchLast;
    private long batchStartNanos;
    private SpoolFormat.Document heldBack;
    private long heldBackPosition;
    private int failures;
    private long nextAttemptNanos;
    private long nextHeartbeatNanos;
    private volatile long batchesSent;
    private volatile long batchesAcknowledged;
    private final ConcurrentHistogram ackLatency = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
    private volatile long reconnects;
    private volatile boolean connected;

    private record InFlight(long sequence, long first, long last, long previousLast, ByteBuf frame, int rows, long sentNanos)
    {
    }

    /**
     * Starts shipping the spool {@code queue}.
     *
     * @param mark   the spool's shipping mark (shared with its writer's eviction).
     * @param health supplies the sensor's counters for HEARTBEAT frames (called on the shipper thread).
     */
    public Shipper(final ShipperSettings settings, final SingleChronicleQueue queue, final ShipMark mark, final Supplier<Heartbeat> health,
                   final String software)
    {
        this.settings = settings;
        this.queue = queue;
        this.mark = mark;
        this.health = health;
        this.software = software;
        this.thread = new Thread(this::run, "nightjar-shipper");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Tells the shipper that nothing more will be appended: it finishes once everything is acknowledged. */
    public void finishWhenDrained()
    {
        producerDone = true;
    }

    /** Waits until everything appended is acknowledged (after {@link #finishWhenDrained}), up to {@code millis}. */
    public boolean awaitDrained(final long millis) throws InterruptedException
    {
        return drained.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Batches sent (including resends). */
    public long batchesSent()
    {
        return batchesSent;
    }

    /**
     * Time from sending a batch to its acknowledgement, µs (a batch resent after a reconnect counts from
     * its first send, so an outage shows as latency). Written by the shipper's thread; copy it (e.g. {@code copy()}) to read.
     */
    public ConcurrentHistogram ackLatencyMicros()
    {
        return ackLatency;
    }

    /** Batches acknowledged. */
    public long batchesAcknowledged()
    {
        return batchesAcknowledged;
    }

    /** Successful connections after the first. */
    public long reconnects()
    {
        return reconnects;
    }

    /** True while connected to the aggregator. */
    public boolean connected()
    {
        return connected;
    }

    private void run()
    {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        allocator = new RootAllocator();
        flows = new FlowBatchBuilder(settings.sensorId(), allocator);
        bins = new BinBatchBuilder(settings.sensorId(), allocator);
        tailer = queue.createTailer();
        try
        {
            loop();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("shipper stopped by an unexpected failure", ex);
        }
        finally
        {
            disconnect(false);
            inFlight.forEach(f -> f.frame().release());
            inFlight.clear();
            tailer.close();
            flows.close();
            bins.close();
            allocator.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private void loop() throws InterruptedException
    {
        while (!closed)
        {
            if (client == null)
            {
                if (System.nanoTime() < nextAttemptNanos)
                {
                    Thread.sleep(Math.max(1, Math.min(50, (nextAttemptNanos - System.nanoTime()) / 1_000_000)));
                    continue;
                }
                connect();
                continue;
            }
            Object event;
            while ((event = client.poll(0)) != null)
            {
                if (!onEvent(event))
                {
                    break;
                }
            }
            if (client == null)
            {
                continue;
            }
            heartbeatIfDue();
            boolean progressed = false;
            if (inFlight.size() < settings.window())
            {
                progressed = readAndBatch();
            }
            if (producerDone && !hasBatch() && heldBack == null && inFlight.isEmpty() && !progressed && atEnd())
            {
                drained.countDown();
            }
            if (!progressed)
            {
                final Object e = client.poll(inFlight.size() >= settings.window() ? 100 : 2);
                if (e != null)
                {
                    onEvent(e);
                }
            }
        }
    }

    private boolean atEnd()
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (dc.isPresent())
            {
                dc.rollbackOnClose();
                return false;
            }
            return true;
        }
    }

    /** Reads one spool document into the current batch; flushes when due. Returns true if a document was read. */
    private boolean readAndBatch()
    {
        if (heldBack != null)
        {
            final SpoolFormat.Document d = heldBack;
            heldBack = null;
            add(d, heldBackPosition);
            return true;
        }
        SpoolFormat.Document doc = null;
        long position = 0;
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (dc.isPresent())
            {
                position = dc.index();
                if (mark.take(position))
                {
                    doc = SpoolFormat.read(dc.wire().bytes());
                }
                else
                {
                    return true; // evicted while we were behind: counted by the writer, skip
                }
            }
        }
        if (doc == null)
        {
            if (hasBatch() && (producerDone || System.nanoTime() - batchStartNanos >= settings.linger().toNanos()))
            {
                flush();
                return true;
            }
            return false;
        }
        lastTaken = position;
        if (hasBatch() && doc.type() != batchType)
        {
            flush();
            if (inFlight.size() >= settings.window())
            {
                heldBack = doc;
                heldBackPosition = position;
                return true;
            }
        }
        add(doc, position);
        return true;
    }

    private boolean hasBatch()
    {
        return batchType != 0;
    }

    private void add(final SpoolFormat.Document doc, final long position)
    {
        if (!hasBatch())
        {
            batchType = doc.type();
            batchFirst = position;
            batchStartNanos = System.nanoTime();
        }
        batchLast = position;
        if (doc.type() == SpoolFormat.TYPE_BIN)
        {
            bins.add(doc.bin());
        }
        else
        {
            for (final FlowRecord r : doc.flows())
            {
                flows.add(r);
            }
        }
        if (flows.rows() >= settings.maxBatchRows() || bins.rows() >= settings.maxBatchRows())
        {
            flush();
        }
    }

    private void flush()
    {
        final boolean isBins = batchType == SpoolFormat.TYPE_BIN;
        final int rows = isBins ? bins.rows() : flows.rows();
        final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        final ByteBuf body = alloc.buffer(64 + rows * 96);
        try
        {
            try (ByteBufOutputStream out = new ByteBufOutputStream(body))
            {
                if (isBins)
                {
                    bins.writeTo(out);
                }
                else
                {
                    flows.writeTo(out);
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            final long previousLast = inFlight.isEmpty() ? mark.acknowledgedPosition() : inFlight.peekLast().last();
            final Frames.BatchHeader header = new Frames.BatchHeader(nextSequence++, batchFirst, batchLast, rows);
            final ByteBuf frame = Frames.batchHeader(alloc, header, isBins ? Frame.FLAG_BINS : 0, body.readableBytes());
            frame.writeBytes(body);
            final InFlight f = new InFlight(header.sequence(), batchFirst, batchLast, previousLast, frame, rows, System.nanoTime());
            inFlight.addLast(f);
            client.send(frame.retainedDuplicate());
            batchesSent++;
        }
        finally
        {
            body.release();
            if (isBins)
            {
                bins.clear();
            }
            else
            {
                flows.clear();
            }
            batchType = 0;
        }
    }

    private boolean onEvent(final Object event)
    {
        if (event instanceof Frames.Ack ack)
        {
            onAck(ack);
            return true;
        }
        if (event instanceof Frames.ErrorMessage error)
        {
            LOG.warn("aggregator {}:{} sent error {}: {}", settings.host(), settings.port(), error.code(), error.message());
        }
        else
        {
            LOG.warn("connection to aggregator {}:{} closed", settings.host(), settings.port());
        }
        disconnect(true);
        return false;
    }

    private void onAck(final Frames.Ack ack)
    {
        boolean moved = false;
        final long now = System.nanoTime();
        while (!inFlight.isEmpty() && inFlight.peekFirst().sequence() <= ack.sequence())
        {
            final InFlight f = inFlight.pollFirst();
            ackLatency.recordValue(Math.min(Math.max(0, (now - f.sentNanos()) / 1000), MAX_LATENCY_MICROS));
            f.frame().release();
            batchesAcknowledged++;
            moved = true;
        }
        if (moved || ack.sequence() > mark.acknowledgedSequence())
        {
            mark.acknowledged(ack.sequence(), ack.position());
        }
    }

    private void connect() throws InterruptedException
    {
        final ShipClient c;
        try
        {
            c = ShipClient.connect(group, settings.host(), settings.port(), settings.tls(), CONNECT_TIMEOUT_MILLIS);
        }
        catch (final IOException ex)
        {
            retryLater(ex.getMessage());
            return;
        }
        c.send(Frames.hello(c.alloc(), new Frames.Hello(settings.sensorId(), software, BatchSchemas.VERSION, mark.spoolId())));
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HELLO_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline && !closed)
        {
            final Object e = c.poll(100);
            if (e == null)
            {
                continue;
            }
            if (e instanceof Frames.Ack ack)
            {
                client = c;
                resume(ack);
                return;
            }
            c.close();
            retryLater(e instanceof Frames.ErrorMessage m ? "error " + m.code() + ": " + m.message() : "connection closed during HELLO");
            return;
        }
        c.close();
        retryLater("no answer to HELLO within " + HELLO_TIMEOUT_MILLIS + " ms");
    }

    /** Picks up after the aggregator's answer to HELLO: resend what is in memory, or re-read the spool after its position. */
    private void resume(final Frames.Ack ack)
    {
        if (failures > 0 || batchesSent > 0)
        {
            reconnects++;
        }
        failures = 0;
        connected = true;
        nextHeartbeatNanos = System.nanoTime();
        while (!inFlight.isEmpty() && inFlight.peekFirst().last() <= ack.position() && inFlight.peekFirst().sequence() <= ack.sequence())
        {
            inFlight.pollFirst().frame().release();
            batchesAcknowledged++;
        }
        mark.acknowledged(ack.sequence(), ack.position());
        final InFlight first = inFlight.peekFirst();
        if (first != null && first.previousLast() == ack.position() && first.sequence() == ack.sequence() + 1)
        {
            LOG.info("connected to aggregator {}:{}; it holds sequence {} (position {}); resending {} batches in flight",
                settings.host(), settings.port(), ack.sequence(), ack.position(), inFlight.size());
            for (final InFlight f : inFlight)
            {
                client.send(f.frame().retainedDuplicate());
                batchesSent++;
            }
            return;
        }
        if (first == null && !hasBatch() && heldBack == null && ack.position() == lastTaken && ack.sequence() == nextSequence - 1)
        {
            LOG.info("connected to aggregator {}:{}; it holds sequence {} (position {}), as do we", settings.host(), settings.port(),
                ack.sequence(), ack.position());
            mark.settleInFlight(ack.position());
            return;
        }
        // Anything else (restart, aggregator behind or ahead): drop what is in memory and re-read after its position.
        inFlight.forEach(f -> f.frame().release());
        inFlight.clear();
        flows.clear();
        bins.clear();
        batchType = 0;
        heldBack = null;
        nextSequence = ack.sequence() + 1;
        lastTaken = ack.position();
        mark.rewindTo(ack.position());
        mark.settleInFlight(ack.position());
        if (ack.position() == 0 || !tailer.moveToIndex(ack.position()))
        {
            tailer.toStart();
        }
        else
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                // skip the acknowledged document itself
            }
        }
        LOG.info("connected to aggregator {}:{}; it holds sequence {} (position {}); shipping from there", settings.host(), settings.port(),
            ack.sequence(), ack.position());
    }

    private void retryLater(final String why)
    {
        failures++;
        final long base = settings.backoffMin().toNanos() << Math.min(20, failures - 1);
        final long capped = Math.min(base, settings.backoffMax().toNanos());
        final long delay = (long)(capped * (0.5 + ThreadLocalRandom.current().nextDouble()));
        nextAttemptNanos = System.nanoTime() + delay;
        if (failures <= 3 || Integer.bitCount(failures) == 1)
        {
            LOG.warn("aggregator {}:{} unreachable ({}); attempt {} failed, retrying in {} ms; the spool keeps everything meanwhile",
                settings.host(), settings.port(), why, failures, delay / 1_000_000);
        }
    }

    private void heartbeatIfDue()
    {
        if (System.nanoTime() >= nextHeartbeatNanos && health != null)
        {
            nextHeartbeatNanos = System.nanoTime() + settings.heartbeat().toNanos();
            client.send(Frames.heartbeat(client.alloc(), health.get()));
        }
    }

    private void disconnect(final boolean retry)
    {
        connected = false;
        if (client != null)
        {
            client.close();
            client = null;
        }
        if (retry)
        {
            retryLater("connection lost");
        }
    }

    @Override
    public void close()
    {
        closed = true;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
