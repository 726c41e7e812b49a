package io.nightjar.sensor.classify;

import java.util.ArrayList;
import java.util.List;

/**
 * The darknet: the configured IPv4 and IPv6 prefixes whose traffic is Internet background
 * radiation. With no prefix configured every destination is dark. Immutable, thread-safe,
 * allocation-free to query.
 */
public final class Darknet
{
    private final Cidr[] prefixes;

    /** A darknet of the given prefixes; an empty array means every destination is dark. */
    public Darknet(final Cidr... prefixes)
    {
        this.prefixes = prefixes.clone();
    }

    /**
     * Parses a comma-separated list such as "198.51.100.0/24,2001:db8::/32"; blank means every
     * destination is dark.
     *
     * @throws IllegalArgumentException naming the bad element.
     */
    public static Darknet parse(final String commaSeparated)
    {
        if (commaSeparated == null || commaSeparated.isBlank())
        {
            return new Darknet();
        }
        final List<Cidr> list = new ArrayList<>();
        for (final String part : commaSeparated.split(","))
        {
            if (!part.isBlank())
            {
                list.add(Cidr.parse(part));
            }
        }
        return new Darknet(list.toArray(new Cidr[0]));
    }

    /** Parses several lists (as given to a repeatable option). */
    public static Darknet parse(final List<String> lists)
    {
        final List<Cidr> list = new ArrayList<>();
        if (lists != null)
        {
            for (final String l : lists)
            {
                for (final Cidr c : parse(l).prefixes)
                {
                    list.add(c);
                }
            }
        }
        return new Darknet(list.toArray(new Cidr[0]));
    }

    /** Whether traffic to (hi, lo) is darknet traffic. */
    public boolean contains(final long hi, final long lo)
    {
        final Cidr[] p = prefixes;
        if (p.length == 0)
        {
            return true;
        }
        for (final Cidr c : p)
        {
            if (c.contains(hi, lo))
            {
                return true;
            }
        }
        return false;
    }

    /** Whether every destination is dark (no prefix configured). */
    public boolean isEverything()
    {
        return prefixes.length == 0;
    }

    /** Number of IPv4 addresses in the darknet (0 if none configured). */
    public long ipv4AddressCount()
    {
        long n = 0;
        for (final Cidr c : prefixes)
        {
            if (c.isIpv4())
            {
                n += c.addressCount();
            }
        }
        return n;
    }

    /** The configured prefixes. */
    public List<Cidr> prefixes()
    {
        return List.of(prefixes);
    }

    @Override
    public String toString()
    {
        return prefixes.length == 0 ? "everything" : String.join(",", prefixes().stream().map(Cidr::toString).toList());
    }
}
