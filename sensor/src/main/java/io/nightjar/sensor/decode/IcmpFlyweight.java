package io.nightjar.sensor.decode;

/**
 * View over an ICMP (RFC 792) or ICMPv6 (RFC 4443) header: type, code, checksum, then four bytes
 * whose meaning depends on the type; error messages quote the offending packet from byte 8 on.
 */
public final class IcmpFlyweight extends Flyweight
{
    /** Bytes before an error message's quoted packet. */
    public static final int HEADER_LENGTH = 8;

    /** Message type. */
    public int type()
    {
        return u8(0);
    }

    /** Message code. */
    public int code()
    {
        return u8(1);
    }
}
