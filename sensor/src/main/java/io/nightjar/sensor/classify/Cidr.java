package io.nightjar.sensor.classify;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix such as {@code 198.51.100.0/24} or {@code 2001:db8::/32}, held as a
 * 128-bit value in the same form the decoder uses for addresses: two longs, IPv4 as the
 * IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (so an IPv4 /24 is a /120).
 *
 * <p>Immutable and thread-safe. Parsing validates once at start; {@link #contains} is allocation-free.
 */
public final class Cidr
{
    /** High 64 bits of an IPv4-mapped address ::ffff:0:0/96. */
    public static final long IPV4_MAPPED_HI = 0L;
    /** Low 64 bits prefix of an IPv4-mapped address (0000:ffff:xxxx:xxxx). */
    public static final long IPV4_MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;

    private final long hi;
    private final long lo;
    private final long maskHi;
    private final long maskLo;
    private final int prefixLength;
    private final boolean ipv4;
    private final String text;

    private Cidr(final long hi, final long lo, final int prefix128, final boolean ipv4, final String text)
    {
        this.maskHi = prefix128 >= 64 ? -1L : (prefix128 == 0 ? 0L : -1L << (64 - prefix128));
        this.maskLo = prefix128 <= 64 ? 0L : (prefix128 == 128 ? -1L : -1L << (128 - prefix128));
        this.hi = hi & maskHi;
        this.lo = lo & maskLo;
        this.prefixLength = ipv4 ? prefix128 - 96 : prefix128;
        this.ipv4 = ipv4;
        this.text = text;
    }

    /**
     * Parses "a.b.c.d/n" or "v6addr/n"; a bare address means a host prefix.
     *
     * @throws IllegalArgumentException naming the text when it is not a valid prefix.
     */
    public static Cidr parse(final String text)
    {
        final String t = text.trim();
        final int slash = t.indexOf('/');
        final String addr = slash < 0 ? t : t.substring(0, slash);
        final boolean looksV4 = addr.indexOf(':') < 0;
        final int maxLen = looksV4 ? 32 : 128;
        int len = maxLen;
        if (slash >= 0)
        {
            try
            {
                len = Integer.parseInt(t.substring(slash + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
            if (len < 0 || len > maxLen)
            {
                throw new IllegalArgumentException("prefix length out of range 0.." + maxLen + " in '" + text + "'");
            }
        }
        if (addr.isEmpty() || !addr.matches(looksV4 ? "[0-9.]+" : "[0-9A-Fa-f:.]+"))
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        final byte[] bytes;
        try
        {
            bytes = InetAddress.getByName(addr).getAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (looksV4 != (bytes.length == 4))
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (bytes.length == 4)
        {
            final long v4 = ((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8) | (bytes[3] & 0xffL);
            return new Cidr(IPV4_MAPPED_HI, IPV4_MAPPED_LO_PREFIX | v4, 96 + len, true, t);
        }
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++)
        {
            h = (h << 8) | (bytes[i] & 0xffL);
            l = (l << 8) | (bytes[i + 8] & 0xffL);
        }
        return new Cidr(h, l, len, false, t);
    }

    /** Whether the 128-bit address (hi, lo) lies in this prefix. */
    public boolean contains(final long addrHi, final long addrLo)
    {
        return (addrHi & maskHi) == hi && (addrLo & maskLo) == lo;
    }

    /** Whether this is an IPv4 prefix. */
    public boolean isIpv4()
    {
        return ipv4;
    }

    /** Prefix length in the address family's own terms (0..32 for IPv4, 0..128 for IPv6). */
    public int prefixLength()
    {
        return prefixLength;
    }

    /** Number of addresses covered, saturated at Long.MAX_VALUE for very large IPv6 prefixes. */
    public long addressCount()
    {
        final int hostBits = (ipv4 ? 32 : 128) - prefixLength;
        return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
    }

    /** High 64 bits of the network address (IPv4 mapped). */
    public long networkHi()
    {
        return hi;
    }

    /** Low 64 bits of the network address (IPv4 mapped). */
    public long networkLo()
    {
        return lo;
    }

    /** For IPv4 prefixes, the network address as an unsigned 32-bit value in an int. */
    public int ipv4Network()
    {
        return (int)lo;
    }

    @Override
    public String toString()
    {
        return text;
    }
}
