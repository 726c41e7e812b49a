package io.nightjar.wire.schema;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Conversions of the 16-byte address form used everywhere in Nightjar (IPv4 as IPv4-mapped IPv6,
 * {@code ::ffff:a.b.c.d}) to and from two longs and text. Stateless; not for per-packet use
 * (the text forms allocate).
 */
public final class Addresses
{
    private Addresses()
    {
    }

    /** 16 big-endian bytes of the address (hi, lo). */
    public static byte[] toBytes(final long hi, final long lo)
    {
        final byte[] b = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            b[i] = (byte)(hi >>> (56 - 8 * i));
            b[8 + i] = (byte)(lo >>> (56 - 8 * i));
        }
        return b;
    }

    /** High 64 bits of a 16-byte address. */
    public static long hi(final byte[] address)
    {
        long v = 0;
        for (int i = 0; i < 8; i++)
        {
            v = (v << 8) | (address[i] & 0xffL);
        }
        return v;
    }

    /** Low 64 bits of a 16-byte address. */
    public static long lo(final byte[] address)
    {
        long v = 0;
        for (int i = 8; i < 16; i++)
        {
            v = (v << 8) | (address[i] & 0xffL);
        }
        return v;
    }

    /** Whether (hi, lo) is an IPv4-mapped address. */
    public static boolean isIpv4Mapped(final long hi, final long lo)
    {
        return hi == 0 && (lo >>> 32) == 0xffffL;
    }

    /** Whether the 16-byte address is IPv4-mapped. */
    public static boolean isIpv4Mapped(final byte[] address)
    {
        return isIpv4Mapped(hi(address), lo(address));
    }

    /** Text form: dotted quad for IPv4-mapped addresses, RFC 5952 compressed form for IPv6. */
    public static String toString(final long hi, final long lo)
    {
        if (isIpv4Mapped(hi, lo))
        {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 4; i++)
        {
            groups[i] = (int)(hi >>> (48 - 16 * i)) & 0xffff;
            groups[4 + i] = (int)(lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; )
        {
            if (groups[i] == 0)
            {
                int j = i;
                while (j < 8 && groups[j] == 0)
                {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2)
                {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            }
            else
            {
                i++;
            }
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** Text form of a 16-byte address. */
    public static String toString(final byte[] address)
    {
        return toString(hi(address), lo(address));
    }

    /** Parses an IPv4 or IPv6 literal (no host names) into 16 bytes. */
    public static byte[] parse(final String text)
    {
        if (!text.matches("[0-9A-Fa-f:.]+"))
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        final byte[] raw;
        try
        {
            raw = InetAddress.getByName(text).getAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (raw.length == 16)
        {
            return raw;
        }
        final byte[] b = new byte[16];
        b[10] = (byte)0xff;
        b[11] = (byte)0xff;
        System.arraycopy(raw, 0, b, 12, 4);
        return b;
    }
}
