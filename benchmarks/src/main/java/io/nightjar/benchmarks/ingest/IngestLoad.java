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
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.FrameDecoder;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * End-to-end ingest load: N simulated sensors (real TLS connections on loopback, each with its
 * own certificate) send BATCH frames of R flow records to an in-process aggregator with its real
 * DuckDB store, at a fixed offered rate or as fast as their window allows. ACK latency is measured
 * from each batch's intended send time (no coordinated omission) into an HdrHistogram.
 * Bounded in connections (≤ 200) and time.
 *
 * <pre>
 * usage: IngestLoad --pki DIR [--sensors 16] [--rows 8192] [--rate RECORDS_PER_S | 0] [--seconds 20] [--warmup 5] [--window 4]
 *        [--plaintext] [--geo DIR | --geo none | --geo off]
 * </pre>
 * {@code --geo}: source attribution with the geo data in DIR (default: the geo cache), {@code none}
 * (the {@code sources} table kept, every source unknown) or {@code off} (no {@code sources} upkeep at all).
 * The PKI directory comes from {@code deploy/certs/make-certs.sh} with sensors s1..sN.
 */
public final class IngestLoad
{
    private IngestLoad()
    {
    }

    private static final class Sensor
    {
        final String id;
        final Channel channel;
        final AtomicLong acked = new AtomicLong();
        final AtomicLongArray intended;
        long sent;

        Sensor(final String id, final Channel channel, final int capacity)
        {
            this.id = id;
            this.channel = channel;
            this.intended = new AtomicLongArray(capacity);
        }
    }

    /** Entry point; prints one result line per measurement. */
    public static void main(final String[] args) throws Exception
    {
        Path pki = null;
        int sensors = 16;
        int rows = 8192;
        long rate = 0;
        int seconds = 20;
        int warmup = 5;
        int window = 4;
        boolean plaintext = false;
        String geo = Enricher.defaultDirectory().toString();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--pki" -> pki = Path.of(args[++i]);
                case "--sensors" -> sensors = Integer.parseInt(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Long.parseLong(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--plaintext" -> plaintext = true;
                case "--geo" -> geo = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (sensors < 1 || sensors > 200 || seconds > 600 || (pki == null && !plaintext))
        {
            throw new IllegalArgumentException("need --pki DIR (or --plaintext), 1..200 sensors, at most 600 s");
        }
        final Path data = Files.createTempDirectory("nightjar-ingest-load");
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        final SslContext serverTls = plaintext ? null
            : TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true);
        final RootAllocator allocator = new RootAllocator();
        final Recorder latency = new Recorder(3);
        final Enricher enricher = geo.equals("off") ? null : geo.equals("none") ? Enricher.none() : Enricher.load(Path.of(geo));
        System.out.printf("geo: %s%n", enricher == null ? "off (no sources table upkeep)" : enricher.version());
        try (Aggregator agg = new Aggregator(Aggregator.Settings.of(any, null, data, serverTls, SensorRegistry.open()).withEnricher(enricher)))
        {
            final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            final List<Sensor> all = new ArrayList<>();
            final int capacity = 1 << 22;
            final CountDownLatch hellos = new CountDownLatch(sensors);
            final byte[][] arrow = new byte[sensors][];
            for (int s = 0; s < sensors; s++)
            {
                final String id = "s" + (s + 1);
                arrow[s] = batch(id, rows, allocator, s);
                final SslContext tls = plaintext ? null : TlsContexts.client(new TlsFiles(pki.resolve("sensors/" + id + ".pem"),
                    pki.resolve("sensors/" + id + ".key"), pki.resolve("ca.pem")));
                final Sensor[] holder = new Sensor[1];
                final int port = agg.ingestAddress().getPort();
                final Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>()
                    {
                        @Override
                        protected void initChannel(final SocketChannel c)
                        {
                            if (tls != null)
                            {
                                c.pipeline().addLast(tls.newHandler(c.alloc(), "localhost", port));
                            }
                            c.pipeline().addLast(new FrameDecoder(1 << 20, false), new ChannelInboundHandlerAdapter()
                            {
                                private boolean helloDone;

                                @Override
                                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                                {
                                    final Frame f = (Frame)msg;
                                    try
                                    {
                                        if (f.type() != io.nightjar.wire.frame.FrameType.ACK)
                                        {
                                            System.err.println("aggregator said " + Frames.readError(f.payload()));
                                            return;
                                        }
                                        final Frames.Ack ack = Frames.readAck(f.payload());
                                        if (!helloDone)
                                        {
                                            helloDone = true;
                                            hellos.countDown();
                                            return;
                                        }
                                        final Sensor me = holder[0];
                                        final long now = System.nanoTime();
                                        for (long q = me.acked.get() + 1; q <= ack.sequence(); q++)
                                        {
                                            final long t = me.intended.get((int)(q % capacity));
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
                            });
                        }
                    }).connect(agg.ingestAddress()).sync().channel();
                final Sensor sensor = new Sensor(id, ch, capacity);
                holder[0] = sensor;
                all.add(sensor);
                ch.writeAndFlush(Frames.hello(ch.alloc(), new Frames.Hello(id, "ingest-load", BatchSchemas.VERSION, "load-" + id)));
            }
            if (!hellos.await(30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("not every sensor got an answer to HELLO");
            }
            final long intervalNanos = rate <= 0 ? 0 : (long)(1e9 * rows * sensors / rate);
            final long start = System.nanoTime();
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            final long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long ackedAtMeasureStart = -1;
            long k = 0;
            while (System.nanoTime() < end)
            {
                final long now = System.nanoTime();
                if (ackedAtMeasureStart < 0 && now >= measureFrom)
                {
                    ackedAtMeasureStart = acked(all);
                    latency.getIntervalHistogram(); // drop the warm-up
                }
                boolean sentAny = false;
                for (int s = 0; s < all.size(); s++)
                {
                    final Sensor sensor = all.get(s);
                    final long due = intervalNanos == 0 ? now : start + (sensor.sent) * intervalNanos + s * (intervalNanos / Math.max(1, sensors));
                    if (due > now || sensor.sent - sensor.acked.get() >= window)
                    {
                        continue;
                    }
                    final long seq = ++sensor.sent;
                    sensor.intended.set((int)(seq % capacity), intervalNanos == 0 ? now : due);
                    final ByteBuf header = Frames.batchHeader(ByteBufAllocator.DEFAULT, new Frames.BatchHeader(seq, seq, seq, rows), 0,
                        arrow[s].length);
                    sensor.channel.writeAndFlush(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(arrow[s])), sensor.channel.voidPromise());
                    sentAny = true;
                }
                if (!sentAny)
                {
                    Thread.onSpinWait();
                    if (intervalNanos == 0)
                    {
                        Thread.sleep(0, 200_000);
                    }
                }
                k++;
            }
            final long ackedRows = (acked(all) - Math.max(0, ackedAtMeasureStart)) * rows;
            final Histogram h = latency.getIntervalHistogram();
            final double secs = seconds;
            long stored;
            try (Connection c = agg.store().openReader(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM flows"))
            {
                rs.next();
                stored = rs.getLong(1);
            }
            System.out.printf("ingest-load: %d sensors, %s, %d rows/batch, window %d, offered %s: acknowledged %,.0f records/s over %d s;"
                    + " ACK latency from intended send time p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (%d batches); %,d rows in the store%n",
                sensors, plaintext ? "plaintext" : "mutual TLS (" + TlsContexts.provider() + ")", rows, window,
                rate <= 0 ? "unthrottled" : String.format("%,d records/s", rate), ackedRows / secs, seconds,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0, h.getTotalCount(), stored);
            final Histogram commits = agg.metrics().commitMicros.getIntervalHistogram();
            System.out.printf("ingest-load: store writer: %d transactions, mean %.1f ms, p99 %.1f ms, busy %.0f%% of the run; %d pauses for back-pressure%n",
                commits.getTotalCount(), commits.getMean() / 1000, commits.getValueAtPercentile(99) / 1000.0,
                100.0 * commits.getMean() * commits.getTotalCount() / 1e6 / (seconds + warmup), agg.metrics().pauses.sum());
            for (final Sensor s : all)
            {
                s.channel.close().syncUninterruptibly();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        finally
        {
            allocator.close();
            try (var files = Files.walk(data))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long acked(final List<Sensor> all)
    {
        long n = 0;
        for (final Sensor s : all)
        {
            n += s.acked.get();
        }
        return n;
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
