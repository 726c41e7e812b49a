package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptureFilesTest
{
    private static final List<Packet> PACKETS = packets(42, 300, LinkType.ETHERNET);

    @TempDir
    Path dir;

    static Stream<Arguments> everyFormat()
    {
        final List<Arguments> formats = new ArrayList<>();
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            for (final boolean nanos : new boolean[] {false, true})
            {
                final byte[] file = pcap(PACKETS, order, nanos, LinkType.ETHERNET);
                final String name = "pcap-" + order + (nanos ? "-ns" : "-us");
                formats.add(Arguments.of(name, file));
                formats.add(Arguments.of(name + ".gz", gzip(file)));
            }
            final byte[] ng = pcapng(PACKETS, order);
            formats.add(Arguments.of("pcapng-" + order, ng));
            formats.add(Arguments.of("pcapng-" + order + ".gz", gzip(ng)));
        }
        return formats.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyFormat")
    void shouldDeliverTheSamePacketsFromEveryFormat(final String name, final byte[] file) throws IOException
    {
        final Path path = write(dir, name, file);
        try (PacketSource source = CaptureFiles.open(path))
        {
            assertThat(readAll(source)).containsExactlyElementsOf(PACKETS);
            assertThat(source.damage()).isNull();
            assertThat(source.read((b, o, c, w, t, l) -> { }, 10)).isEqualTo(-1);
            assertThat(source.name()).isEqualTo(path.toString());
            assertThat(source.size()).isEqualTo(file.length);
            assertThat(source.filePosition()).isEqualTo(file.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyFormat")
    void shouldDeliverTheSamePacketsThroughTinySlidingWindows(final String name, final byte[] file) throws IOException
    {
        final Path path = write(dir, name, file);
        // Windows smaller than most records: every record forces a remap (or a grow of the inflate window).
        for (final int window : new int[] {16, 64, 1000})
        {
            try (PacketSource source = CaptureFiles.open(path, window, window))
            {
                assertThat(readAll(source, 1 + window % 13)).as("window %d", window).containsExactlyElementsOf(PACKETS);
                assertThat(source.damage()).isNull();
            }
        }
    }

    @Test
    void shouldReportStreamPositionsForProgress() throws IOException
    {
        final byte[] file = pcap(PACKETS, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET);
        try (PacketSource source = CaptureFiles.open(write(dir, "p.pcap", file)))
        {
            assertThat(source.position()).isEqualTo(24);
            assertThat(source.read(new CaptureFileFixtures.Recorder(), 1)).isEqualTo(1);
            assertThat(source.position()).isEqualTo(24 + 16 + PACKETS.get(0).data().length);
        }
        final byte[] compressed = gzip(file);
        try (PacketSource source = CaptureFiles.open(write(dir, "p.pcap.gz", compressed)))
        {
            readAll(source);
            assertThat(source.position()).isEqualTo(file.length);
            assertThat(source.size()).isEqualTo(compressed.length);
            assertThat(source.filePosition()).isEqualTo(compressed.length);
        }
    }

    @Test
    void shouldGiveEachPcapngInterfaceItsOwnLinkTypeAndResolution() throws IOException
    {
        final byte[] a = {1, 2, 3};
        final byte[] b = {4, 5, 6, 7, 8};
        final long t = 1_700_000_000_123_456_789L;
        final byte[] file = new PcapngBuilder()
            .section(ByteOrder.LITTLE_ENDIAN, 1, 0)
            .interfaceBlock(LinkType.ETHERNET, 65535, 6, 0)
            .otherBlock(4, 40)                                   // name resolution block: skipped
            .interfaceBlock(LinkType.RAW, 1500, 9, 0)
            .interfaceBlock(LinkType.LINUX_SLL, 0, 0x80 | 30, 0) // 2^-30 s units, snapshot 0 = maximum
            .interfaceBlock(LinkType.IPV4, 1500, -1, 100)        // microseconds, if_tsoffset 100 s
            .enhancedPacket(0, t, 60, a)
            .enhancedPacket(1, t, 5, b)
            .otherBlock(5, 32)                                   // interface statistics block: skipped
            .enhancedPacket(2, t, 5, b)
            .otherBlock(0x40000BAD, 13)                          // custom block: skipped
            .enhancedPacket(3, t, 3, a)
            .simplePacket(3, a)                                  // interface 0: no timestamp
            .obsoletePacket(1, t, 9, b)
            .bytes();
        try (PacketSource source = CaptureFiles.open(write(dir, "multi.pcapng", file)))
        {
            assertThat(readAll(source)).containsExactly(
                new Packet(1_700_000_000_123_456_000L, LinkType.ETHERNET, 60, a),
                new Packet(t, LinkType.RAW, 5, b),
                new Packet(t, LinkType.LINUX_SLL, 5, b),
                new Packet(1_700_000_100_123_456_000L, LinkType.IPV4, 3, a),
                new Packet(0, LinkType.ETHERNET, 3, a),
                new Packet(t, LinkType.RAW, 9, b));
            assertThat(source.damage()).isNull();
        }
    }

    @Test
    void shouldConvertBinaryAndSubNanosecondResolutions() throws IOException
    {
        final byte[] a = {9};
        final long seconds = 1_600_000_000L;
        final byte[] file = new PcapngBuilder()
            .section(ByteOrder.BIG_ENDIAN, 1, 0)
            .interfaceBlock(LinkType.RAW, 65535, 0x80 | 20, 0)  // 2^-20 s
            .interfaceBlock(LinkType.RAW, 65535, 12, 0)         // picoseconds
            .interfaceBlock(LinkType.RAW, 65535, 0x80 | 63, 0)  // 2^-63 s: the finest libpcap accepts
            .interfaceBlock(LinkType.RAW, 65535, 0, 0)          // whole seconds
            .enhancedPacketUnits(0, (seconds << 20) | (1 << 19), 1, a)          // + 0.5 s
            .enhancedPacketUnits(1, 5_000_000_000_123L, 1, a)                   // 5 s + 123 ps
            .enhancedPacketUnits(2, (1L << 62) | (1L << 61), 1, a)              // 0.75 s
            .enhancedPacketUnits(3, seconds, 1, a)
            .bytes();
        try (PacketSource source = CaptureFiles.open(write(dir, "res.pcapng", file)))
        {
            assertThat(readAll(source)).extracting(Packet::timestampNanos).containsExactly(
                seconds * 1_000_000_000L + 500_000_000L,
                5_000_000_000L,
                750_000_000L,
                seconds * 1_000_000_000L);
        }
    }

    @Test
    void shouldReadSectionsThatSwitchByteOrder() throws IOException
    {
        final List<Packet> first = packets(1, 5, LinkType.ETHERNET);
        final List<Packet> second = packets(2, 4, LinkType.RAW);
        final PcapngBuilder builder = new PcapngBuilder()
            .section(ByteOrder.LITTLE_ENDIAN, 1, 0).interfaceBlock(LinkType.ETHERNET, 65535, 9, 0);
        first.forEach(p -> builder.enhancedPacket(0, p.timestampNanos(), p.wireLength(), p.data()));
        builder.section(ByteOrder.BIG_ENDIAN, 1, 2).interfaceBlock(LinkType.RAW, 65535, -1, 0);
        second.forEach(p -> builder.enhancedPacket(0, p.timestampNanos(), p.wireLength(), p.data()));
        final List<Packet> all = new ArrayList<>(first);
        all.addAll(second);
        try (PacketSource source = CaptureFiles.open(write(dir, "sections.pcapng", builder.bytes())))
        {
            assertThat(readAll(source)).containsExactlyElementsOf(all);
            assertThat(source.damage()).isNull();
        }
    }

    @Test
    void shouldCutPcapRecordsLongerThanTheSnapshotLikeLibpcap() throws IOException
    {
        final ByteBuffer file = ByteBuffer.allocate(24 + 16 + 100).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(64).putInt(1);
        file.putInt(10).putInt(20).putInt(100).putInt(100);
        try (PacketSource source = CaptureFiles.open(write(dir, "snap.pcap", file.array())))
        {
            final List<Packet> packets = readAll(source);
            assertThat(packets).hasSize(1);
            assertThat(packets.get(0).data()).hasSize(64);
            assertThat(packets.get(0).wireLength()).isEqualTo(100);
            assertThat(packets.get(0).timestampNanos()).isEqualTo(10_000_020_000L);
        }
    }

    @Test
    void shouldIgnoreFcsBitsOfThePcapLinkTypeField() throws IOException
    {
        final byte[] file = pcap(PACKETS.subList(0, 3), ByteOrder.BIG_ENDIAN, false, 0x1400_0000 | LinkType.ETHERNET);
        try (PacketSource source = CaptureFiles.open(write(dir, "fcs.pcap", file)))
        {
            assertThat(readAll(source)).containsExactlyElementsOf(PACKETS.subList(0, 3));
        }
    }

    static Stream<Arguments> unreadableFiles()
    {
        final byte[] good = pcap(PACKETS.subList(0, 2), ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET);
        final byte[] reserved = good.clone();
        reserved[22] = 0x30; // link-type field 0x00300001
        final byte[] version = good.clone();
        version[6] = 5;      // 2.5
        final byte[] archaic = good.clone();
        archaic[4] = 1;      // 1.4
        final byte[] ngVersion = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 1).bytes();
        final byte[] ngTrailer = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN, 1, 0).bytes();
        ngTrailer[ngTrailer.length - 1] ^= 4;
        final byte[] ngMagic = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN, 1, 0).bytes();
        ngMagic[9] = 0;
        return Stream.of(
            Arguments.of("empty", new byte[0], "empty file"),
            Arguments.of("short", new byte[] {(byte)0xD4, (byte)0xC3}, "too short"),
            Arguments.of("text", "hello, world\n".getBytes(), "unknown format"),
            Arguments.of("header-cut", Arrays.copyOf(good, 20), "pcap file header cut short"),
            Arguments.of("reserved-linktype", reserved, "reserved bits set in the link-type field"),
            Arguments.of("version-2.5", version, "unsupported pcap version 2.5"),
            Arguments.of("version-1.4", archaic, "archaic pcap version 1.4"),
            Arguments.of("pcapng-1.1", ngVersion, "unsupported pcapng version 1.1"),
            Arguments.of("pcapng-trailer", ngTrailer, "don't match"),
            Arguments.of("pcapng-byte-order", ngMagic, "bad byte-order magic"),
            Arguments.of("pcapng-cut", Arrays.copyOf(ngMagic, 10), "cut short"),
            Arguments.of("gzip-garbage", new byte[] {0x1F, (byte)0x8B, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "gzip"),
            Arguments.of("gzip-text", gzip("not a capture".getBytes()), "unknown format"),
            Arguments.of("gzip-tiny", gzip(new byte[] {1, 2}), "gzip file holds only 2 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableFiles")
    void shouldRefuseUnreadableFilesNamingFileAndProblem(final String name, final byte[] bytes, final String problem)
    {
        final Path path = write(dir, name, bytes);
        assertThatThrownBy(() -> CaptureFiles.open(path).close())
            .isInstanceOf(CaptureFormatException.class)
            .hasMessageStartingWith(path.toString() + ": ")
            .hasMessageContaining(problem);
    }

    @Test
    void shouldRefuseMissingFilesAndDirectories()
    {
        assertThatThrownBy(() -> CaptureFiles.open(dir.resolve("nope.pcap")))
            .isInstanceOf(IOException.class).hasMessageContaining("nope.pcap").hasMessageContaining("no such file");
        assertThatThrownBy(() -> CaptureFiles.open(dir))
            .isInstanceOf(IOException.class).hasMessageContaining(dir.toString()).hasMessageContaining("directory");
    }

    @Test
    void shouldRefuseUnreadableFiles() throws IOException
    {
        final Path path = write(dir, "secret.pcap", pcap(PACKETS, ByteOrder.LITTLE_ENDIAN, false, 1));
        Files.setPosixFilePermissions(path, java.util.Set.of());
        // root reads anything: only check when the permission actually bites.
        if (!Files.isReadable(path))
        {
            assertThatThrownBy(() -> CaptureFiles.open(path))
                .isInstanceOf(IOException.class).hasMessageContaining("secret.pcap");
        }
    }
}
