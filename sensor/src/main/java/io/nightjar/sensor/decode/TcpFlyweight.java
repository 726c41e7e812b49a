package io.nightjar.sensor.decode;

/**
 * View over a TCP header (RFC 9293). Network byte order.
 *
 * <pre>
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (data offset > 5)                  | 20
 * </pre>
 */
public final class TcpFlyweight extends Flyweight
{
    /** Header length without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Bytes needed to read the flags (through byte 13). */
    public static final int FLAGS_END = 14;
    /** FIN flag bit. */
    public static final int FIN = 0x01;
    /** SYN flag bit. */
    public static final int SYN = 0x02;
    /** RST flag bit. */
    public static final int RST = 0x04;
    /** PSH flag bit. */
    public static final int PSH = 0x08;
    /** ACK flag bit. */
    public static final int ACK = 0x10;
    /** URG flag bit. */
    public static final int URG = 0x20;

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

    /** Sequence number, as an int holding the unsigned value. */
    public int sequence()
    {
        return i32(4);
    }

    /** Acknowledgement number. */
    public int acknowledgement()
    {
        return i32(8);
    }

    /** Header length in bytes (data offset * 4). */
    public int headerLength()
    {
        return (u8(12) >>> 4) << 2;
    }

    /** The eight flag bits CWR..FIN. */
    public int flags()
    {
        return u8(13);
    }

    /** Receive window (unscaled). */
    public int window()
    {
        return u16(14);
    }

    /** Unsigned byte at {@code index} from the start of the TCP header (options are read with this). */
    public int byteAt(final int index)
    {
        return u8(index);
    }

    /** Unsigned 16-bit value at {@code index} from the start of the TCP header. */
    public int shortAt(final int index)
    {
        return u16(index);
    }
}
