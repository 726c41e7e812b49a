package io.nightjar.aggregator.stats;

import java.time.Instant;

/** Time formatting for answers: ISO-8601 UTC with second precision (µs when not whole seconds). */
public final class Times
{
    private Times()
    {
    }

    /** ISO-8601 UTC of {@code micros} since the epoch, or null for Long.MIN_VALUE. */
    public static String iso(final long micros)
    {
        if (micros == Long.MIN_VALUE)
        {
            return null;
        }
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L).toString();
    }
}
