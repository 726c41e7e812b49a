package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.nightjar.sensor.capture.CaptureFileFixtures.Packet;
import io.nightjar.sensor.capture.CaptureFileFixtures.PcapngBuilder;

import static io.nightjar.sensor.capture.CaptureFileFixtures.gzip;
import static io.nightjar.sensor.capture.CaptureFileFixtures.packets;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcap;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcapng;
import static io.nightjar.sensor.capture.CaptureFileFixtures.readAll;
import static io.nightjar.sensor.capture.CaptureFileFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

class CaptureDamageTest
{
    private static final List<Packet> PACKETS = packets(7, 12, LinkType.ETHERNET);

    @TempDir
    Path dir;

    /** A file format: writes packets; the offset where packet i's record or block starts is the size of the file of the first i. */
    static Stream<Arguments> formats()
    {
        return Stream.of(
            Arguments.of("pcap-le-us", (Writer)p -> pcap(p, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET)),
            Arguments.of("pcap-be-ns", (Writer)p -> pcap(p, ByteOrder.BIG_ENDIAN, true, LinkType.ETHERNET)),
            Arguments.of("pcapng-le", (Writer)p -> pcapng(p, ByteOrder.LITTLE_ENDIAN)),
            Arguments.of("pcapng-be", (Writer)p -> pcapng(p, ByteOrder.BIG_ENDIAN)));
    }

    interface Writer
    {
        byte[] write(List<Packet> packets);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void shouldDeliverEveryCompleteRecordBeforeATruncationAndSayWhere(final String name, final Writer writer)
        throws IOException
    {
        final byte[] whole = writer.write(PACKETS);
        final int last = PACKETS.size() - 1;
        final int lastStart = writer.write(PACKETS.subList(0, last)).length;
        final int middle = last / 2;
        final int middleStart = writer.write(PACKETS.subList(0, middle)).length;
        final int middleEnd = writer.write(PACKETS.subList(0, middle + 1)).length;

        for (int cut = lastStart; cut < whole.length; cut++)
        {
            checkTruncation(name, Arrays.copyOf(whole, cut), last, lastStart);
        }
        for (int cut = middleStart; cut < middleEnd; cut += 3)
        {
            checkTruncation(name, Arrays.copyOf(whole, cut), middle, middleStart);
        }
    }

    private void checkTruncation(final String name, final byte[] truncated, final int complete, final int damageOffset)
        throws IOException
    {
        final boolean clean = truncated.length == damageOffset;
        final String what = name + " cut at " + truncated.length;
        for (final boolean compressed : new boolean[] {false, true})
        {
            final Path path = write(dir, name + (compressed ? ".gz" : ""), compressed ? gzip(truncated) : truncated);
            try (PacketSource source = CaptureFiles.open(path, 64, 64))
            {
                assertThat(readAll(source)).as(what).containsExactlyElementsOf(PACKETS.subList(0, complete));
                if (clean)
                {
                    assertThat(source.damage()).as(what).isNull();
                }
                else
                {
                    assertThat(source.damage()).as(what).isNotNull();
                    assertThat(source.damage().byteOffset()).as(what).isEqualTo(damageOffset);
                    assertThat(source.damage().packetsBefore()).as(what).isEqualTo(complete);
                    assertThat(source.damage().file()).isEqualTo(path.toString());
                    assertThat(source.damage().reason()).as(what).contains("cut short");
                }
            }
        }
        // libpcap agrees on what is complete.
        final Path path = write(dir, name + ".libpcap", truncated);
        try (PacketSource libpcap = Pcap4jFileSource.open(path))
        {
            assertThat(readAll(libpcap)).as(what + " through libpcap").hasSize(complete);
            assertThat(libpcap.damage() != null).as(what + " damage through libpcap").isEqualTo(!clean);
        }
    }

    @Test
    void shouldReportATruncatedGzipStreamAsDamage() throws IOException
    {
        final byte[] file = pcap(PACKETS, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET);
        final byte[] compressed = gzip(file);
        for (int cut = 10; cut < compressed.length; cut += 5)
        {
            final Path path = write(dir, "cut.pcap.gz", Arrays.copyOf(compressed, cut));
            try (PacketSource source = CaptureFiles.open(path))
            {
                final List<Packet> packets = readAll(source);
                assertThat(packets).as("cut %d", cut).isEqualTo(PACKETS.subList(0, packets.size()));
                assertThat(source.damage()).as("cut %d", cut).isNotNull();
                assertThat(source.damage().reason()).contains("gzip");
                assertThat(source.damage().packetsBefore()).isEqualTo(packets.size());
            }
            catch (final CaptureFormatException ex)
            {
                // Cut inside the gzip header or before the capture's magic: refused at open.
                assertThat(ex.getMessage()).contains("gzip");
            }
        }
    }

    @Test
    void shouldStopAtAPcapRecordBiggerThanAnySaneSnapshot() throws IOException
    {
        final byte[] file = pcap(PACKETS, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET);
        final int third = pcap(PACKETS.subList(0, 3), ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET).length;
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(third + 8, 262_145);
        expectDamage(file, 3, third, "more than the maximum 262144");
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(third + 8, -1);
        expectDamage(file, 3, third, "4294967295");
    }

    @Test
    void shouldStopAtABadPcapngBlock() throws IOException
    {
        final byte[] file = pcapng(PACKETS, ByteOrder.BIG_ENDIAN);
        final int third = pcapng(PACKETS.subList(0, 3), ByteOrder.BIG_ENDIAN).length;

        expectDamage(patched(file, b -> b.putInt(third + 4, 10)), 3, third, "invalid length 10");
        expectDamage(patched(file, b -> b.putInt(third + 4, 66)), 3, third, "invalid length 66");
        expectDamage(patched(file, b -> b.putInt(third + 4, 0x7FFF_FFF0)), 3, third, "invalid length");
        expectDamage(patched(file, b -> b.putInt(third + 4, b.getInt(third + 4) + 4)), 3, third, "don't match");
        expectDamage(patched(file, b -> b.putInt(third + 8, 1)), 3, third, "interface 1");
        expectDamage(patched(file, b -> b.putInt(third + 20, 65536)), 3, third, "bigger than the snapshot length 65535");
        expectDamage(patched(file, b -> b.putInt(third + 20, 1000)), 3, third, "does not fit in its block");
        expectDamage(patched(file, b -> b.putInt(third, 0x0A0D0D0A)), 3, third, "byte-order magic");
    }

    @Test
    void shouldStopAtBadInterfacesAndSections() throws IOException
    {
        final byte[] a = {1, 2, 3, 4};
        final int sectionLength = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0).bytes().length;
        final byte[] noInterface = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0).simplePacket(4, a).bytes();
        expectDamage(noInterface, 0, sectionLength, "no interface description block");

        final PcapngBuilder good = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0)
            .interfaceBlock(1, 65535, 6, 0).enhancedPacket(0, 1000, 4, a);
        final int idbStart = good.bytes().length;
        final byte[] badResolution = good.interfaceBlock(1, 65535, 20, 0).enhancedPacket(1, 0, 4, a).bytes();
        expectDamage(badResolution, 1, idbStart, "if_tsresol 10^-20");

        final PcapngBuilder twoSections = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0)
            .interfaceBlock(1, 65535, 6, 0).enhancedPacket(0, 1000, 4, a);
        final int secondStart = twoSections.bytes().length;
        expectDamage(twoSections.section(ByteOrder.BIG_ENDIAN, 2, 0).bytes(), 1, secondStart, "unsupported pcapng version 2.0");

        final PcapngBuilder newSection = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0)
            .interfaceBlock(1, 65535, 6, 0).enhancedPacket(0, 1000, 4, a);
        final int thirdStart = newSection.section(ByteOrder.BIG_ENDIAN, 1, 0).bytes().length;
        // Interfaces belong to their section: a packet on interface 0 of a section without interfaces is damage.
        expectDamage(newSection.enhancedPacketUnits(0, 0, 4, a).bytes(), 1, thirdStart, "interface 0");
    }

    private static byte[] patched(final byte[] file, final Consumer<ByteBuffer> patch)
    {
        final byte[] copy = file.clone();
        patch.accept(ByteBuffer.wrap(copy));
        return copy;
    }

    private void expectDamage(final byte[] file, final int packets, final long offset, final String reason)
        throws IOException
    {
        for (final boolean compressed : new boolean[] {false, true})
        {
            final Path path = write(dir, "damaged" + (compressed ? ".gz" : ""), compressed ? gzip(file) : file);
            try (PacketSource source = CaptureFiles.open(path))
            {
                assertThat(readAll(source)).hasSize(packets);
                assertThat(source.damage()).isNotNull();
                assertThat(source.damage().reason()).contains(reason);
                assertThat(source.damage().byteOffset()).isEqualTo(offset);
                assertThat(source.damage().packetsBefore()).isEqualTo(packets);
                assertThat(source.read(new CaptureFileFixtures.Recorder(), 10)).isEqualTo(-1);
            }
        }
    }
}
