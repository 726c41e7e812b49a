package io.nightjar.aggregator.enrich;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Source enrichment: the country (DB-IP Lite country MMDB) and the ASN and AS organisation
 * (ip-location-db IP-to-ASN ranges) of a source address in the store's 16-byte form (IPv4 as
 * IPv4-mapped IPv6, {@code ::ffff:a.b.c.d}).
 *
 * <p>Any part may be absent: {@link #load} logs one WARN line per missing or damaged file and the
 * aggregator carries on without that part (sources then have a null country or ASN 0). Immutable
 * after loading; every lookup method is safe from any thread. Lookups allocate a little (the MMDB
 * reader's address object): call them once per new source, not per packet.
 *
 * <p>The data is CC BY 4.0: whatever shows results derived from it shows {@link #ATTRIBUTION}.
 */
public final class Enricher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Enricher.class);

    /**
     * The attribution the data's CC BY 4.0 licences ask for (DB-IP: "give attribution to DB-IP.com",
     * with a link on web pages; Route Views: "attribution to routeviews.org"; NRO: "attribution to
     * nro.net"; ip-location-db's MODIFICATIONS: its ASN file is merged from those, with modifications),
     * for the API, the dashboard and reports.
     */
    public static final String ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0."
        + " AS numbers and names: ip-location-db (https://github.com/sapics/ip-location-db), merged with modifications"
        + " from Route Views (routeviews.org), NRO (nro.net) and DB-IP IP to ASN Lite (db-ip.com) data, CC BY 4.0"
        + " (https://creativecommons.org/licenses/by/4.0/).";

    /** {@link #ATTRIBUTION} for web pages, with the link back DB-IP's licence asks web applications for. */
    public static final String ATTRIBUTION_HTML = "<a href='https://db-ip.com'>IP Geolocation by DB-IP</a> (CC BY 4.0)."
        + " AS numbers and names: <a href='https://github.com/sapics/ip-location-db'>ip-location-db</a>, merged with modifications"
        + " from <a href='https://www.routeviews.org'>Route Views</a>, <a href='https://www.nro.net'>NRO</a> and"
        + " <a href='https://db-ip.com'>DB-IP</a> data, <a href='https://creativecommons.org/licenses/by/4.0/'>CC BY 4.0</a>.";

    /** The country database's file name in the geo directory. */
    public static final String COUNTRY_FILE = "dbip-country.mmdb";
    /** The IPv4 ASN ranges' file name in the geo directory. */
    public static final String ASN_IPV4_FILE = "asn-ipv4.csv";
    /** The IPv6 ASN ranges' file name in the geo directory. */
    public static final String ASN_IPV6_FILE = "asn-ipv6.csv";

    private static final Enricher NONE = new Enricher(null, null, null);

    private final CountryDatabase country;
    private final AsnTable asnIpv4;
    private final AsnTable asnIpv6;
    private final String version;

    private Enricher(final CountryDatabase country, final AsnTable asnIpv4, final AsnTable asnIpv6)
    {
        this.country = country;
        this.asnIpv4 = asnIpv4;
        this.asnIpv6 = asnIpv6;
        final StringJoiner v = new StringJoiner("; ");
        v.add(country == null ? "country: none" : "country: " + country.version());
        v.add(asnIpv4 == null ? "asn ipv4: none" : String.format("asn ipv4: %s crc32c %08x", asnIpv4.file().getFileName(), asnIpv4.crc32c()));
        v.add(asnIpv6 == null ? "asn ipv6: none" : String.format("asn ipv6: %s crc32c %08x", asnIpv6.file().getFileName(), asnIpv6.crc32c()));
        this.version = v.toString();
    }

    /**
     * The default geo data directory: {@code $NIGHTJAR_GEO}, else {@code ~/.cache/nightjar/geo}
     * (where {@code ./nightjar geo-data} puts the files).
     */
    public static Path defaultDirectory()
    {
        final String env = System.getenv("NIGHTJAR_GEO");
        if (env != null && !env.isBlank())
        {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "nightjar", "geo");
    }

    /** No geo data: every lookup answers {@link Enrichment#UNKNOWN}. */
    public static Enricher none()
    {
        return NONE;
    }

    /** An enricher over parts already loaded (any may be null). */
    public static Enricher of(final CountryDatabase country, final AsnTable asnIpv4, final AsnTable asnIpv6)
    {
        return new Enricher(country, asnIpv4, asnIpv6);
    }

    /**
     * Loads {@link #COUNTRY_FILE}, {@link #ASN_IPV4_FILE} and {@link #ASN_IPV6_FILE} from {@code directory}.
     * Never fails: a missing or damaged file is one WARN line naming it and what the sources then lack.
     */
    public static Enricher load(final Path directory)
    {
        final long start = System.nanoTime();
        CountryDatabase c = null;
        AsnTable v4 = null;
        AsnTable v6 = null;
        final List<String> problems = new ArrayList<>();
        int notFound = 0;
        try
        {
            c = CountryDatabase.open(directory.resolve(COUNTRY_FILE));
        }
        catch (final GeoDataException ex)
        {
            problems.add(ex.getMessage() + ": sources get no country");
            notFound += Files.exists(ex.file()) ? 0 : 1;
        }
        try
        {
            v4 = AsnTable.loadIpv4(directory.resolve(ASN_IPV4_FILE));
        }
        catch (final GeoDataException ex)
        {
            problems.add(ex.getMessage() + ": IPv4 sources get no ASN");
            notFound += Files.exists(ex.file()) ? 0 : 1;
        }
        try
        {
            v6 = AsnTable.loadIpv6(directory.resolve(ASN_IPV6_FILE));
        }
        catch (final GeoDataException ex)
        {
            problems.add(ex.getMessage() + ": IPv6 sources get no ASN");
            notFound += Files.exists(ex.file()) ? 0 : 1;
        }
        if (notFound == 3)
        {
            LOG.warn("geo: no geo data in {} ({}, {} and {} not found): sources get no country and no ASN (run ./nightjar geo-data, or --no-geo)",
                directory, COUNTRY_FILE, ASN_IPV4_FILE, ASN_IPV6_FILE);
        }
        else
        {
            for (final String p : problems)
            {
                LOG.warn("geo: {} (run ./nightjar geo-data, or --no-geo)", p);
            }
        }
        final Enricher e = new Enricher(c, v4, v6);
        if (!e.isEmpty())
        {
            LOG.info("geo: loaded from {} in {} ms: {}; {} IPv4 and {} IPv6 ASN ranges", directory, (System.nanoTime() - start) / 1_000_000,
                c == null ? "no country data" : c.version(), v4 == null ? 0 : v4.size(), v6 == null ? 0 : v6.size());
        }
        return e;
    }

    /** Country, ASN and AS organisation of a 16-byte address. */
    public Enrichment lookup(final byte[] address16)
    {
        if (isEmpty())
        {
            return Enrichment.UNKNOWN;
        }
        final String cc = country(address16);
        final AsnTable table = table(address16);
        final int i = find(table, address16);
        return i < 0 ? (cc == null ? Enrichment.UNKNOWN : new Enrichment(cc, 0, null)) : new Enrichment(cc, table.asn(i), table.name(i));
    }

    /** ISO 3166-1 alpha-2 country of a 16-byte address, or null. */
    public String country(final byte[] address16)
    {
        checkLength(address16);
        return country == null ? null : country.country(address16);
    }

    /** ASN (unsigned) of a 16-byte address, or 0 when unknown. */
    public long asn(final byte[] address16)
    {
        final AsnTable table = table(address16);
        final int i = find(table, address16);
        return i < 0 ? 0 : table.asn(i);
    }

    /** AS organisation of a 16-byte address, or null when unknown. */
    public String asName(final byte[] address16)
    {
        final AsnTable table = table(address16);
        final int i = find(table, address16);
        return i < 0 ? null : table.name(i);
    }

    /** Whether country data is loaded. */
    public boolean hasCountry()
    {
        return country != null;
    }

    /** Whether IPv4 ASN data is loaded. */
    public boolean hasAsnIpv4()
    {
        return asnIpv4 != null;
    }

    /** Whether IPv6 ASN data is loaded. */
    public boolean hasAsnIpv6()
    {
        return asnIpv6 != null;
    }

    /** Whether nothing is loaded. */
    public boolean isEmpty()
    {
        return country == null && asnIpv4 == null && asnIpv6 == null;
    }

    /**
     * What identifies the loaded data (country database build time, ASN files' CRC-32C; "none" for
     * absent parts): the store records it and re-attributes its sources when it changes.
     */
    public String version()
    {
        return version;
    }

    private AsnTable table(final byte[] address16)
    {
        checkLength(address16);
        return isIpv4Mapped(address16) ? asnIpv4 : asnIpv6;
    }

    private static int find(final AsnTable table, final byte[] a)
    {
        if (table == null)
        {
            return -1;
        }
        if (!table.isIpv6())
        {
            return table.findIpv4(((a[12] & 0xffL) << 24) | ((a[13] & 0xffL) << 16) | ((a[14] & 0xffL) << 8) | (a[15] & 0xffL));
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++)
        {
            hi = (hi << 8) | (a[i] & 0xffL);
            lo = (lo << 8) | (a[8 + i] & 0xffL);
        }
        return table.findIpv6(hi, lo);
    }

    private static boolean isIpv4Mapped(final byte[] a)
    {
        for (int i = 0; i < 10; i++)
        {
            if (a[i] != 0)
            {
                return false;
            }
        }
        return a[10] == (byte)0xff && a[11] == (byte)0xff;
    }

    private static void checkLength(final byte[] address16)
    {
        if (address16.length != 16)
        {
            throw new IllegalArgumentException("addresses are 16 bytes (IPv4 as IPv4-mapped IPv6), not " + address16.length);
        }
    }

    @Override
    public void close()
    {
        if (country != null)
        {
            country.close();
        }
    }
}
