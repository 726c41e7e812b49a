package io.nightjar.benchmarks.capture;

import io.nightjar.benchmarks.e2e.SyntheticCapture;
import io.nightjar.sensor.capture.CaptureFiles;
import io.nightjar.sensor.capture.PacketHandler;
import io.nightjar.sensor.capture.PacketSource;
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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The memory-mapped pcap reader ({@link CaptureFiles#open}) walking a synthetic darknet capture
 * with a handler that does nothing but count, so its score is the reader's own cost per record.
 * The file is written once per trial into {@code java.io.tmpdir} (or {@code -Dnightjar.bench.dir})
 * and is read from the page cache. Each invocation delivers the next {@value #CHUNK} records,
 * reopening the file at its end. The score is packets per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReaderBenchmark
{
    /** Packets per benchmark invocation. */
    public static final int CHUNK = 1_000_000;

    /** Records in the file. */
    @Param("10000000")
    public int packets;

    /** Seed of the synthetic traffic. */
    @Param("1")
    public long seed;

    private Path file;
    private PacketSource source;
    private final CountingHandler handler = new CountingHandler();

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final Path dir = Path.of(System.getProperty("nightjar.bench.dir", System.getProperty("java.io.tmpdir")));
        file = dir.resolve("nightjar-reader-bench-" + packets + "-" + seed + "-" + ProcessHandle.current().pid() + ".pcap");
        SyntheticCapture.write(file, packets, seed);
        source = CaptureFiles.open(file);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        source.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long read() throws IOException
    {
        int left = CHUNK;
        while (left > 0)
        {
            final int n = source.read(handler, left);
            if (n < 0)
            {
                source.close();
                source = CaptureFiles.open(file);
            }
            else
            {
                left -= n;
            }
        }
        return handler.bytes;
    }

    /** Counts records and captured bytes; touches no packet byte. */
    static final class CountingHandler implements PacketHandler
    {
        long packets;
        long bytes;

        @Override
        public void onPacket(
            final ByteBuffer buffer, final int offset, final int capturedLength, final int wireLength, final long timestampNanos,
            final int linkType)
        {
            packets++;
            bytes += capturedLength;
        }
    }
}
