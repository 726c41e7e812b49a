package io.nightjar.sensor.capture;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nightjar.sensor.capture.CaptureFileFixtures.HashingHandler;
import io.nightjar.sensor.capture.CaptureFileFixtures.Packet;

import static io.nightjar.sensor.capture.CaptureFileFixtures.gzip;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcap;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcapng;
import static io.nightjar.sensor.capture.CaptureFileFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-place readers allocate (almost) nothing per packet once warmed up, measured with the thread's
 * allocation counter around the read loop.
 */
class CaptureAllocationTest
{
    private static final int PACKETS = 100_000;
    private static final double MAX_BYTES_PER_PACKET = 0.05;

    @TempDir
    static Path dir;
    private static Path pcapFile;
    private static Path pcapngFile;
    private static Path gzipFile;

    @BeforeAll
    static void writeFiles()
    {
        final List<Packet> packets = new ArrayList<>(PACKETS);
        final byte[] data = new byte[60];
        for (int i = 0; i < PACKETS; i++)
        {
            data[0] = (byte)i;
            packets.add(new Packet(1_700_000_000_000_000_000L + i * 1000L, LinkType.ETHERNET, 60, data.clone()));
        }
        final byte[] file = pcap(packets, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET);
        pcapFile = write(dir, "alloc.pcap", file);
        pcapngFile = write(dir, "alloc.pcapng", pcapng(packets, ByteOrder.BIG_ENDIAN));
        gzipFile = write(dir, "alloc.pcap.gz", gzip(file));
    }

    @Test
    void shouldNotAllocatePerPacketReadingMappedPcap() throws IOException
    {
        assertThat(bytesPerPacket(pcapFile, "pcap mmap")).isLessThan(MAX_BYTES_PER_PACKET);
    }

    @Test
    void shouldNotAllocatePerPacketReadingMappedPcapng() throws IOException
    {
        assertThat(bytesPerPacket(pcapngFile, "pcapng mmap")).isLessThan(MAX_BYTES_PER_PACKET);
    }

    @Test
    void shouldNotAllocatePerPacketReadingGzipPcap() throws IOException
    {
        assertThat(bytesPerPacket(gzipFile, "pcap gzip")).isLessThan(MAX_BYTES_PER_PACKET);
    }

    private static double bytesPerPacket(final Path file, final String label) throws IOException
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final HashingHandler handler = new HashingHandler();
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 8; round++)
        {
            try (PacketSource source = CaptureFiles.open(file))
            {
                final long before = threads.getThreadAllocatedBytes(thread);
                final long start = System.nanoTime();
                long packets = 0;
                int n;
                while ((n = source.read(handler, 4096)) >= 0)
                {
                    packets += n;
                }
                final long nanos = System.nanoTime() - start;
                final long allocated = threads.getThreadAllocatedBytes(thread) - before;
                assertThat(packets).isEqualTo(PACKETS);
                best = Math.min(best, (double)allocated / packets);
                if (round == 7)
                {
                    System.out.printf("%s: %.1f M packets/s (with a hashing handler), %.4f bytes/packet%n",
                        label, packets * 1e3 / nanos, (double)allocated / packets);
                }
            }
        }
        return best;
    }
}
