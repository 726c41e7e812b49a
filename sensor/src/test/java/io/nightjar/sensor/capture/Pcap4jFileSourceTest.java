package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nightjar.sensor.capture.CaptureFileFixtures.Packet;
import io.nightjar.sensor.capture.CaptureFileFixtures.PcapngBuilder;

import static io.nightjar.sensor.capture.CaptureFileFixtures.packets;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcap;
import static io.nightjar.sensor.capture.CaptureFileFixtures.pcapng;
import static io.nightjar.sensor.capture.CaptureFileFixtures.readAll;
import static io.nightjar.sensor.capture.CaptureFileFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Pcap4jFileSourceTest
{
    private static final List<Packet> PACKETS = packets(99, 500, LinkType.ETHERNET);

    @TempDir
    Path dir;

    @Test
    void shouldDeliverWhatTheInPlaceReaderDeliversForEveryUncompressedFormat() throws IOException
    {
        final byte[][] files = {
            pcap(PACKETS, ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET),
            pcap(PACKETS, ByteOrder.LITTLE_ENDIAN, true, LinkType.ETHERNET),
            pcap(PACKETS, ByteOrder.BIG_ENDIAN, false, LinkType.ETHERNET),
            pcap(PACKETS, ByteOrder.BIG_ENDIAN, true, LinkType.ETHERNET),
            pcapng(PACKETS, ByteOrder.LITTLE_ENDIAN),
            pcapng(PACKETS, ByteOrder.BIG_ENDIAN),
        };
        for (int i = 0; i < files.length; i++)
        {
            final Path path = write(dir, "f" + i, files[i]);
            try (PacketSource libpcap = Pcap4jFileSource.open(path))
            {
                assertThat(readAll(libpcap, 33)).as("file %d", i).containsExactlyElementsOf(PACKETS);
                assertThat(libpcap.damage()).isNull();
                assertThat(libpcap.size()).isEqualTo(files[i].length);
            }
        }
    }

    @Test
    void shouldAgreeOnInterfacesWithDifferentResolutions() throws IOException
    {
        final byte[] a = {1, 2, 3, 4};
        final long t = 1_650_000_000_987_654_321L;
        final byte[] file = new PcapngBuilder()
            .section(ByteOrder.BIG_ENDIAN, 1, 0)
            .interfaceBlock(LinkType.ETHERNET, 65535, 6, 0)
            .interfaceBlock(LinkType.ETHERNET, 65535, 9, 0)
            .interfaceBlock(LinkType.ETHERNET, 65535, 0x80 | 30, 0)
            .enhancedPacket(0, t, 4, a)
            .enhancedPacket(1, t, 4, a)
            .otherBlock(5, 20)
            .enhancedPacket(2, t, 40, a)
            .simplePacket(4, a)
            .obsoletePacket(1, t, 4, a)
            .bytes();
        assertSameThroughBoth(write(dir, "resolutions.pcapng", file), 5);
    }

    @Test
    void shouldAgreeOnTheRawIpLinkType() throws IOException
    {
        // One interface only: libpcap 1.10.3 compares a second IDB's LINKTYPE_RAW (101) with its own
        // DLT_RAW (12) and refuses the file, a libpcap bug our reader does not share.
        final byte[] file = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN, 1, 0)
            .interfaceBlock(LinkType.RAW, 65535, 9, 0).enhancedPacket(0, 123_456_789L, 4, new byte[] {0x45, 0, 0, 20})
            .bytes();
        assertSameThroughBoth(write(dir, "raw.pcapng", file), 1);
        assertSameThroughBoth(
            write(dir, "raw.pcap", pcap(PACKETS.subList(0, 5), ByteOrder.BIG_ENDIAN, false, LinkType.RAW)), 5);
    }

    private static void assertSameThroughBoth(final Path path, final int packets) throws IOException
    {
        try (PacketSource ours = CaptureFiles.open(path); PacketSource libpcap = Pcap4jFileSource.open(path))
        {
            final List<Packet> expected = readAll(ours);
            assertThat(expected).hasSize(packets);
            assertThat(readAll(libpcap)).as("libpcap damage: %s", libpcap.damage()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void shouldRefuseWhatLibpcapRefusesNamingTheFile()
    {
        final Path path = write(dir, "junk.pcap", "definitely not a capture".getBytes());
        assertThatThrownBy(() -> Pcap4jFileSource.open(path))
            .isInstanceOf(CaptureFormatException.class).hasMessageStartingWith(path + ": libpcap refuses it");
        assertThatThrownBy(() -> Pcap4jFileSource.open(dir.resolve("missing.pcap")))
            .isInstanceOf(CaptureFormatException.class).hasMessageContaining("missing.pcap");
    }
}
