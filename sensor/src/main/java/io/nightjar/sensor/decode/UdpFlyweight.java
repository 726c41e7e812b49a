package io.nightjar.sensor.decode;

/**
 * View over a UDP header (RFC 768): source port, destination port, length, checksum; 8 bytes,
 * network byte order.
 */
public final class UdpFlyweight extends Flyweight
{
    /** Header length. */
    public static final int HEADER_LENGTH = 8;

    /** Source port. */
    public int sourcePort()
    {
        return u16(0);
    }

    /** Destination port. */
    public int destinationPort()
    {
        return u16(2);
    }

    /** Length field (header + data), bytes. */
    public int lengthField()
    {
        return u16(4);
    }
}
