package io.nightjar.aggregator.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Number, share and duration formats used throughout the report (one place, so tests can format the same way). */
public final class Fmt
{
    private Fmt()
    {
    }

    /** A count with grouped digits: {@code 1,234,567}. */
    public static String count(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** A share in [0, 1] as a percentage with one decimal: {@code 12.3 %}. */
    public static String share(final double value)
    {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f %%", value * 100);
    }

    /** A relative change as a signed percentage, {@code new} when there was nothing before. */
    public static String change(final JsonNode change)
    {
        if (change == null || change.isNull() || change.isMissingNode())
        {
            return "new";
        }
        return String.format(Locale.ROOT, "%+.1f %%", change.asDouble() * 100);
    }

    /** A decimal with one digit. */
    public static String decimal(final double value)
    {
        return String.format(Locale.ROOT, "%,.1f", value);
    }

    /** A duration as {@code 1 h 05 min}, {@code 12 min 30 s} or {@code 45 s}. */
    public static String duration(final long seconds)
    {
        final Duration d = Duration.ofSeconds(Math.max(0, seconds));
        if (d.toHours() > 0)
        {
            return String.format(Locale.ROOT, "%d h %02d min", d.toHours(), d.toMinutesPart());
        }
        if (d.toMinutes() > 0)
        {
            return d.toSecondsPart() == 0 ? d.toMinutes() + " min" : String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
        }
        return d.toSeconds() + " s";
    }

    /** Seconds between two ISO instants (0 when either is missing). */
    public static long seconds(final String start, final String end)
    {
        try
        {
            return Duration.between(Instant.parse(start), Instant.parse(end)).toSeconds();
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
    }

    /** An ISO instant shortened for tables: {@code 2024-06-01 00:05Z}. */
    public static String time(final String iso)
    {
        if (iso == null || iso.length() < 16)
        {
            return iso == null ? "" : iso;
        }
        return iso.substring(0, 10) + " " + iso.substring(11, 16) + "Z";
    }
}
