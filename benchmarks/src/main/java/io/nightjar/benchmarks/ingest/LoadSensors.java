package io.nightjar.benchmarks.ingest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.FrameDecoder;
import io.nightjar.wire.frame.FrameType;
import io.nightjar.wire.frame.Frames;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.arrow.memory.RootAllocator;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * N simulated sensors on loopback: real connections (mutual TLS with each sensor's own certificate,
 * or plaintext), each saying HELLO and then sending BATCH frames of one pre-built Arrow stream of
 * plausible flow records, at a fixed offered rate or as fast as a window of unacknowledged batches
 * allows. Every batch's ACK latency is measured from its <em>intended</em> send time (the fixed-rate
 * schedule, so a stalled aggregator cannot hide behind a stalled sender: no coordinated omission)
 * into an HdrHistogram. Bounded: at most 200 connections, and every drive has an end time.
 *
 * <p>Threads: one Netty event loop for the connections; {@link #drive} on the caller's thread.
 */
public final class LoadSensors implements AutoCloseable
{
    /** Most connections one load generator opens. */
    public static final int MAX_SENSORS = 200;
    /** Send times kept per connection, by sequence modulo this (far above any window). */
    private static final int CAPACITY = 1 << 12;

    /** The outcome of one drive. */
    public record Result(double ackedPerSecond, long offered, Histogram latency, long batches)
    {
        /** p99 ACK latency, ms. */
        public double p99Millis()
        {
            return latency.getValueAtPercentile(99) / 1000.0;
        }
    }

    private static final class Sensor
    {
        final Channel channel;
        final AtomicLong acked = new AtomicLong();
        final AtomicLongArray intended = new AtomicLongArray(CAPACITY);
        final byte[] arrow;
        long sent;

        Sensor(final Channel channel, final byte[] arrow)
        {
            this.channel = channel;
            this.arrow = arrow;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<Sensor> sensors = new ArrayList<>();
    private final Recorder latency = new Recorder(3);
    private final int rows;

    /**
     * Connects {@code ids.size()} sensors to {@code ingest} and waits for every HELLO's answer.
     *
     * @param pki  the directory of {@code deploy/certs/make-certs.sh} with a certificate per id, or null for plaintext.
     * @param rows flow records per batch.
     */
    public LoadSensors(final InetSocketAddress ingest, final List<String> ids, final Path pki, final int rows) throws InterruptedException
    {
        if (ids.isEmpty() || ids.size() > MAX_SENSORS)
        {
            throw new IllegalArgumentException("1.." + MAX_SENSORS + " sensors");
        }
        this.rows = rows;
        final CountDownLatch hellos = new CountDownLatch(ids.size());
        try (RootAllocator allocator = new RootAllocator())
        {
            for (int s = 0; s < ids.size(); s++)
            {
                final String id = ids.get(s);
                final SslContext tls = pki == null ? null : TlsContexts.client(new TlsFiles(pki.resolve("sensors/" + id + ".pem"),
                    pki.resolve("sensors/" + id + ".key"), pki.resolve("ca.pem")));
                final Sensor[] holder = new Sensor[1];
                final Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>()
                    {
                        @Override
                        protected void initChannel(final SocketChannel c)
                        {
                            if (tls != null)
                            {
                                c.pipeline().addLast(tls.newHandler(c.alloc(), "localhost", ingest.getPort()));
                            }
                            c.pipeline().addLast(new FrameDecoder(1 << 20, false), new AckHandler(holder, hellos));
                        }
                    }).connect(ingest).sync().channel();
                holder[0] = new Sensor(ch, batch(id, rows, allocator, s));
                sensors.add(holder[0]);
                ch.writeAndFlush(Frames.hello(ch.alloc(), new Frames.Hello(id, "ingest-load", BatchSchemas.VERSION, "load-" + id)));
            }
        }
        if (!hellos.await(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("not every sensor got an answer to HELLO");
        }
    }

    private final class AckHandler extends ChannelInboundHandlerAdapter
    {
        private final Sensor[] holder;
        private final CountDownLatch hellos;
        private boolean helloDone;

        AckHandler(final Sensor[] holder, final CountDownLatch hellos)
        {
            this.holder = holder;
            this.hellos = hellos;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final Frame f = (Frame)msg;
            try
            {
                if (f.type() != FrameType.ACK)
                {
                    System.err.println("aggregator said " + Frames.readError(f.payload()));
                    return;
                }
                final Frames.Ack ack = Frames.readAck(f.payload());
                final Sensor me = holder[0];
                if (!helloDone)
                {
                    // the answer to HELLO is the store's highest sequence of this sensor id: continue above
                    // it, so that a store kept from an earlier run (query-load.sh) gets new batches, not
                    // duplicates acknowledged at once (the count-down orders these writes before the sends)
                    helloDone = true;
                    me.sent = ack.sequence();
                    me.acked.set(ack.sequence());
                    hellos.countDown();
                    return;
                }
                final long now = System.nanoTime();
                for (long q = me.acked.get() + 1; q <= ack.sequence(); q++)
                {
                    final long t = me.intended.get((int)(q % CAPACITY));
                    if (t > 0)
                    {
                        latency.recordValue(Math.max(0, (now - t) / 1000));
                    }
                }
                me.acked.set(ack.sequence());
            }
            finally
            {
                f.release();
            }
        }
    }

    /**
     * Sends for {@code warmupSeconds + seconds} at {@code rate} records/s over all connections (0: as
     * fast as {@code window} unacknowledged batches per connection allow) and measures the last
     * {@code seconds}. Returns early, unmeasured, if {@code stop} becomes true.
     */
    public Result drive(final long rate, final int window, final int warmupSeconds, final int seconds,
                        final java.util.function.BooleanSupplier stop) throws InterruptedException
    {
        if (window < 1 || window >= CAPACITY)
        {
            throw new IllegalArgumentException("window must be 1.." + (CAPACITY - 1));
        }
        final int n = sensors.size();
        final long intervalNanos = rate <= 0 ? 0 : (long)(1e9 * rows * n / rate);
        final long start = System.nanoTime();
        final long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        final long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        final long[] base = new long[n];
        for (int s = 0; s < n; s++)
        {
            base[s] = sensors.get(s).sent;
        }
        long ackedAtMeasureStart = -1;
        while (System.nanoTime() < end && !stop.getAsBoolean())
        {
            final long now = System.nanoTime();
            if (ackedAtMeasureStart < 0 && now >= measureFrom)
            {
                ackedAtMeasureStart = acked();
                latency.getIntervalHistogram(); // drop the warm-up
            }
            boolean sentAny = false;
            for (int s = 0; s < n; s++)
            {
                final Sensor sensor = sensors.get(s);
                final long due = intervalNanos == 0 ? now : start + (sensor.sent - base[s]) * intervalNanos + s * (intervalNanos / n);
                if (due > now || sensor.sent - sensor.acked.get() >= window)
                {
                    continue;
                }
                final long seq = ++sensor.sent;
                sensor.intended.set((int)(seq % CAPACITY), intervalNanos == 0 ? now : due);
                final ByteBuf header = Frames.batchHeader(ByteBufAllocator.DEFAULT, new Frames.BatchHeader(seq, seq, seq, rows), 0,
                    sensor.arrow.length);
                sensor.channel.writeAndFlush(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(sensor.arrow)), sensor.channel.voidPromise());
                sentAny = true;
            }
            if (!sentAny)
            {
                Thread.onSpinWait();
                Thread.sleep(0, 200_000);
            }
        }
        final long ackedRows = (acked() - Math.max(0, ackedAtMeasureStart)) * rows;
        final Histogram h = latency.getIntervalHistogram();
        return new Result(ackedRows / (double)seconds, rate, h, h.getTotalCount());
    }

    private long acked()
    {
        long a = 0;
        for (final Sensor s : sensors)
        {
            a += s.acked.get();
        }
        return a;
    }

    @Override
    public void close()
    {
        for (final Sensor s : sensors)
        {
            s.channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One Arrow IPC stream of {@code rows} plausible darknet flow records of sensor {@code id}. */
    private static byte[] batch(final String id, final int rows, final RootAllocator allocator, final int seed)
    {
        final Random rnd = new Random(seed);
        try (FlowBatchBuilder b = new FlowBatchBuilder(id, allocator))
        {
            final int[] ports = {23, 22, 80, 443, 8080, 445, 3389, 5555, 6379, 2323};
            for (int i = 0; i < rows; i++)
            {
                final byte[] src = new byte[16];
                src[10] = (byte)0xff;
                src[11] = (byte)0xff;
                final int v4 = rnd.nextInt(1 << 20) * 4093; // about 1M distinct sources
                src[12] = (byte)(v4 >>> 24);
                src[13] = (byte)(v4 >>> 16);
                src[14] = (byte)(v4 >>> 8);
                src[15] = (byte)v4;
                final long packets = 1 + rnd.nextInt(20);
                b.add(new FlowRecord(1_717_200_000_000_000L, 60_000_000L, src, 6, ports[rnd.nextInt(ports.length)], TrafficClass.TCP_SCAN.id(),
                    rnd.nextInt(8) == 0 ? 1 : 0, null, packets, packets * 60, Math.min(packets, 256), null, 1_717_200_000_000_000L + i,
                    1_717_200_000_000_000L + i + 1000, 2, 40 + rnd.nextInt(20), 64, 1024, "M1460,N,W7"));
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.writeTo(out);
            return out.toByteArray();
        }
    }
}
