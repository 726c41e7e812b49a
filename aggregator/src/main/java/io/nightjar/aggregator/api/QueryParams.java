package io.nightjar.aggregator.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import io.nightjar.aggregator.auth.Principal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The query parameters of one API request, parsed and checked: unknown parameters and bad values
 * are refused with a message naming the parameter. Times accept ISO-8601 instants
 * ({@code 2026-01-01T00:00:00Z}), dates ({@code 2026-01-01}, midnight UTC) and epoch seconds.
 */
public final class QueryParams
{
    private static final Pattern SENSOR_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");

    private final Map<String, List<String>> raw;
    private final Principal principal;
    private final String format;

    /** Wraps decoded parameters of a regional caller, refusing any not in {@code allowed}. */
    public QueryParams(final Map<String, List<String>> raw, final Set<String> allowed)
    {
        this(raw, allowed, new Principal("local", null), null);
    }

    /** Wraps decoded parameters of {@code principal}'s request, refusing any not in {@code allowed}. */
    public QueryParams(final Map<String, List<String>> raw, final Set<String> allowed, final Principal principal, final String format)
    {
        this.principal = principal;
        this.format = format;
        for (final String name : raw.keySet())
        {
            if (!allowed.contains(name))
            {
                throw new ApiException(400, name, "unknown parameter '" + name + "' (allowed: " + allowed + ")");
            }
        }
        this.raw = raw;
    }

    /**
     * The decoded parameters of {@code uri}; a malformed escape ({@code %zz}, a cut {@code %4}) is a 400
     * naming the query rather than an internal error.
     */
    public static Map<String, List<String>> decode(final io.netty.handler.codec.http.QueryStringDecoder uri)
    {
        try
        {
            return uri.parameters();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ApiException(400, "query", "the query string is not well-formed: " + ex.getMessage());
        }
    }

    /** Who asks. */
    public Principal principal()
    {
        return principal;
    }

    /** The {@code format} asked for ("json", "csv") or null. */
    public String format()
    {
        return format;
    }

    /** Whether the parameter was given. */
    public boolean has(final String name)
    {
        return raw.containsKey(name);
    }

    /** A string parameter, or {@code otherwise}. */
    public String string(final String name, final String otherwise)
    {
        final String v = single(name);
        return v == null || v.isEmpty() ? otherwise : v;
    }

    /** One of {@code choices} (case-sensitive), or {@code otherwise} when absent. */
    public String choice(final String name, final String otherwise, final String... choices)
    {
        final String v = single(name);
        if (v == null || v.isEmpty())
        {
            return otherwise;
        }
        for (final String c : choices)
        {
            if (c.equals(v))
            {
                return v;
            }
        }
        throw new ApiException(400, name, "parameter '" + name + "': '" + v + "' is not one of " + List.of(choices));
    }

    /** An integer parameter within [min, max], or {@code otherwise} when absent. */
    public long integer(final String name, final long otherwise, final long min, final long max)
    {
        final String v = single(name);
        if (v == null || v.isEmpty())
        {
            return otherwise;
        }
        try
        {
            final long n = Long.parseLong(v);
            if (n < min || n > max)
            {
                throw new ApiException(400, name, "parameter '" + name + "': " + n + " is outside " + min + ".." + max);
            }
            return n;
        }
        catch (final NumberFormatException ex)
        {
            throw new ApiException(400, name, "parameter '" + name + "': '" + v + "' is not an integer");
        }
    }

    /** A decimal parameter within [min, max], or {@code otherwise} when absent. */
    public double decimal(final String name, final double otherwise, final double min, final double max)
    {
        final String v = single(name);
        if (v == null || v.isEmpty())
        {
            return otherwise;
        }
        try
        {
            final double n = Double.parseDouble(v);
            if (!(n >= min && n <= max))
            {
                throw new ApiException(400, name, "parameter '" + name + "': " + v + " is outside " + min + ".." + max);
            }
            return n + 0.0; // "-0" is 0, not -0.0 (which would be echoed as -0.0 and sorts below 0)
        }
        catch (final NumberFormatException ex)
        {
            throw new ApiException(400, name, "parameter '" + name + "': '" + v + "' is not a number");
        }
    }

    /** Member-state codes given (comma-separated and/or repeated), upper case; empty for all. */
    public List<String> countries(final String name)
    {
        final List<String> out = new ArrayList<>();
        for (final String v : raw.getOrDefault(name, List.of()))
        {
            for (final String cc : v.split(","))
            {
                if (cc.isEmpty())
                {
                    continue;
                }
                if (!COUNTRY.matcher(cc).matches())
                {
                    throw new ApiException(400, name, "parameter '" + name + "': '" + cc + "' is not an ISO 3166 alpha-2 code (e.g. TH)");
                }
                out.add(cc.toUpperCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    private String single(final String name)
    {
        final List<String> values = raw.get(name);
        if (values == null || values.isEmpty())
        {
            return null;
        }
        if (values.size() > 1)
        {
            throw new ApiException(400, name, "parameter '" + name + "' given " + values.size() + " times");
        }
        return values.get(0);
    }

    /** A time parameter in µs since the epoch, or {@code otherwise} when absent. */
    public long timeMicros(final String name, final long otherwise)
    {
        final String v = single(name);
        if (v == null || v.isEmpty())
        {
            return otherwise;
        }
        try
        {
            if (v.matches("-?\\d{1,12}(\\.\\d{1,6})?"))
            {
                // exact: 18 significant digits are more than a double holds
                return new java.math.BigDecimal(v).movePointRight(6).longValueExact();
            }
            if (v.length() == 10)
            {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            }
            final Instant t = Instant.parse(v);
            // Instant reaches year 1e9, µs in a long only about 292,000 years either side of 1970
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
        }
        catch (final ArithmeticException ex)
        {
            throw new ApiException(400, name, "parameter '" + name + "': '" + v + "' is outside the times the API can represent");
        }
        catch (final DateTimeParseException | NumberFormatException ex)
        {
            throw new ApiException(400, name, "parameter '" + name + "': '" + v + "' is not a time (2026-01-01, 2026-01-01T00:00:00Z or epoch seconds)");
        }
    }

    /** The sensor ids given (comma-separated and/or repeated), empty for all. */
    public List<String> sensors(final String name)
    {
        final List<String> out = new ArrayList<>();
        for (final String v : raw.getOrDefault(name, List.of()))
        {
            for (final String id : v.split(","))
            {
                if (id.isEmpty())
                {
                    continue;
                }
                if (!SENSOR_ID.matcher(id).matches())
                {
                    throw new ApiException(400, name, "parameter '" + name + "': '" + id + "' is not a sensor id");
                }
                out.add(id);
            }
        }
        return out;
    }
}
