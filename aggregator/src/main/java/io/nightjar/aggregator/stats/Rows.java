package io.nightjar.aggregator.stats;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.TrafficClass;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers to build answer rows: an ordered map, protocol and class names, addresses. */
final class Rows
{
    private Rows()
    {
    }

    /** An ordered row from alternating keys and values. */
    static Map<String, Object> row(final Object... kv)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2)
        {
            m.put((String)kv[i], kv[i + 1]);
        }
        return m;
    }

    /** "tcp", "udp", "icmp", "icmp6" or the number. */
    static String protocolName(final int proto)
    {
        return switch (proto)
        {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmp6";
            default -> Integer.toString(proto);
        };
    }

    /** The class key of a stored class id. */
    static String className(final int id)
    {
        return TrafficClass.ofId(id).key();
    }

    /** Text of a 16-byte stored address (IPv4-mapped shown dotted). */
    static String address(final byte[] a)
    {
        return a == null ? null : Addresses.toString(a);
    }

    /** Ratio or null when the denominator is 0. */
    static Double ratio(final double num, final double den)
    {
        return den == 0 ? null : num / den;
    }

    /** Rounded to 4 decimals (for shares and averages in answers). */
    static double round4(final double v)
    {
        return Math.round(v * 1e4) / 1e4;
    }
}
