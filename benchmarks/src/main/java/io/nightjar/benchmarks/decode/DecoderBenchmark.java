package io.nightjar.benchmarks.decode;

import io.nightjar.benchmarks.traffic.DarknetTraffic;
import io.nightjar.benchmarks.traffic.PacketBatch;
import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Classifier;
import io.nightjar.sensor.decode.DecodedPacket;
import io.nightjar.sensor.decode.PacketDecoder;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Decoding alone ({@link PacketDecoder#decode}), and decoding plus classification, over the same
 * in-memory darknet frames as {@code PipelineBenchmark}: the difference between these and the
 * pipeline is the flow table's share. The score is packets per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecoderBenchmark
{
    /** Packets per benchmark invocation. */
    public static final int CHUNK = 1_000_000;

    /** Frames held in memory; a multiple of {@value #CHUNK}. */
    @Param("10000000")
    public int packets;

    /** Seed of the synthetic traffic. */
    @Param("1")
    public long seed;

    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket packet = new DecodedPacket();
    private PacketBatch batch;
    private ByteBuffer frames;
    private int[] offsets;
    private int[] times;
    private int cursor;

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
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long decode()
    {
        final PacketDecoder d = decoder;
        final DecodedPacket p = packet;
        final ByteBuffer f = frames;
        final int[] off = offsets;
        final int[] t = times;
        final int from = cursor;
        final int to = from + CHUNK;
        long sink = 0;
        for (int i = from; i < to; i++)
        {
            final int o = off[i];
            final int len = off[i + 1] - o;
            d.decode(f, o, len, len, LinkType.ETHERNET, DarknetTraffic.START_NANOS + t[i] * 1_000L, p);
            // fold what the pipeline reads, so no field's decoding is dead code
            sink += p.srcLo ^ p.dstLo ^ p.dstPort ^ p.tcpFlags ^ p.anomalies ^ p.tcpOptionKinds ^ p.ipId;
        }
        cursor = to == batch.count() ? 0 : to;
        return sink;
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long decodeAndClassify()
    {
        final PacketDecoder d = decoder;
        final DecodedPacket p = packet;
        final ByteBuffer f = frames;
        final int[] off = offsets;
        final int[] t = times;
        final int from = cursor;
        final int to = from + CHUNK;
        long sink = 0;
        for (int i = from; i < to; i++)
        {
            final int o = off[i];
            final int len = off[i + 1] - o;
            d.decode(f, o, len, len, LinkType.ETHERNET, DarknetTraffic.START_NANOS + t[i] * 1_000L, p);
            final int cls = Classifier.classify(p);
            sink += p.srcLo ^ p.dstLo ^ p.dstPort ^ p.anomalies ^ ((long)cls << 40) ^ Classifier.fingerprint(p, cls);
        }
        cursor = to == batch.count() ? 0 : to;
        return sink;
    }
}
