package io.nightjar.aggregator.enrich;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * IP-to-ASN ranges of one address family, from an {@code @ip-location-db/asn} CSV file
 * ({@code asn-ipv4.csv} or {@code asn-ipv6.csv}: {@code first,last,asn,"AS organisation"} per line,
 * inclusive ranges, sorted by first address, addresses in text form, names quoted CSV-style when
 * they hold a comma or quote).
 *
 * <p>Held as primitive sorted arrays (no object per range): the first and last address of each
 * range (one {@code long} for IPv4, two for IPv6: high and low 64 bits, compared unsigned), the ASN
 * as an unsigned 32-bit {@code int} (ASNs above 2^31 exist, e.g. 4294967294), and an index into a
 * table of distinct organisation names. A lookup is a binary search for the last range starting at
 * or before the address, then a check of its end. The data holds a few overlapping ranges (a later
 * range starting inside an earlier one); where they overlap the later range wins.
 *
 * <p>Immutable after {@link #load}: any thread may look up.
 */
public final class AsnTable
{
    private final Path file;
    private final boolean ipv6;
    private final long[] firstHi;
    private final long[] firstLo;
    private final long[] lastHi;
    private final long[] lastLo;
    private final int[] asn;
    private final int[] nameIndex;
    private final String[] names;
    private final int overlaps;
    private final long crc32c;

    private AsnTable(final Path file, final boolean ipv6, final Builder b)
    {
        this.file = file;
        this.ipv6 = ipv6;
        final int n = b.size;
        this.firstHi = ipv6 ? Arrays.copyOf(b.firstHi, n) : null;
        this.lastHi = ipv6 ? Arrays.copyOf(b.lastHi, n) : null;
        this.firstLo = Arrays.copyOf(b.firstLo, n);
        this.lastLo = Arrays.copyOf(b.lastLo, n);
        this.asn = Arrays.copyOf(b.asn, n);
        this.nameIndex = Arrays.copyOf(b.nameIndex, n);
        this.names = b.names.keySet().toArray(new String[0]);
        for (final Map.Entry<String, Integer> e : b.names.entrySet())
        {
            names[e.getValue()] = e.getKey();
        }
        this.overlaps = b.overlaps;
        this.crc32c = b.crc32c;
    }

    /**
     * Loads an IPv4 file ({@code asn-ipv4.csv}).
     *
     * @throws GeoDataException naming the file (and line) when it is missing or a line is not a valid range.
     */
    public static AsnTable loadIpv4(final Path file) throws GeoDataException
    {
        return load(file, false);
    }

    /**
     * Loads an IPv6 file ({@code asn-ipv6.csv}).
     *
     * @throws GeoDataException naming the file (and line) when it is missing or a line is not a valid range.
     */
    public static AsnTable loadIpv6(final Path file) throws GeoDataException
    {
        return load(file, true);
    }

    private static AsnTable load(final Path file, final boolean ipv6) throws GeoDataException
    {
        if (!Files.isRegularFile(file))
        {
            throw new GeoDataException(file, "ASN ranges file not found", null);
        }
        final byte[] data;
        try
        {
            data = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new GeoDataException(file, "cannot read (" + ex.getMessage() + ")", ex);
        }
        final Builder b = new Builder(ipv6, Math.max(1024, data.length / (ipv6 ? 80 : 55)));
        final CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        b.crc32c = crc.getValue();
        new Parser(file, data, b).parse();
        if (b.size == 0)
        {
            throw new GeoDataException(file, "no ranges in the file", null);
        }
        return new AsnTable(file, ipv6, b);
    }

    /** The file read. */
    public Path file()
    {
        return file;
    }

    /** Ranges held. */
    public int size()
    {
        return firstLo.length;
    }

    /** Ranges that start inside the previous one (the later one wins there). */
    public int overlaps()
    {
        return overlaps;
    }

    /** CRC-32C of the file's bytes (identifies the data version). */
    public long crc32c()
    {
        return crc32c;
    }

    /** Whether this is the IPv6 table. */
    public boolean isIpv6()
    {
        return ipv6;
    }

    /** Index of the range holding IPv4 address {@code v4} (unsigned 32 bits in a long), or -1. */
    public int findIpv4(final long v4)
    {
        if (ipv6)
        {
            return -1;
        }
        final long[] first = firstLo;
        int lo = 0;
        int hi = first.length - 1;
        int found = -1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (first[mid] <= v4)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found >= 0 && v4 <= lastLo[found] ? found : -1;
    }

    /** Index of the range holding the IPv6 address (hi, lo) (each compared unsigned), or -1. */
    public int findIpv6(final long addrHi, final long addrLo)
    {
        if (!ipv6)
        {
            return -1;
        }
        final long[] fh = firstHi;
        final long[] fl = firstLo;
        int lo = 0;
        int hi = fh.length - 1;
        int found = -1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (compare(fh[mid], fl[mid], addrHi, addrLo) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found >= 0 && compare(addrHi, addrLo, lastHi[found], lastLo[found]) <= 0 ? found : -1;
    }

    /** The ASN of range {@code index} (unsigned, 1 to 2^32-1). */
    public long asn(final int index)
    {
        return Integer.toUnsignedLong(asn[index]);
    }

    /** The AS organisation name of range {@code index} (may be empty, never null). */
    public String name(final int index)
    {
        return names[nameIndex[index]];
    }

    static int compare(final long aHi, final long aLo, final long bHi, final long bLo)
    {
        final int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /** Growable primitive columns, used while parsing only. */
    private static final class Builder
    {
        final boolean ipv6;
        long[] firstHi;
        long[] firstLo;
        long[] lastHi;
        long[] lastLo;
        int[] asn;
        int[] nameIndex;
        final Map<String, Integer> names = new HashMap<>();
        int size;
        int overlaps;
        long crc32c;

        Builder(final boolean ipv6, final int capacity)
        {
            this.ipv6 = ipv6;
            firstLo = new long[capacity];
            lastLo = new long[capacity];
            if (ipv6)
            {
                firstHi = new long[capacity];
                lastHi = new long[capacity];
            }
            asn = new int[capacity];
            nameIndex = new int[capacity];
        }

        /** Appends a range; returns null, or what is wrong with it. */
        String add(final long fHi, final long fLo, final long lHi, final long lLo, final long as, final String name)
        {
            if (compare(fHi, fLo, lHi, lLo) > 0)
            {
                return "range ends before it starts";
            }
            if (size > 0)
            {
                final long pHi = ipv6 ? firstHi[size - 1] : 0;
                final long qHi = ipv6 ? lastHi[size - 1] : 0;
                if (compare(fHi, fLo, pHi, firstLo[size - 1]) <= 0)
                {
                    return "ranges not sorted by first address";
                }
                if (compare(fHi, fLo, qHi, lastLo[size - 1]) <= 0)
                {
                    overlaps++;
                }
            }
            if (size == firstLo.length)
            {
                final int cap = size + (size >> 1);
                firstLo = Arrays.copyOf(firstLo, cap);
                lastLo = Arrays.copyOf(lastLo, cap);
                if (ipv6)
                {
                    firstHi = Arrays.copyOf(firstHi, cap);
                    lastHi = Arrays.copyOf(lastHi, cap);
                }
                asn = Arrays.copyOf(asn, cap);
                nameIndex = Arrays.copyOf(nameIndex, cap);
            }
            firstLo[size] = fLo;
            lastLo[size] = lLo;
            if (ipv6)
            {
                firstHi[size] = fHi;
                lastHi[size] = lHi;
            }
            asn[size] = (int)as;
            Integer idx = names.get(name);
            if (idx == null)
            {
                idx = names.size();
                names.put(name, idx);
            }
            nameIndex[size] = idx;
            size++;
            return null;
        }
    }

    /** A hand-written CSV reader for the four columns (the file is ~24 MB; a general CSV library is not needed). */
    private static final class Parser
    {
        private final Path file;
        private final byte[] d;
        private final Builder b;
        private int pos;
        private int line;
        private final long[] addr = new long[2];

        Parser(final Path file, final byte[] data, final Builder b)
        {
            this.file = file;
            this.d = data;
            this.b = b;
        }

        void parse() throws GeoDataException
        {
            while (pos < d.length)
            {
                line++;
                if (d[pos] == '\n' || d[pos] == '\r')
                {
                    pos++;
                    continue;
                }
                final int fieldStart = pos;
                if (!address(fieldStart, field()))
                {
                    throw bad("bad first address '" + text(fieldStart) + "'");
                }
                final long fHi = addr[0];
                final long fLo = addr[1];
                final int lastStart = pos;
                if (!address(lastStart, field()))
                {
                    throw bad("bad last address '" + text(lastStart) + "'");
                }
                final int asStart = pos;
                final int asEnd = field();
                final long as = number(asStart, asEnd);
                if (as < 1 || as > 0xffff_ffffL)
                {
                    throw bad("bad ASN '" + new String(d, asStart, asEnd - asStart, StandardCharsets.US_ASCII) + "'");
                }
                final String name = name();
                final String problem = b.add(fHi, fLo, addr[0], addr[1], as, name);
                if (problem != null)
                {
                    throw bad(problem);
                }
            }
        }

        private GeoDataException bad(final String what)
        {
            return new GeoDataException(file, "line " + line + ": " + what, null);
        }

        private String text(final int from)
        {
            int end = from;
            while (end < d.length && d[end] != ',' && d[end] != '\n' && end - from < 60)
            {
                end++;
            }
            return new String(d, from, end - from, StandardCharsets.UTF_8);
        }

        /** Advances past the next comma (which must be there); returns the field's end. */
        private int field() throws GeoDataException
        {
            while (pos < d.length && d[pos] != ',' && d[pos] != '\n')
            {
                pos++;
            }
            if (pos >= d.length || d[pos] != ',')
            {
                throw bad("expected 4 comma-separated columns");
            }
            final int end = pos;
            pos++;
            return end;
        }

        private long number(final int from, final int to)
        {
            if (to <= from || to - from > 10)
            {
                return -1;
            }
            long v = 0;
            for (int i = from; i < to; i++)
            {
                final int c = d[i] - '0';
                if (c < 0 || c > 9)
                {
                    return -1;
                }
                v = v * 10 + c;
            }
            return v;
        }

        /** Parses the address in [from, end) into addr (IPv4: addr[1] only). */
        private boolean address(final int from, final int end)
        {
            return b.ipv6 ? ipv6(from, end) : ipv4(from, end);
        }

        private boolean ipv4(final int from, final int to)
        {
            long v = 0;
            int octets = 0;
            int i = from;
            while (octets < 4)
            {
                int n = 0;
                int digits = 0;
                while (i < to && d[i] >= '0' && d[i] <= '9' && digits < 4)
                {
                    n = n * 10 + (d[i] - '0');
                    i++;
                    digits++;
                }
                if (digits == 0 || digits > 3 || n > 255)
                {
                    return false;
                }
                v = (v << 8) | n;
                octets++;
                if (octets < 4)
                {
                    if (i >= to || d[i] != '.')
                    {
                        return false;
                    }
                    i++;
                }
            }
            addr[0] = 0;
            addr[1] = v;
            return i == to;
        }

        private boolean ipv6(final int from, final int to)
        {
            final int[] groups = new int[8];
            int count = 0;
            int gap = -1;
            int i = from;
            if (to - from >= 2 && d[i] == ':' && d[i + 1] == ':')
            {
                gap = 0;
                i += 2;
            }
            while (i < to)
            {
                int v = 0;
                int digits = 0;
                while (i < to && digits <= 4)
                {
                    final int h = Character.digit(d[i], 16);
                    if (h < 0)
                    {
                        break;
                    }
                    v = (v << 4) | h;
                    i++;
                    digits++;
                }
                if (digits == 0 || digits > 4 || count == 8)
                {
                    return false;
                }
                groups[count++] = v;
                if (i == to)
                {
                    break;
                }
                if (d[i] != ':')
                {
                    return false; // embedded IPv4 (::ffff:a.b.c.d) does not occur in these files
                }
                i++;
                if (i < to && d[i] == ':')
                {
                    if (gap >= 0)
                    {
                        return false;
                    }
                    gap = count;
                    i++;
                }
                else if (i == to)
                {
                    return false;
                }
            }
            if (gap < 0 && count != 8 || gap >= 0 && count > 7)
            {
                return false;
            }
            final int[] full = new int[8];
            if (gap < 0)
            {
                System.arraycopy(groups, 0, full, 0, 8);
            }
            else
            {
                System.arraycopy(groups, 0, full, 0, gap);
                System.arraycopy(groups, gap, full, 8 - (count - gap), count - gap);
            }
            long hi = 0;
            long lo = 0;
            for (int g = 0; g < 4; g++)
            {
                hi = (hi << 16) | full[g];
                lo = (lo << 16) | full[4 + g];
            }
            addr[0] = hi;
            addr[1] = lo;
            return true;
        }

        /** The last column to the end of the line: plain, or quoted with "" for a quote. */
        private String name() throws GeoDataException
        {
            String s;
            if (pos < d.length && d[pos] == '"')
            {
                pos++;
                final StringBuilder sb = new StringBuilder();
                int start = pos;
                while (true)
                {
                    if (pos >= d.length)
                    {
                        throw bad("unterminated quoted name");
                    }
                    if (d[pos] == '"')
                    {
                        sb.append(new String(d, start, pos - start, StandardCharsets.UTF_8));
                        if (pos + 1 < d.length && d[pos + 1] == '"')
                        {
                            sb.append('"');
                            pos += 2;
                            start = pos;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    pos++;
                }
                s = sb.toString();
                if (pos < d.length && d[pos] == '\r')
                {
                    pos++;
                }
                if (pos < d.length && d[pos] != '\n')
                {
                    throw bad("text after the quoted name");
                }
            }
            else
            {
                final int start = pos;
                while (pos < d.length && d[pos] != '\n')
                {
                    pos++;
                }
                int end = pos;
                if (end > start && d[end - 1] == '\r')
                {
                    end--;
                }
                s = new String(d, start, end - start, StandardCharsets.UTF_8);
            }
            pos++; // the newline
            return s;
        }
    }
}
