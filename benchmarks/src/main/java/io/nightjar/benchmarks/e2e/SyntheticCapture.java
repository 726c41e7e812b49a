package io.nightjar.benchmarks.e2e;

import io.nightjar.benchmarks.traffic.DarknetTraffic;
import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.generate.PcapWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a classic pcap file (Ethernet, microsecond, little-endian, snaplen 65535) of
 * {@link DarknetTraffic} frames: the input of {@code compare-e2e.sh} and {@code ReaderBenchmark}
 * until the project's {@code nightjar generate} is available, and a fixed reference afterwards.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.nightjar.benchmarks.e2e.SyntheticCapture \
 *     --packets 10000000 --seed 1 --out /tmp/darknet-10m.pcap
 * </pre>
 *
 * Prints the darknet prefixes to pass to {@code nightjar summarize --darknet}.
 */
public final class SyntheticCapture
{
    private SyntheticCapture()
    {
    }

    /**
     * Writes {@code packets} frames generated with {@code seed} to {@code out} (through a temporary
     * file renamed at the end, so a partial file never has the final name).
     *
     * @return bytes written.
     */
    public static long write(final Path out, final long packets, final long seed) throws IOException
    {
        if (packets < 1)
        {
            throw new IllegalArgumentException("--packets must be positive: " + packets);
        }
        final Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".part");
        final DarknetTraffic traffic = new DarknetTraffic(seed);
        final byte[] frame = new byte[DarknetTraffic.MAX_FRAME_BYTES];
        final long bytes;
        try
        {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 PcapWriter w = new PcapWriter(os, LinkType.ETHERNET, 65535, false, ByteOrder.LITTLE_ENDIAN))
            {
                for (long i = 0; i < packets; i++)
                {
                    final int len = traffic.next(frame, 0);
                    w.write(traffic.timestampNanos(), frame, 0, len);
                }
                w.flush();
                bytes = w.fileBytes();
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
        return bytes;
    }

    /** {@code --packets N --seed S --out FILE}. */
    public static void main(final String[] args) throws IOException
    {
        long packets = 10_000_000L;
        long seed = 1;
        Path out = null;
        for (int i = 0; i < args.length; i++)
        {
            final String a = args[i];
            if (i + 1 >= args.length && !a.equals("--help"))
            {
                usage("missing value after " + a);
            }
            switch (a)
            {
                case "--packets" -> packets = Long.parseLong(args[++i].replace("_", ""));
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--help" -> usage(null);
                default -> usage("unknown option " + a);
            }
        }
        if (out == null)
        {
            usage("--out is required");
        }
        final long start = System.nanoTime();
        final long bytes = write(out, packets, seed);
        System.err.printf("synthetic-capture: %,d packets, %,d bytes to %s in %.1f s; darknet %s%n",
            packets, bytes, out, (System.nanoTime() - start) / 1e9, DarknetTraffic.DARKNET);
    }

    private static void usage(final String problem)
    {
        if (problem != null)
        {
            System.err.println("synthetic-capture: " + problem);
        }
        System.err.println("usage: SyntheticCapture --packets N --seed S --out FILE.pcap");
        System.exit(problem == null ? 0 : 2);
    }
}
