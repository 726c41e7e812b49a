package io.nightjar.aggregator.privacy;

import io.nightjar.wire.schema.Addresses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Crypto-PAn over the 16-byte stored address form (IPv4 as IPv4-mapped IPv6): an IPv4-mapped
 * address keeps its {@code ::ffff:0:0/96} prefix and its 32-bit IPv4 part is anonymised as IPv4 (so
 * the IPv4 reference mapping holds and IPv4 stays IPv4); any other address is anonymised over all
 * 128 bits. Prefixes are therefore preserved within each family, not between an IPv4 and an IPv6
 * address (each family is its own Crypto-PAn tree, as in the libraries). An IPv6 result could in
 * principle land in {@code ::ffff:0:0/96} (probability 2^-96 per address); it is left as it is.
 *
 * <p>Results are kept in a bounded least-recently-used map (the export of a long period asks for the
 * same sources again and again, and each costs 32 or 128 AES blocks). One instance serves the whole
 * aggregator, its deployment key fixed for the process's life; calls are synchronised, so any thread
 * may call it, one at a time.
 */
public final class SourceAnonymizer
{
    private final CryptoPan cryptoPan;
    private final String keyId;
    private final Map<Address, byte[]> cache;
    private long hits;
    private long misses;

    /** Anonymises with {@code key}, caching at most {@code cacheEntries} addresses. */
    public SourceAnonymizer(final CryptoPanKey key, final int cacheEntries)
    {
        if (cacheEntries < 0)
        {
            throw new IllegalArgumentException("cacheEntries must be >= 0, not " + cacheEntries);
        }
        this.cryptoPan = key.newCryptoPan();
        this.keyId = key.id();
        this.cache = new LinkedHashMap<>(Math.min(cacheEntries, 1 << 16), 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Address, byte[]> eldest)
            {
                return size() > cacheEntries;
            }
        };
    }

    /** The key's public identifier ({@link CryptoPanKey#id()}): exports with the same id can be joined. */
    public String keyId()
    {
        return keyId;
    }

    /** The anonymised 16-byte form of a 16-byte stored address (a new array, or null for null). */
    public synchronized byte[] anonymizeStored(final byte[] stored)
    {
        if (stored == null)
        {
            return null;
        }
        if (stored.length != 16)
        {
            throw new IllegalArgumentException("a stored address is 16 bytes, not " + stored.length);
        }
        final long hi = Addresses.hi(stored);
        final long lo = Addresses.lo(stored);
        final Address key = new Address(hi, lo);
        final byte[] known = cache.get(key);
        if (known != null)
        {
            hits++;
            return known.clone();
        }
        misses++;
        final byte[] out;
        if (Addresses.isIpv4Mapped(hi, lo))
        {
            final int v4 = cryptoPan.anonymizeIpv4((int)lo);
            out = Addresses.toBytes(0, (lo & 0xffffffff00000000L) | (v4 & 0xffffffffL));
        }
        else
        {
            final long h = cryptoPan.anonymizeIpv6(hi, lo);
            out = Addresses.toBytes(h, cryptoPan.resultLo());
        }
        cache.put(key, out);
        return out.clone();
    }

    /** Addresses answered from the cache so far. */
    public synchronized long cacheHits()
    {
        return hits;
    }

    /** Addresses computed so far. */
    public synchronized long cacheMisses()
    {
        return misses;
    }

    private record Address(long hi, long lo)
    {
    }
}
