package io.nightjar.aggregator.enrich;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.fail;

/** The real geo data files from the cache ({@code ./nightjar geo-data}); tests fail, not skip, without them. */
public final class GeoTestData
{
    private GeoTestData()
    {
    }

    /** The geo directory, after checking that every data file is there. */
    public static Path directory()
    {
        final Path dir = Enricher.defaultDirectory();
        for (final String f : new String[] {Enricher.COUNTRY_FILE, Enricher.ASN_IPV4_FILE, Enricher.ASN_IPV6_FILE})
        {
            if (!Files.isRegularFile(dir.resolve(f)))
            {
                fail("geo data file " + dir.resolve(f) + " is missing: run ./nightjar geo-data (./nightjar test does it first)");
            }
        }
        return dir;
    }
    /** A plain CSV split: quoted fields with "" for a quote. */
    public static List<String> csv(final String line)
    {
        final List<String> out = new ArrayList<>();
        final StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quoted)
            {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"')
                {
                    cur.append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cur.append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                out.add(cur.toString());
                cur.setLength(0);
            }
            else
            {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    public static BigInteger number(final String text) throws IOException
    {
        return new BigInteger(1, InetAddress.getByName(text).getAddress());
    }

    /**
     * The CSV row (ASN, AS name) holding {@code address}, found by reading the file here (the
     * first row whose range holds it), or null.
     */
    public static List<String> asnRow(final String address) throws IOException
    {
        final BigInteger a = number(address);
        final String file = address.indexOf(':') >= 0 ? Enricher.ASN_IPV6_FILE : Enricher.ASN_IPV4_FILE;
        try (java.util.stream.Stream<String> lines = Files.lines(directory().resolve(file)))
        {
            for (final String line : (Iterable<String>)lines::iterator)
            {
                final List<String> f = csv(line);
                if (number(f.get(0)).compareTo(a) <= 0 && a.compareTo(number(f.get(1))) <= 0)
                {
                    return List.of(f.get(2), f.get(3));
                }
            }
        }
        return null;
    }
}
