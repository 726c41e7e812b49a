package io.nightjar.sensor.decode;

/**
 * View over an IPv4 header (RFC 791). Network byte order.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |Type of Service|          Total Length         |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (IHL > 5)                          | 20
 * </pre>
 */
public final class Ipv4Flyweight extends Flyweight
{
    /** Length of the header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Offset of the version/IHL byte. */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the total length field. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification field. */
    public static final int ID_OFFSET = 4;
    /** Offset of the flags and fragment offset field. */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the TTL. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol field. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 16;
    /** More-fragments flag in the flags/fragment-offset field. */
    public static final int FLAG_MF = 0x2000;
    /** Fragment offset mask (in 8-byte units). */
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    /** Version nibble. Needs 1 byte. */
    public int version()
    {
        return u8(VERSION_IHL_OFFSET) >>> 4;
    }

    /** Header length in bytes (IHL * 4). Needs 1 byte. */
    public int headerLength()
    {
        return (u8(VERSION_IHL_OFFSET) & 0x0f) << 2;
    }

    /** Total length field in bytes. */
    public int totalLength()
    {
        return u16(TOTAL_LENGTH_OFFSET);
    }

    /** Identification field. */
    public int id()
    {
        return u16(ID_OFFSET);
    }

    /** Flags and fragment offset, raw 16 bits. */
    public int flagsAndFragmentOffset()
    {
        return u16(FLAGS_FRAGMENT_OFFSET);
    }

    /** Time to live. */
    public int ttl()
    {
        return u8(TTL_OFFSET);
    }

    /** Protocol number of the payload. */
    public int protocol()
    {
        return u8(PROTOCOL_OFFSET);
    }

    /** Source address as an unsigned 32-bit value. */
    public int source()
    {
        return i32(SOURCE_OFFSET);
    }

    /** Destination address as an unsigned 32-bit value. */
    public int destination()
    {
        return i32(DESTINATION_OFFSET);
    }
}
