package io.nightjar.aggregator.stats;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a statistic reads its rows: the daily roll-ups ({@code store.Rollups}) for the whole UTC
 * days of the scope whose roll-ups are clean, and the flow records (or bins) for the rest: the
 * partial days at either end, or everything when a day in between is still dirty or the statistic
 * needs finer steps than a day. {@link #sql} renders the UNION ALL of both parts with the same
 * columns, so every answer is exact whichever path it takes.
 */
final class Union
{
    private static final long DAY_US = 86_400_000_000L;

    private final Scope scope;
    private final long dayFrom;
    private final long dayTo;
    private final List<Scope> raw = new ArrayList<>();

    private Union(final Scope scope, final long dayFrom, final long dayTo)
    {
        this.scope = scope;
        this.dayFrom = dayFrom;
        this.dayTo = dayTo;
        if (dayTo > dayFrom)
        {
            if (scope.fromMicros() < dayFrom * DAY_US)
            {
                raw.add(scope.withRange(scope.fromMicros(), dayFrom * DAY_US));
            }
            if (dayTo * DAY_US < scope.toMicros())
            {
                raw.add(scope.withRange(dayTo * DAY_US, scope.toMicros()));
            }
        }
        else
        {
            raw.add(scope);
        }
    }

    /** Plans {@code scope}: roll-ups for its clean whole days when {@code allowed}, the records otherwise. */
    static Union plan(final Connection c, final Scope scope, final boolean allowed) throws SQLException
    {
        final long first = Math.floorDiv(scope.fromMicros() + DAY_US - 1, DAY_US);
        final long last = Math.floorDiv(scope.toMicros(), DAY_US);
        if (!allowed || last <= first || Boolean.getBoolean("nightjar.rollups.disable"))
        {
            return new Union(scope, 0, 0);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM rollup_days WHERE dirty AND day >= DATE '1970-01-01' + ?::INTEGER"
            + " AND day < DATE '1970-01-01' + ?::INTEGER"))
        {
            ps.setLong(1, first);
            ps.setLong(2, last);
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                if (rs.getLong(1) > 0)
                {
                    return new Union(scope, 0, 0);
                }
            }
        }
        return new Union(scope, first, last);
    }

    /** Whether any whole day is read from the roll-ups. */
    boolean usesRollups()
    {
        return dayTo > dayFrom;
    }

    /**
     * {@code SELECT columns FROM rollup WHERE ... UNION ALL SELECT columns FROM records WHERE ...}.
     * In {@code columns}, {@code {t}} stands for the row's time (the day in a roll-up, the bin start in
     * the records). {@code traffic} says whether the protocol/port/class filters apply (the tables
     * have those columns).
     */
    String sql(final String rollup, final String records, final String columns, final boolean traffic)
    {
        return sql(rollup, records, columns, traffic, "");
    }

    /** {@link #sql(String, String, String, boolean)} with an extra condition ({@code " AND ..."}, no placeholders) on every part. */
    String sql(final String rollup, final String records, final String columns, final boolean traffic, final String andWhere)
    {
        final List<String> parts = new ArrayList<>();
        if (usesRollups())
        {
            parts.add("SELECT " + columns.replace("{t}", "day::TIMESTAMP") + " FROM " + rollup + " WHERE day >= DATE '1970-01-01' + ?::INTEGER"
                + " AND day < DATE '1970-01-01' + ?::INTEGER" + scope.filters("", traffic) + andWhere);
        }
        for (final Scope r : raw)
        {
            parts.add("SELECT " + columns.replace("{t}", "bin_start") + " FROM " + records + " WHERE " + (traffic ? r.where("") : r.whereBins("")) + andWhere);
        }
        return String.join(" UNION ALL ", parts);
    }

    /** The parts of the scope read from the records. */
    List<Scope> rawScopes()
    {
        return raw;
    }

    /** Only the roll-up part of {@link #sql} (requires {@link #usesRollups()}). */
    String rollupOnly(final String rollup, final String columns)
    {
        return "SELECT " + columns + " FROM " + rollup + " WHERE day >= DATE '1970-01-01' + ?::INTEGER AND day < DATE '1970-01-01' + ?::INTEGER"
            + scope.filters("", false);
    }

    /** Binds {@link #rollupOnly}. */
    int bindRollupOnly(final PreparedStatement ps, final int first, final boolean traffic) throws SQLException
    {
        ps.setLong(first, dayFrom);
        ps.setLong(first + 1, dayTo);
        return scope.bindFilters(ps, first + 2, traffic);
    }

    /** Binds the placeholders of {@link #sql} from {@code first}; returns the next index. */
    int bind(final PreparedStatement ps, final int first, final boolean traffic) throws SQLException
    {
        int i = first;
        if (usesRollups())
        {
            ps.setLong(i++, dayFrom);
            ps.setLong(i++, dayTo);
            i = scope.bindFilters(ps, i, traffic);
        }
        for (final Scope r : raw)
        {
            i = traffic ? r.bind(ps, i) : r.bindBins(ps, i);
        }
        return i;
    }
}
