package io.nightjar.benchmarks.flow;

import io.nightjar.benchmarks.traffic.DarknetTraffic;
import io.nightjar.benchmarks.traffic.PacketBatch;
import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The sensor's per-packet path, one thread: {@link FlowPipeline#onPacket} (decode, classify, flow
 * table update, distinct destinations) over {@link #packets} in-memory darknet frames. Bins close
 * by packet time (60 s bins, as the CLI default) into a counting {@link BinListener}; the flow
 * table has the CLI's default limits. Each invocation handles the next {@value #CHUNK} packets,
 * wrapping around the batch with time shifted forward, so the table sees a steady state of bins
 * filling and closing. The score is packets per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PipelineBenchmark
{
    /** Packets per benchmark invocation (the score's unit is one packet). */
    public static final int CHUNK = 1_000_000;

    /** Frames held in memory; a multiple of {@value #CHUNK}. */
    @Param("10000000")
    public int packets;

    /** Seed of the synthetic traffic. */
    @Param("1")
    public long seed;

    private PacketBatch batch;
    private ByteBuffer frames;
    private int[] offsets;
    private int[] times;
    private FlowPipeline pipeline;
    private final CountingBinListener listener = new CountingBinListener();
    private int cursor;
    private long timeShiftNanos;

    @Setup(Level.Trial)
    public void setUp()
    {
        if (packets % CHUNK != 0)
        {
            throw new IllegalArgumentException("packets must be a multiple of " + CHUNK + ": " + packets);
        }
        batch = PacketBatch.generate(packets, seed);
        frames = batch.frames();
        offsets = batch.offsets();
        times = batch.timeMicros();
        pipeline = new FlowPipeline(
            Darknet.parse(DarknetTraffic.DARKNET), TimeUnit.SECONDS.toNanos(60), new FlowTable(1 << 16, 4_000_000, 16_000_000), listener);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pipeline.finish();
        System.out.printf("%n[pipeline] %,d packets, %,d bins closed, %,d flows in closed bins (%.0f flows/bin), largest bin %,d flows %,d (flow, destination) pairs%n",
            pipeline.packets(), listener.bins, listener.flows, listener.bins == 0 ? 0.0 : (double)listener.flows / listener.bins,
            listener.maxFlows, listener.maxPairs);
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long pipeline()
    {
        final FlowPipeline p = pipeline;
        final ByteBuffer f = frames;
        final int[] off = offsets;
        final int[] t = times;
        final long base = DarknetTraffic.START_NANOS + timeShiftNanos;
        final int from = cursor;
        final int to = from + CHUNK;
        for (int i = from; i < to; i++)
        {
            final int o = off[i];
            final int len = off[i + 1] - o;
            p.onPacket(f, o, len, len, base + t[i] * 1_000L, LinkType.ETHERNET);
        }
        if (to == batch.count())
        {
            cursor = 0;
            timeShiftNanos += batch.spanNanos();
        }
        else
        {
            cursor = to;
        }
        return p.packets();
    }

    /** Counts closed bins and their flows; what a spool or summary would read, without the cost. */
    static final class CountingBinListener implements BinListener
    {
        long bins;
        long flows;
        long maxFlows;
        long maxPairs;

        @Override
        public void onBinClosed(final long binStartNanos, final long binLengthNanos, final BinCounters counters, final FlowTable table)
        {
            bins++;
            flows += table.size();
            maxFlows = Math.max(maxFlows, table.size());
            maxPairs = Math.max(maxPairs, table.destinationPairs());
        }
    }
}
