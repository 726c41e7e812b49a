package io.nightjar.sensor.clock;

import net.openhft.chronicle.core.time.TimeProvider;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * The sensor's wall clock: the system clock plus an offset that is zero unless the system property
 * {@value #OFFSET_PROPERTY} is set (an ISO-8601 duration such as {@code PT5H} or {@code -PT3H}).
 * The offset is a test hook that makes one sensor process's clock wrong by hours without changing
 * the machine's clock: it moves the clock of the HEARTBEAT frames (the aggregator's reported skew)
 * and the clock that picks the spool's hourly cycle file. Packet times (bins) never use it, nor
 * do TLS certificate checks or the spool's age bound.
 *
 * <p>Immutable and thread-safe; the offset is read once per JVM.
 */
public final class SensorClock implements TimeProvider
{
    /** System property holding the offset (ISO-8601 duration); unset = the system clock. */
    public static final String OFFSET_PROPERTY = "nightjar.clock.offset";

    /** The clock of this process (offset from {@value #OFFSET_PROPERTY}). */
    public static final SensorClock INSTANCE = new SensorClock(offsetFromProperty());

    private final long offsetMillis;

    private SensorClock(final long offsetMillis)
    {
        this.offsetMillis = offsetMillis;
    }

    private static long offsetFromProperty()
    {
        final String text = System.getProperty(OFFSET_PROPERTY);
        if (text == null || text.isBlank())
        {
            return 0;
        }
        try
        {
            return Duration.parse(text.trim()).toMillis();
        }
        catch (final DateTimeParseException ex)
        {
            throw new IllegalArgumentException("-D" + OFFSET_PROPERTY + " must be an ISO-8601 duration such as PT5H: " + text, ex);
        }
    }

    /** Offset from the system clock, ms (0 unless the property is set). */
    public long offsetMillis()
    {
        return offsetMillis;
    }

    /** True if the clock is the system clock. */
    public boolean isSystemClock()
    {
        return offsetMillis == 0;
    }

    @Override
    public long currentTimeMillis()
    {
        return System.currentTimeMillis() + offsetMillis;
    }

    @Override
    public long currentTimeMicros()
    {
        return currentTimeMillis() * 1000;
    }

    @Override
    public long currentTimeNanos()
    {
        return currentTimeMillis() * 1_000_000;
    }
}
