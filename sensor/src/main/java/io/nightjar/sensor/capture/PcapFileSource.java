package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.nightjar.sensor.capture.CaptureFileDescriptor.*;

/**
 * Reads a classic pcap file (magic a1b2c3d4 microseconds, a1b23c4d nanoseconds, a1b2cd34 Kuznetzov;
 * either byte order) from a {@link ByteWindow}, in place and without allocating per packet.
 *
 * <p>Follows libpcap 1.10 where files are odd: versions 2.0-2.4 and 543.0 only; caplen and len taken as
 * swapped before 2.3 (and in 2.3 when caplen &gt; len); a snapshot length of 0 or above the link type's
 * maximum means the maximum; a record longer than the snapshot length but within the maximum is
 * delivered cut to the snapshot length; a record longer than the maximum (262144 for most link types)
 * is damage. The link-type field's upper bits (FCS length, bits 26-31) are ignored; its reserved bits
 * (16-25) must be zero, as current libpcap requires (libpcap's own test
 * {@code linktype-reserved-field-not-zero.pcap} is refused).
 *
 * <p>Timestamps: seconds and fraction are unsigned 32-bit values (the pcap specification; libpcap reads
 * them signed), converted to nanoseconds since the epoch.
 *
 * <p>Single-threaded, as {@link PacketSource}.
 */
final class PcapFileSource extends WindowedFileSource
{
    private static final long UNSIGNED = 0xFFFF_FFFFL;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int LENGTHS_IN_ORDER = 0;
    private static final int LENGTHS_SWAPPED = 1;
    private static final int LENGTHS_MAYBE_SWAPPED = 2;

    private final int recordHeaderLength;
    private final long nanosPerFraction;
    private final int linkType;
    private final int snapLength;
    private final int maxCapturedLength;
    private final int lengthsOrder;

    private PcapFileSource(
        final String name,
        final ByteWindow window,
        final int recordHeaderLength,
        final long nanosPerFraction,
        final int linkType,
        final int snapLength,
        final int lengthsOrder)
    {
        super(name, window);
        this.recordHeaderLength = recordHeaderLength;
        this.nanosPerFraction = nanosPerFraction;
        this.linkType = linkType;
        this.snapLength = snapLength;
        this.maxCapturedLength = maxSnapLength(linkType);
        this.lengthsOrder = lengthsOrder;
    }

    /**
     * Parses the file header at the window's position and returns a source positioned at the first record.
     *
     * @param name   the file's name for messages.
     * @param window the stream, at the file header; owned by the returned source.
     * @return the source.
     * @throws CaptureFormatException if the header is truncated, of an unknown magic or unsupported.
     * @throws IOException for I/O failures.
     */
    static PcapFileSource open(final String name, final ByteWindow window) throws IOException
    {
        if (!window.ensure(PCAP_FILE_HEADER_LENGTH))
        {
            throw new CaptureFormatException(name, "pcap file header cut short: " + (window.limit - window.position) +
                " of " + PCAP_FILE_HEADER_LENGTH + " bytes");
        }
        final int start = window.position;
        final int magicBigEndian = window.buffer.getInt(start);
        final int magic;
        if (isPcapMagic(magicBigEndian))
        {
            window.order(ByteOrder.BIG_ENDIAN);
            magic = magicBigEndian;
        }
        else if (isPcapMagic(Integer.reverseBytes(magicBigEndian)))
        {
            window.order(ByteOrder.LITTLE_ENDIAN);
            magic = Integer.reverseBytes(magicBigEndian);
        }
        else
        {
            throw new CaptureFormatException(name, String.format("not a pcap file: magic 0x%08x", magicBigEndian));
        }

        final ByteBuffer header = window.header;
        final int major = header.getShort(start + PCAP_VERSION_MAJOR_OFFSET) & 0xFFFF;
        final int minor = header.getShort(start + PCAP_VERSION_MINOR_OFFSET) & 0xFFFF;
        if (major < 2)
        {
            throw new CaptureFormatException(name, "archaic pcap version " + major + "." + minor + " (before 2.0)");
        }
        if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
        {
            throw new CaptureFormatException(name, "unsupported pcap version " + major + "." + minor);
        }
        final int linkTypeField = header.getInt(start + PCAP_LINKTYPE_OFFSET);
        if ((linkTypeField & PCAP_LINKTYPE_RESERVED_MASK) != 0)
        {
            throw new CaptureFormatException(name, String.format(
                "reserved bits set in the link-type field 0x%08x (link type %d)",
                linkTypeField, linkTypeField & PCAP_LINKTYPE_MASK));
        }
        final int linkType = linkTypeField & PCAP_LINKTYPE_MASK;
        int snapLength = effectiveSnapLength(linkType, header.getInt(start + PCAP_SNAPLEN_OFFSET));
        int recordHeaderLength = PCAP_RECORD_HEADER_LENGTH;
        if (magic == PCAP_MAGIC_KUZNETZOV)
        {
            recordHeaderLength = PCAP_KUZNETZOV_RECORD_HEADER_LENGTH;
            if (linkType == LinkType.ETHERNET)
            {
                // As libpcap: captures in cooked mode added a 14-byte fake Ethernet header after the snapshot.
                snapLength = snapLength <= Integer.MAX_VALUE - 14 ? snapLength + 14 : Integer.MAX_VALUE;
            }
        }
        final int lengthsOrder;
        if (major == 543 || minor < 3)
        {
            lengthsOrder = LENGTHS_SWAPPED;
        }
        else if (minor == 3)
        {
            lengthsOrder = LENGTHS_MAYBE_SWAPPED;
        }
        else
        {
            lengthsOrder = LENGTHS_IN_ORDER;
        }
        window.position = start + PCAP_FILE_HEADER_LENGTH;
        return new PcapFileSource(
            name, window, recordHeaderLength, magic == PCAP_MAGIC_NANOS ? 1 : 1000, linkType, snapLength, lengthsOrder);
    }

    /**
     * @param magic the first four bytes of a file, read in the file's byte order.
     * @return whether it is one of the classic pcap magics.
     */
    static boolean isPcapMagic(final int magic)
    {
        return magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS || magic == PCAP_MAGIC_KUZNETZOV;
    }

    @Override
    public int read(final PacketHandler handler, final int maxPackets) throws IOException
    {
        if (finished)
        {
            return -1;
        }
        final ByteWindow window = this.window;
        final int headerLength = this.recordHeaderLength;
        final long nanosPerFraction = this.nanosPerFraction;
        final int linkType = this.linkType;
        final int snapLength = this.snapLength;
        final int maxCapturedLength = this.maxCapturedLength;
        final int lengthsOrder = this.lengthsOrder;

        ByteBuffer buffer = window.buffer;
        ByteBuffer header = window.header;
        int position = window.position;
        int limit = window.limit;
        int delivered = 0;
        while (delivered < maxPackets)
        {
            if (limit - position < headerLength)
            {
                window.position = position;
                if (!window.refill(headerLength))
                {
                    final int left = window.limit - window.position;
                    if (left == 0)
                    {
                        end(delivered);
                    }
                    else
                    {
                        damage("record header cut short: " + left + " of " + headerLength + " bytes", delivered);
                    }
                    break;
                }
                buffer = window.buffer;
                header = window.header;
                position = window.position;
                limit = window.limit;
            }

            final long seconds = header.getInt(position + PCAP_TS_SEC_OFFSET) & UNSIGNED;
            final long fraction = header.getInt(position + PCAP_TS_FRACTION_OFFSET) & UNSIGNED;
            int capturedLength = header.getInt(position + PCAP_CAPLEN_OFFSET);
            int wireLength = header.getInt(position + PCAP_WIRELEN_OFFSET);
            if (lengthsOrder != LENGTHS_IN_ORDER &&
                (lengthsOrder == LENGTHS_SWAPPED || Integer.compareUnsigned(capturedLength, wireLength) > 0))
            {
                final int swap = capturedLength;
                capturedLength = wireLength;
                wireLength = swap;
            }
            if (Integer.compareUnsigned(capturedLength, maxCapturedLength) > 0)
            {
                window.position = position;
                damage("record claims " + Integer.toUnsignedString(capturedLength) +
                    " captured bytes, more than the maximum " + maxCapturedLength + " for link type " + linkType, delivered);
                break;
            }
            final int recordLength = headerLength + capturedLength;
            if (limit - position < recordLength)
            {
                window.position = position;
                if (!window.refill(recordLength))
                {
                    damage("record cut short: " + (window.limit - window.position - headerLength) + " of " +
                        Integer.toUnsignedString(capturedLength) + " captured bytes present", delivered);
                    break;
                }
                buffer = window.buffer;
                header = window.header;
                position = window.position;
                limit = window.limit;
            }

            handler.onPacket(
                buffer,
                position + headerLength,
                capturedLength > snapLength ? snapLength : capturedLength,
                wireLength < 0 ? Integer.MAX_VALUE : wireLength,
                seconds * NANOS_PER_SECOND + fraction * nanosPerFraction,
                linkType);
            position += recordLength;
            delivered++;
        }
        if (!finished)
        {
            window.position = position;
        }
        packets += delivered;
        return delivered == 0 && finished ? -1 : delivered;
    }
}
