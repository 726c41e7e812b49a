package io.nightjar.sensor.decode;

/**
 * View over an IPv6 fixed header (RFC 8200) and, through {@link #wrap} at another offset, over the
 * generic two-byte prefix of its extension headers. Network byte order.
 *
 * <pre>
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Source Address (128 bits)                     |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              Destination Address (128 bits)                   | 24
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6Flyweight extends Flyweight
{
    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 40;
    /** Offset of the payload length. */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** Offset of the next header field. */
    public static final int NEXT_HEADER_OFFSET = 6;
    /** Offset of the hop limit. */
    public static final int HOP_LIMIT_OFFSET = 7;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 8;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 24;

    /** Next-header value: hop-by-hop options. */
    public static final int EXT_HOP_BY_HOP = 0;
    /** Next-header value: routing header. */
    public static final int EXT_ROUTING = 43;
    /** Next-header value: fragment header (8 bytes). */
    public static final int EXT_FRAGMENT = 44;
    /** Next-header value: destination options. */
    public static final int EXT_DESTINATION_OPTIONS = 60;

    /** Version nibble. */
    public int version()
    {
        return u8(0) >>> 4;
    }

    /** Payload length in bytes (everything after the fixed header). */
    public int payloadLength()
    {
        return u16(PAYLOAD_LENGTH_OFFSET);
    }

    /** Next header of the fixed header. */
    public int nextHeader()
    {
        return u8(NEXT_HEADER_OFFSET);
    }

    /** Hop limit. */
    public int hopLimit()
    {
        return u8(HOP_LIMIT_OFFSET);
    }

    /** High 64 bits of the source address. */
    public long sourceHi()
    {
        return i64(SOURCE_OFFSET);
    }

    /** Low 64 bits of the source address. */
    public long sourceLo()
    {
        return i64(SOURCE_OFFSET + 8);
    }

    /** High 64 bits of the destination address. */
    public long destinationHi()
    {
        return i64(DESTINATION_OFFSET);
    }

    /** Low 64 bits of the destination address. */
    public long destinationLo()
    {
        return i64(DESTINATION_OFFSET + 8);
    }

    /** For a view wrapped at an extension header: its next-header byte. */
    public int extensionNextHeader()
    {
        return u8(0);
    }

    /** For a view wrapped at a hop-by-hop, routing or destination-options header: its length in bytes. */
    public int extensionLength()
    {
        return (u8(1) + 1) << 3;
    }

    /** For a view wrapped at a fragment header: offset (8-byte units) and M flag, raw 16 bits. */
    public int fragmentOffsetAndFlags()
    {
        return u16(2);
    }
}
