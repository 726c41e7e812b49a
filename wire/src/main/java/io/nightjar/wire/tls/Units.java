package io.nightjar.wire.tls;

import java.time.Duration;

/**
 * Parsers for the sizes and durations of command-line options and configuration values, shared
 * by the sensor and the aggregator; errors name the option.
 */
public final class Units
{
    private Units()
    {
    }

    /**
     * Parses "60s", "5m", "1h", "1d", "500ms", "250us", or an ISO-8601 duration ("PT1M").
     *
     * @throws IllegalArgumentException naming the option.
     */
    public static Duration parseDuration(final String option, final String text)
    {
        final String t = text.trim().toLowerCase();
        try
        {
            if (t.startsWith("p"))
            {
                return Duration.parse(t.toUpperCase());
            }
            final int unitAt = firstNonDigit(t);
            final long n = Long.parseLong(t.substring(0, unitAt));
            final String unit = t.substring(unitAt);
            final Duration d = switch (unit)
            {
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s", "" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
            if (d.isNegative() || d.isZero())
            {
                throw new IllegalArgumentException();
            }
            return d;
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(option + ": not a positive duration: '" + text + "' (use e.g. 60s, 5m, 1h)");
        }
    }

    private static int firstNonDigit(final String t)
    {
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i)))
        {
            i++;
        }
        if (i == 0)
        {
            throw new IllegalArgumentException();
        }
        return i;
    }

    /**
     * Parses "500m", "10g", "64k", "1024" (bytes).
     *
     * @throws IllegalArgumentException naming the option.
     */
    public static long parseSize(final String option, final String text)
    {
        final String t = text.trim().toLowerCase().replaceAll("i?b$", "");
        try
        {
            final char last = t.charAt(t.length() - 1);
            final long mult = switch (last)
            {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                case 't' -> 1L << 40;
                default -> 1L;
            };
            final long n = Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1));
            if (n <= 0)
            {
                throw new IllegalArgumentException();
            }
            return Math.multiplyExact(n, mult);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(option + ": not a positive size: '" + text + "' (use e.g. 500m, 10g)");
        }
    }
}
