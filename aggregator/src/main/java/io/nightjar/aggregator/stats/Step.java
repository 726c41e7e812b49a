package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;

/**
 * A time step of a series: 5 minutes, 1 hour, 1 day, 1 week (ISO weeks from Monday) or 1 month
 * (calendar months), all in UTC, with the SQL expression that puts a timestamp into its step.
 */
public enum Step
{
    FIVE_MINUTES("5m", "time_bucket(INTERVAL '5 minutes', %s)", 300),
    HOUR("1h", "date_trunc('hour', %s)", 3600),
    DAY("1d", "date_trunc('day', %s)", 86_400),
    WEEK("1w", "date_trunc('week', %s)", 7 * 86_400),
    MONTH("1mo", "date_trunc('month', %s)", 30 * 86_400);

    private final String key;
    private final String sql;
    private final long nominalSeconds;

    Step(final String key, final String sql, final long nominalSeconds)
    {
        this.key = key;
        this.sql = sql;
        this.nominalSeconds = nominalSeconds;
    }

    /** The step named {@code key} (as in {@code step=1h}); 400 naming {@code parameter} otherwise. */
    public static Step of(final String parameter, final String key)
    {
        for (final Step s : values())
        {
            if (s.key.equals(key))
            {
                return s;
            }
        }
        throw new ApiException(400, parameter, "parameter '" + parameter + "': '" + key + "' is not a step (5m, 1h, 1d, 1w, 1mo)");
    }

    /** The name in the API. */
    public String key()
    {
        return key;
    }

    /** SQL putting timestamp expression {@code column} into its step start. */
    public String bucket(final String column)
    {
        return String.format(sql, column);
    }

    /** Approximate length, seconds (months as 30 days), to bound series sizes. */
    public long nominalSeconds()
    {
        return nominalSeconds;
    }
}
