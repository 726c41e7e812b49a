package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.nightjar.sensor.classify.Classifier;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.decode.DecodedPacket;
import io.nightjar.sensor.decode.PacketDecoder;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.summary.RunSummary;
import io.nightjar.wire.schema.TrafficClass;

import io.nightjar.sensor.capture.CaptureFileFixtures.Packet;
import io.nightjar.sensor.capture.CaptureFileFixtures.PcapngBuilder;

import static io.nightjar.sensor.capture.CaptureFileFixtures.gzip;
import static io.nightjar.sensor.capture.CaptureFileFixtures.packets;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcap;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcapng;
import static io.nightjar.sensor.capture.CaptureFileFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Seeded random and mutated files (flipped bytes, planted lengths, truncations, splices, gzip of those):
 * opening throws nothing but {@link IOException}, reading never throws, never hangs, never hands out bytes
 * outside its buffer, and always ends with -1.
 *
 * <p>The coverage-guided target {@link #everyRecordOfAnArbitraryFileGetsExactlyOneClassAndDamageIsReported}
 * (Jazzer: the inputs under {@code CaptureFuzzTestInputs/} in {@code mvn test}, fuzzing with
 * {@code JAZZER_FUZZ=1}) takes the file's bytes from the fuzzer and follows every record through the
 * decoder, the classifier and the summariser, as {@code nightjar summarize} does.
 */
class CaptureFuzzTest
{
    private static final int CASES = 3000;

    @TempDir
    Path dir;

    @Test
    void shouldSurviveMutatedFilesWithoutThrowingOrHanging()
    {
        final List<Packet> packets = packets(5, 40, LinkType.ETHERNET);
        final PcapngBuilder multi = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0)
            .interfaceBlock(LinkType.ETHERNET, 128, 6, 0).interfaceBlock(LinkType.RAW, 0, 0x80 | 10, 5);
        for (final Packet p : packets)
        {
            multi.enhancedPacket(p.data().length % 2, p.timestampNanos(), p.wireLength(), p.data());
        }
        multi.otherBlock(4, 16).simplePacket(3, new byte[] {1, 2, 3}).obsoletePacket(1, 5, 3, new byte[3])
            .section(ByteOrder.BIG_ENDIAN, 1, 0).interfaceBlock(LinkType.LINUX_SLL, 65535, 9, 0)
            .enhancedPacket(0, 77, 10, new byte[10]);
        final byte[][] seeds = {
            pcap(packets, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET),
            pcap(packets, ByteOrder.BIG_ENDIAN, true, LinkType.RAW),
            pcapng(packets, ByteOrder.BIG_ENDIAN),
            multi.bytes(),
        };

        assertTimeoutPreemptively(Duration.ofSeconds(40), () ->
        {
            final Random random = new Random(20260101);
            int opened = 0;
            for (int i = 0; i < CASES; i++)
            {
                final byte[] seed = seeds[random.nextInt(seeds.length)];
                byte[] file = mutate(random, seed, seeds[random.nextInt(seeds.length)]);
                final boolean compressed = random.nextInt(5) == 0;
                if (compressed)
                {
                    file = gzip(file);
                    if (random.nextBoolean())
                    {
                        file = mutate(random, file, file);
                    }
                }
                final Path path = write(dir, "fuzz" + (i % 8), file);
                final int window = random.nextBoolean() ? 1 << 20 : 16 + random.nextInt(200);
                final PacketSource source;
                try
                {
                    source = CaptureFiles.open(path, window, window);
                }
                catch (final IOException ex)
                {
                    assertThat(ex).as("case %d", i).isInstanceOf(CaptureFormatException.class);
                    assertThat(ex.getMessage()).startsWith(path.toString());
                    continue;
                }
                opened++;
                try (source)
                {
                    final long delivered = drain(source, i);
                    final CaptureDamage damage = source.damage();
                    if (damage != null)
                    {
                        assertThat(damage.packetsBefore()).as("case %d", i).isEqualTo(delivered);
                        assertThat(damage.byteOffset()).as("case %d", i).isBetween(0L, source.position());
                    }
                }
            }
            assertThat(opened).as("mutants that still open").isGreaterThan(CASES / 4);
        });
    }

    private static final Darknet DARKNET = Darknet.parse("198.51.100.0/24,2001:db8:dead::/48");

    /**
     * Arbitrary file bytes, read as pcap or pcapng (plain or gzip) through a small or a large window: opening
     * fails only with a {@link CaptureFormatException} naming the file; reading never throws; every record read
     * gets exactly one class, and the summary counts each once
     * ({@code packets = sum(classes) + malformed + non_ip + non_darknet}, class by class as decoded here);
     * damage is reported with the number of records read before it.
     */
    @FuzzTest(maxDuration = "60s")
    void everyRecordOfAnArbitraryFileGetsExactlyOneClassAndDamageIsReported(final byte[] file) throws IOException
    {
        final Path path = write(dir, "fuzz", file);
        final int window = (file.length & 1) == 0 ? 1 << 20 : 16 + (file.length % 200);
        final PacketSource source;
        try
        {
            source = CaptureFiles.open(path, window, window);
        }
        catch (final CaptureFormatException ex)
        {
            assertThat(ex.getMessage()).startsWith(path.toString());
            return;
        }
        final RunSummary summary = new RunSummary();
        final FlowPipeline pipeline = new FlowPipeline(DARKNET, 60_000_000_000L, new FlowTable(64, 1024, 64), summary);
        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket decoded = new DecodedPacket();
        final long[] expectedClasses = new long[TrafficClass.COUNT];
        final long[] expectedNonDarknet = new long[1];
        final long[] records = new long[1];
        final PacketHandler both = (buffer, offset, capturedLength, wireLength, timestampNanos, linkType) ->
        {
            assertThat(offset).isNotNegative();
            assertThat(capturedLength).isNotNegative();
            assertThat((long)offset + capturedLength).isLessThanOrEqualTo(buffer.capacity());
            records[0]++;
            decoder.decode(buffer, offset, capturedLength, wireLength, linkType, timestampNanos, decoded);
            final int c = Classifier.classify(decoded);
            assertThat(c).as("class of record %d", records[0]).isBetween(0, TrafficClass.COUNT - 1);
            if (c < TrafficClass.MALFORMED.id() && !DARKNET.contains(decoded.dstHi, decoded.dstLo))
            {
                expectedNonDarknet[0]++;
            }
            else
            {
                expectedClasses[c]++;
            }
            pipeline.onPacket(buffer, offset, capturedLength, wireLength, timestampNanos, linkType);
        };
        try (source)
        {
            int calls = 0;
            while (source.read(both, 7) >= 0)
            {
                assertThat(++calls).as("reads").isLessThan(1_000_000);
            }
            assertThat(source.read(both, 7)).isEqualTo(-1);
            final CaptureDamage damage = source.damage();
            if (damage != null)
            {
                assertThat(damage.packetsBefore()).isEqualTo(records[0]);
                assertThat(damage.byteOffset()).isBetween(0L, source.position());
            }
        }
        pipeline.finish();

        assertThat(pipeline.packets()).as("packets counted").isEqualTo(records[0]);
        assertThat(summary.packets()).as("packets summarised").isEqualTo(records[0]);
        long sum = summary.nonDarknetPackets();
        for (final TrafficClass c : TrafficClass.values())
        {
            assertThat(summary.classPackets(c)).as("class %s", c).isEqualTo(expectedClasses[c.id()]);
            sum += summary.classPackets(c);
        }
        assertThat(summary.nonDarknetPackets()).as("non_darknet").isEqualTo(expectedNonDarknet[0]);
        assertThat(sum).as("sum(classes) + malformed + non_ip + non_darknet").isEqualTo(records[0]);
    }

    private static long drain(final PacketSource source, final int caseNumber) throws IOException
    {
        final PacketHandler bounds = (buffer, offset, capturedLength, wireLength, timestampNanos, linkType) ->
        {
            if (offset < 0 || capturedLength < 0 || offset + capturedLength > buffer.capacity())
            {
                throw new AssertionError("case " + caseNumber + ": packet [" + offset + ", +" + capturedLength +
                    ") outside a buffer of " + buffer.capacity());
            }
            if (capturedLength > 0)
            {
                buffer.get(offset + capturedLength - 1);
            }
        };
        long delivered = 0;
        int calls = 0;
        int n;
        while ((n = source.read(bounds, 5)) >= 0)
        {
            assertThat(n).isLessThanOrEqualTo(5);
            delivered += n;
            if (++calls > 100_000)
            {
                throw new AssertionError("case " + caseNumber + ": read never ends");
            }
        }
        assertThat(source.read(bounds, 5)).isEqualTo(-1);
        return delivered;
    }

    private static byte[] mutate(final Random random, final byte[] seed, final byte[] other)
    {
        byte[] file = seed.clone();
        switch (random.nextInt(5))
        {
            case 0: // flip bytes
                for (int i = 0, n = 1 + random.nextInt(8); i < n; i++)
                {
                    file[random.nextInt(file.length)] ^= (byte)(1 + random.nextInt(255));
                }
                break;
            case 1: // plant a length-like value
            {
                final int at = random.nextInt(Math.max(1, file.length - 4)) & ~3;
                final int[] values = {0, 1, 4, 11, 12, 13, 28, -1, -4, 0x7FFFFFFF, 262_144, 262_145, file.length, 65536};
                ByteBuffer.wrap(file).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                    .putInt(Math.min(at, file.length - 4), values[random.nextInt(values.length)]);
                break;
            }
            case 2: // truncate
                file = Arrays.copyOf(file, random.nextInt(file.length + 1));
                break;
            case 3: // splice the head of one file onto the tail of another
            {
                final int head = random.nextInt(file.length + 1);
                final int tail = random.nextInt(other.length + 1);
                final byte[] spliced = Arrays.copyOf(file, head + other.length - tail);
                System.arraycopy(other, tail, spliced, head, other.length - tail);
                file = spliced;
                break;
            }
            default: // random bytes behind a valid magic
            {
                final byte[] noise = new byte[random.nextInt(300)];
                random.nextBytes(noise);
                final int keep = Math.min(file.length, random.nextInt(40));
                file = Arrays.copyOf(file, keep + noise.length);
                System.arraycopy(noise, 0, file, keep, noise.length);
                break;
            }
        }
        return file;
    }
}
