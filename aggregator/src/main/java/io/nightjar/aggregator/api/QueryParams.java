package io.nightjar.aggregator.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
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

    private final Map<String, List<String>> raw;

    /** Wraps decoded parameters, refusing any not in {@code allowed}. */
    public QueryParams(final Map<String, List<String>> raw, final Set<String> allowed)
    {
        for (final String name : raw.keySet())
        {
            if (!allowed.contains(name))
            {
                throw new ApiException(400, name, "unknown parameter '" + name + "' (allowed: " + allowed + ")");
            }
        }
        this.raw = raw;
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
                return Math.round(Double.parseDouble(v) * 1e6);
            }
            if (v.length() == 10)
            {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
            }
            final Instant t = Instant.parse(v);
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
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
