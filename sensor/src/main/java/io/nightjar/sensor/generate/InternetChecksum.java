package io.nightjar.sensor.generate;

/**
 * The RFC 1071 Internet checksum (16-bit one's complement of the one's complement sum), as used by
 * IPv4 headers, TCP, UDP, ICMP and ICMPv6. Words are read big-endian (network byte order).
 *
 * <p>Stateless and thread-safe; allocation-free. Sums are carried in a {@code long} accumulator so
 * several ranges (pseudo-header, header, payload) can be added before one {@link #fold}.
 */
public final class InternetChecksum
{
    private InternetChecksum()
    {
    }

    /**
     * Adds {@code len} bytes of {@code b} from {@code off} to {@code acc} as big-endian 16-bit words;
     * an odd trailing byte is padded with a zero byte. The range must start on an even offset
     * relative to the checksummed message, as it does for every header boundary.
     */
    public static long sum(final byte[] b, final int off, final int len, final long acc)
    {
        long s = acc;
        final int end = off + (len & ~1);
        for (int i = off; i < end; i += 2)
        {
            s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((len & 1) != 0)
        {
            s += (b[end] & 0xff) << 8;
        }
        return s;
    }

    /** Folds the carries of {@code acc} and returns the one's complement, 0..0xffff, ready to store. */
    public static int fold(final long acc)
    {
        long s = acc;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int)(~s & 0xffff);
    }

    /** The checksum of one range: {@code fold(sum(b, off, len, 0))}. A correct header including its checksum gives 0. */
    public static int checksum(final byte[] b, final int off, final int len)
    {
        return fold(sum(b, off, len, 0));
    }
}
