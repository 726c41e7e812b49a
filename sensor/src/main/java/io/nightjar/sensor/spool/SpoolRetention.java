package io.nightjar.sensor.spool;

import java.time.Duration;

/**
 * Bounds of the spool: its total size and the age of its oldest cycle file. Past either bound the
 * oldest cycle files are evicted, and every evicted bin and flow record is counted.
 *
 * @param maxBytes total size of the spool's cycle files, bytes.
 * @param maxAge   age (by last modification) past which a cycle file is evicted.
 */
public record SpoolRetention(long maxBytes, Duration maxAge)
{
    /** Defaults: 10 GiB, 30 days. */
    public static final SpoolRetention DEFAULT = new SpoolRetention(10L << 30, Duration.ofDays(30));

    /** Validates the bounds. */
    public SpoolRetention
    {
        if (maxBytes <= 0)
        {
            throw new IllegalArgumentException("spool max size must be positive: " + maxBytes);
        }
        if (maxAge.isNegative() || maxAge.isZero())
        {
            throw new IllegalArgumentException("spool max age must be positive: " + maxAge);
        }
    }
}
