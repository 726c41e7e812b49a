package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.nightjar.sensor.capture.CaptureFileDescriptor.*;

/**
 * Reads a pcapng file from a {@link ByteWindow}, in place and without allocating per packet.
 *
 * <p>Sections: every Section Header Block sets the byte order of its section (sections may differ, which
 * libpcap refuses) and starts a new set of interfaces; versions 1.0 and 1.2 are read (libpcap treats 1.2
 * as 1.0). Interfaces: each Interface Description Block keeps its own link type, snapshot length,
 * {@code if_tsresol} (10^-n, or 2^-n when the high bit is set; default microseconds) and
 * {@code if_tsoffset} (seconds), so one file may carry several link types. Packets: Enhanced Packet
 * Blocks, Simple Packet Blocks and the obsolete Packet Blocks. A Simple Packet Block belongs to interface
 * 0, its captured length is the smaller of its original length and the snapshot length, and, having no
 * timestamp, it is stamped with a raw timestamp of 0, i.e. interface 0's {@code if_tsoffset} seconds
 * (normally the epoch), as libpcap does. Every other block type (name resolution, statistics,
 * decryption secrets, custom, ...) is skipped by its length.
 *
 * <p>Damage, with libpcap's rules: a block shorter than 12 bytes, not a multiple of 4, longer than the
 * maximum (16 MiB, more for link types with larger snapshots), cut short, or whose trailing length differs
 * from its leading one; a packet on an undefined interface; a captured length above the snapshot length
 * or beyond its block; a malformed {@code if_tsresol}/{@code if_tsoffset} option.
 *
 * <p>Single-threaded, as {@link PacketSource}.
 */
final class PcapngFileSource extends WindowedFileSource
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int TS_SCALE_UP = 0;
    private static final int TS_SCALE_DOWN = 1;
    private static final int TS_BINARY = 2;

    private int interfaceCount;
    private int[] linkTypes = new int[4];
    private int[] snapLengths = new int[4];
    private int[] tsModes = new int[4];
    /** Per interface: nanoseconds per unit (scale up), units per nanosecond (scale down) or the binary shift. */
    private long[] tsFactors = new long[4];
    /** Per interface: units per second, unsigned. */
    private long[] tsUnitsPerSecond = new long[4];
    private long[] tsOffsetSeconds = new long[4];
    private int maxBlockLength = INITIAL_MAX_BLOCK_LENGTH;
    /** Set by {@link #sectionHeaderProblem} and {@link #interfaceProblem}: the length of the block they checked. */
    private int checkedBlockLength;

    private PcapngFileSource(final String name, final ByteWindow window)
    {
        super(name, window);
    }

    /**
     * Checks the first Section Header Block at the window's position and returns a source after it.
     *
     * @param name   the file's name for messages.
     * @param window the stream, at the first block; owned by the returned source.
     * @return the source.
     * @throws CaptureFormatException if the section header is damaged or of an unsupported version.
     * @throws IOException for I/O failures.
     */
    static PcapngFileSource open(final String name, final ByteWindow window) throws IOException
    {
        final PcapngFileSource source = new PcapngFileSource(name, window);
        final String problem = source.sectionHeaderProblem(SHB_MAX_LENGTH);
        if (problem != null)
        {
            throw new CaptureFormatException(name, problem);
        }
        window.position += source.checkedBlockLength;
        return source;
    }

    @Override
    public int read(final PacketHandler handler, final int maxPackets) throws IOException
    {
        if (finished)
        {
            return -1;
        }
        final ByteWindow window = this.window;
        ByteBuffer buffer = window.buffer;
        ByteBuffer header = window.header;
        int position = window.position;
        int limit = window.limit;
        int delivered = 0;
        while (delivered < maxPackets)
        {
            if (limit - position < BLOCK_HEADER_LENGTH)
            {
                window.position = position;
                if (!window.refill(BLOCK_HEADER_LENGTH))
                {
                    final int left = window.limit - window.position;
                    if (left == 0)
                    {
                        end(delivered);
                    }
                    else
                    {
                        damage("block header cut short: " + left + " of " + BLOCK_HEADER_LENGTH + " bytes", delivered);
                    }
                    break;
                }
                buffer = window.buffer;
                header = window.header;
                position = window.position;
                limit = window.limit;
            }

            final int type = header.getInt(position);
            if (type == PCAPNG_SHB_TYPE)
            {
                window.position = position;
                final String problem = sectionHeaderProblem(maxBlockLength);
                if (problem != null)
                {
                    damage(problem, delivered);
                    break;
                }
                window.position += checkedBlockLength;
                buffer = window.buffer;
                header = window.header;
                position = window.position;
                limit = window.limit;
                continue;
            }

            final int length = header.getInt(position + 4);
            if (Integer.compareUnsigned(length, BLOCK_MIN_LENGTH) < 0 || (length & 3) != 0 ||
                Integer.compareUnsigned(length, maxBlockLength) > 0)
            {
                window.position = position;
                damage(blockLengthProblem(type, length), delivered);
                break;
            }
            if (limit - position < length)
            {
                window.position = position;
                if (!window.refill(length))
                {
                    damage("block of type " + type + " cut short: " + (window.limit - window.position) + " of " +
                        length + " bytes", delivered);
                    break;
                }
                buffer = window.buffer;
                header = window.header;
                position = window.position;
                limit = window.limit;
            }
            final int trailer = header.getInt(position + length - 4);
            if (trailer != length)
            {
                window.position = position;
                damage(trailerProblem(length, trailer), delivered);
                break;
            }

            if (type == BLOCK_TYPE_EPB || type == BLOCK_TYPE_PB)
            {
                if (length < EPB_DATA_OFFSET + 4)
                {
                    window.position = position;
                    damage("packet block of " + length + " bytes is too short", delivered);
                    break;
                }
                final int interfaceId = type == BLOCK_TYPE_EPB ?
                    header.getInt(position + EPB_INTERFACE_OFFSET) :
                    header.getShort(position + PB_INTERFACE_OFFSET) & 0xFFFF;
                if (Integer.compareUnsigned(interfaceId, interfaceCount) >= 0)
                {
                    window.position = position;
                    damage("a packet on interface " + Integer.toUnsignedString(interfaceId) +
                        ", but no interface description block defines it", delivered);
                    break;
                }
                final int capturedLength = header.getInt(position + EPB_CAPLEN_OFFSET);
                final int wireLength = header.getInt(position + EPB_WIRELEN_OFFSET);
                final String problem = capturedLengthProblem(capturedLength, interfaceId, length - EPB_DATA_OFFSET - 4);
                if (problem != null)
                {
                    window.position = position;
                    damage(problem, delivered);
                    break;
                }
                final long units = (long)header.getInt(position + EPB_TS_HIGH_OFFSET) << 32 |
                    (header.getInt(position + EPB_TS_LOW_OFFSET) & 0xFFFF_FFFFL);
                handler.onPacket(
                    buffer,
                    position + EPB_DATA_OFFSET,
                    capturedLength,
                    wireLength < 0 ? Integer.MAX_VALUE : wireLength,
                    timestampNanos(units, interfaceId),
                    linkTypes[interfaceId]);
                delivered++;
            }
            else if (type == BLOCK_TYPE_SPB)
            {
                if (length < SPB_DATA_OFFSET + 4)
                {
                    window.position = position;
                    damage("simple packet block of " + length + " bytes is too short", delivered);
                    break;
                }
                if (interfaceCount == 0)
                {
                    window.position = position;
                    damage("a simple packet block, but no interface description block defines interface 0", delivered);
                    break;
                }
                final int wireLength = header.getInt(position + SPB_WIRELEN_OFFSET);
                final int capturedLength =
                    Integer.compareUnsigned(wireLength, snapLengths[0]) > 0 ? snapLengths[0] : wireLength;
                final String problem = capturedLengthProblem(capturedLength, 0, length - SPB_DATA_OFFSET - 4);
                if (problem != null)
                {
                    window.position = position;
                    damage(problem, delivered);
                    break;
                }
                handler.onPacket(
                    buffer,
                    position + SPB_DATA_OFFSET,
                    capturedLength,
                    wireLength < 0 ? Integer.MAX_VALUE : wireLength,
                    timestampNanos(0, 0),
                    linkTypes[0]);
                delivered++;
            }
            else if (type == BLOCK_TYPE_IDB)
            {
                final String problem = interfaceProblem(header, position, length);
                if (problem != null)
                {
                    window.position = position;
                    damage(problem, delivered);
                    break;
                }
            }
            position += length;
        }
        if (!finished)
        {
            window.position = position;
        }
        packets += delivered;
        return delivered == 0 && finished ? -1 : delivered;
    }

    private String capturedLengthProblem(final int capturedLength, final int interfaceId, final int room)
    {
        if (Integer.compareUnsigned(capturedLength, snapLengths[interfaceId]) > 0)
        {
            return "captured length " + Integer.toUnsignedString(capturedLength) +
                " is bigger than the snapshot length " + snapLengths[interfaceId] + " of interface " + interfaceId;
        }
        if (capturedLength > room)
        {
            return "captured length " + capturedLength + " does not fit in its block (" + room + " bytes of data)";
        }
        return null;
    }

    private long timestampNanos(final long units, final int interfaceId)
    {
        final long offsetNanos = tsOffsetSeconds[interfaceId] * NANOS_PER_SECOND;
        switch (tsModes[interfaceId])
        {
            case TS_SCALE_UP:
                // units * (10^9 / unitsPerSecond): equal, modulo 2^64, to seconds * 10^9 + fraction scaled.
                return units * tsFactors[interfaceId] + offsetNanos;

            case TS_SCALE_DOWN:
            {
                final long unitsPerSecond = tsUnitsPerSecond[interfaceId];
                final long seconds = Long.divideUnsigned(units, unitsPerSecond);
                final long fraction = Long.remainderUnsigned(units, unitsPerSecond);
                return seconds * NANOS_PER_SECOND + Long.divideUnsigned(fraction, tsFactors[interfaceId]) + offsetNanos;
            }

            default:
            {
                final int shift = (int)tsFactors[interfaceId];
                if (shift == 0)
                {
                    return units * NANOS_PER_SECOND + offsetNanos;
                }
                final long seconds = units >>> shift;
                final long fraction = units & ((1L << shift) - 1);
                // fraction * 10^9 / 2^shift, with the 93-bit product kept whole.
                final long high = Math.multiplyHigh(fraction, NANOS_PER_SECOND);
                final long low = fraction * NANOS_PER_SECOND;
                final long fractionNanos = (high << (64 - shift)) | (low >>> shift);
                return seconds * NANOS_PER_SECOND + fractionNanos + offsetNanos;
            }
        }
    }

    /**
     * Checks the Section Header Block at the window's position and, if it is sound, switches to its byte
     * order and forgets the previous section's interfaces.
     *
     * @param maxLength largest acceptable block length.
     * @return null if sound (its length in {@link #checkedBlockLength}), else the problem.
     * @throws IOException for I/O failures.
     */
    private String sectionHeaderProblem(final int maxLength) throws IOException
    {
        final ByteWindow window = this.window;
        if (!window.ensure(SHB_BYTE_ORDER_OFFSET + 4))
        {
            return "section header block cut short: " + (window.limit - window.position) + " bytes";
        }
        final int start = window.position;
        final int byteOrderMagic = window.buffer.getInt(start + SHB_BYTE_ORDER_OFFSET);
        final ByteOrder order;
        if (byteOrderMagic == PCAPNG_BYTE_ORDER_MAGIC)
        {
            order = ByteOrder.BIG_ENDIAN;
        }
        else if (Integer.reverseBytes(byteOrderMagic) == PCAPNG_BYTE_ORDER_MAGIC)
        {
            order = ByteOrder.LITTLE_ENDIAN;
        }
        else
        {
            return String.format("section header block has a bad byte-order magic 0x%08x", byteOrderMagic);
        }
        final int rawLength = window.buffer.getInt(start + 4);
        final int length = order == ByteOrder.BIG_ENDIAN ? rawLength : Integer.reverseBytes(rawLength);
        if (Integer.compareUnsigned(length, SHB_MIN_LENGTH) < 0 || (length & 3) != 0 ||
            Integer.compareUnsigned(length, maxLength) > 0)
        {
            return "section header " + blockLengthProblem(PCAPNG_SHB_TYPE, length);
        }
        if (!window.ensure(length))
        {
            return "section header block cut short: " + (window.limit - window.position) + " of " + length + " bytes";
        }
        window.order(order);
        final ByteBuffer header = window.header;
        final int at = window.position;
        final int trailer = header.getInt(at + length - 4);
        if (trailer != length)
        {
            return "section header " + trailerProblem(length, trailer);
        }
        final int major = header.getShort(at + SHB_MAJOR_OFFSET) & 0xFFFF;
        final int minor = header.getShort(at + SHB_MINOR_OFFSET) & 0xFFFF;
        if (major != 1 || (minor != 0 && minor != 2))
        {
            return "unsupported pcapng version " + major + "." + minor;
        }
        interfaceCount = 0;
        checkedBlockLength = length;
        return null;
    }

    /**
     * Parses an Interface Description Block and adds its interface, as libpcap's {@code add_interface}.
     *
     * @return null if sound, else the problem.
     */
    private String interfaceProblem(final ByteBuffer header, final int start, final int length)
    {
        if (length < IDB_OPTIONS_OFFSET + 4)
        {
            return "interface description block of " + length + " bytes is too short";
        }
        final int linkType = header.getShort(start + IDB_LINKTYPE_OFFSET) & 0xFFFF;
        final int snapLength = header.getInt(start + IDB_SNAPLEN_OFFSET);
        int mode = TS_SCALE_UP;
        long factor = 1000;
        long unitsPerSecond = 1_000_000;
        long offsetSeconds = 0;
        boolean sawResolution = false;
        boolean sawOffset = false;
        final int end = start + length - 4;
        int option = start + IDB_OPTIONS_OFFSET;
        while (option != end)
        {
            if (end - option < 4)
            {
                return "interface description block option header cut short";
            }
            final int code = header.getShort(option) & 0xFFFF;
            final int optionLength = header.getShort(option + 2) & 0xFFFF;
            final int padded = (optionLength + 3) & ~3;
            if (end - option - 4 < padded)
            {
                return "interface description block option " + code + " of " + optionLength + " bytes cut short";
            }
            if (code == OPT_ENDOFOPT)
            {
                if (optionLength != 0)
                {
                    return "interface description block has opt_endofopt with length " + optionLength;
                }
                break;
            }
            else if (code == OPT_IF_TSRESOL)
            {
                if (optionLength != 1 || sawResolution)
                {
                    return "interface description block has a malformed or repeated if_tsresol";
                }
                sawResolution = true;
                final int value = header.get(option + 4) & 0xFF;
                if ((value & 0x80) != 0)
                {
                    final int shift = value & 0x7F;
                    if (shift > 63)
                    {
                        return "interface description block if_tsresol 2^-" + shift + " is too fine";
                    }
                    mode = TS_BINARY;
                    factor = shift;
                    unitsPerSecond = 1L << shift;
                }
                else
                {
                    if (value > 19)
                    {
                        return "interface description block if_tsresol 10^-" + value + " is too fine";
                    }
                    unitsPerSecond = 1;
                    for (int i = 0; i < value; i++)
                    {
                        unitsPerSecond *= 10;
                    }
                    if (value <= 9)
                    {
                        mode = TS_SCALE_UP;
                        factor = NANOS_PER_SECOND / unitsPerSecond;
                    }
                    else
                    {
                        mode = TS_SCALE_DOWN;
                        factor = Long.divideUnsigned(unitsPerSecond, NANOS_PER_SECOND);
                    }
                }
            }
            else if (code == OPT_IF_TSOFFSET)
            {
                if (optionLength != 8 || sawOffset)
                {
                    return "interface description block has a malformed or repeated if_tsoffset";
                }
                sawOffset = true;
                offsetSeconds = header.getLong(option + 4);
            }
            option += 4 + padded;
        }

        final int index = interfaceCount;
        if (index == linkTypes.length)
        {
            final int grown = index * 2;
            linkTypes = Arrays.copyOf(linkTypes, grown);
            snapLengths = Arrays.copyOf(snapLengths, grown);
            tsModes = Arrays.copyOf(tsModes, grown);
            tsFactors = Arrays.copyOf(tsFactors, grown);
            tsUnitsPerSecond = Arrays.copyOf(tsUnitsPerSecond, grown);
            tsOffsetSeconds = Arrays.copyOf(tsOffsetSeconds, grown);
        }
        linkTypes[index] = linkType;
        snapLengths[index] = effectiveSnapLength(linkType, snapLength);
        tsModes[index] = mode;
        tsFactors[index] = factor;
        tsUnitsPerSecond[index] = unitsPerSecond;
        tsOffsetSeconds[index] = offsetSeconds;
        interfaceCount = index + 1;
        maxBlockLength = Math.max(maxBlockLength, CaptureFileDescriptor.maxBlockLength(linkType));
        return null;
    }

    private static String blockLengthProblem(final int type, final int length)
    {
        return "block of type " + Integer.toUnsignedString(type) + " has an invalid length " +
            Integer.toUnsignedString(length) + " (below 12, not a multiple of 4, or above the maximum)";
    }

    private static String trailerProblem(final int length, final int trailer)
    {
        return "block total length in header " + Integer.toUnsignedString(length) + " and trailer " +
            Integer.toUnsignedString(trailer) + " don't match";
    }
}
