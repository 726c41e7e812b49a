package io.nightjar.aggregator.stats;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a statistic reads its rows: calendar months from the regional monthly roll-ups (regional
 * scopes only), the remaining whole UTC days from the daily roll-ups (the regional ones for a
 * regional scope), and the partial days at either end from the records; everything from the
 * records when a day or month in between is still dirty or the statistic needs finer steps than
 * a day. {@link #sql} renders the UNION ALL of the parts with the same columns, so every answer is
 * exact whichever path it takes.
 */
final class Union
{
    private static final long DAY_US = 86_400_000_000L;

    /**
     * The tables of one kind of row at each level; a null level is not used.
     *
     * @param records   the records (or a subquery over them with the same columns).
     * @param day       the per-sensor daily roll-up.
     * @param dayRegion the regional daily roll-up (no sensor column), or null.
     * @param month     the regional monthly roll-up, or null.
     */
    record Tables(String records, String day, String dayRegion, String month)
    {
    }

    private final Scope scope;
    private final long dayFrom;
    private final long dayTo;
    private final long monthFrom;
    private final long monthTo;
    private final List<Scope> raw = new ArrayList<>();

    private Union(final Scope scope, final long dayFrom, final long dayTo, final long monthFrom, final long monthTo)
    {
        this.scope = scope;
        this.dayFrom = dayFrom;
        this.dayTo = dayTo;
        this.monthFrom = monthFrom;
        this.monthTo = monthTo;
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

    /** Plans {@code scope}: roll-ups for its clean whole days (and months) when {@code allowed}, the records otherwise. */
    static Union plan(final Connection c, final Scope scope, final boolean allowed) throws SQLException
    {
        final long first = Math.floorDiv(scope.fromMicros() + DAY_US - 1, DAY_US);
        final long last = Math.floorDiv(scope.toMicros(), DAY_US);
        if (!allowed || last <= first || Boolean.getBoolean("nightjar.rollups.disable"))
        {
            return new Union(scope, 0, 0, 0, 0);
        }
        if (count(c, "SELECT count(*) FROM (SELECT day FROM rollup_days WHERE dirty UNION ALL SELECT day FROM rollup_marks)"
            + " WHERE day >= DATE '1970-01-01' + ?::INTEGER AND day < DATE '1970-01-01' + ?::INTEGER",
            first, last) > 0)
        {
            return new Union(scope, 0, 0, 0, 0);
        }
        long mFrom = 0;
        long mTo = 0;
        if (scope.regional())
        {
            LocalDate m = LocalDate.ofEpochDay(first).withDayOfMonth(1);
            if (m.toEpochDay() < first)
            {
                m = m.plusMonths(1);
            }
            LocalDate end = m;
            while (end.plusMonths(1).toEpochDay() <= last)
            {
                end = end.plusMonths(1);
            }
            if (end.isAfter(m) && count(c, "SELECT count(*) FROM rollup_months WHERE dirty AND month >= DATE '1970-01-01' + ?::INTEGER"
                + " AND month < DATE '1970-01-01' + ?::INTEGER", m.toEpochDay(), end.toEpochDay()) == 0)
            {
                mFrom = m.toEpochDay();
                mTo = end.toEpochDay();
            }
        }
        return new Union(scope, first, last, mFrom, mTo);
    }

    private static long count(final Connection c, final String sql, final long a, final long b) throws SQLException
    {
        try (PreparedStatement ps = c.prepareStatement(sql))
        {
            ps.setLong(1, a);
            ps.setLong(2, b);
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Whether any whole day is read from the roll-ups. */
    boolean usesRollups()
    {
        return dayTo > dayFrom;
    }

    /** Whether calendar months are read from the monthly roll-ups (for tables that have them). */
    boolean usesMonths()
    {
        return monthTo > monthFrom;
    }

    /**
     * The single calendar month the scope is exactly, read from monthly roll-ups (epoch day of its
     * 1st), or -1 when the scope is anything else.
     */
    long exactlyOneMonth()
    {
        final boolean one = usesMonths() && raw.isEmpty() && dayFrom == monthFrom && dayTo == monthTo
            && LocalDate.ofEpochDay(monthFrom).plusMonths(1).toEpochDay() == monthTo;
        return one ? monthFrom : -1;
    }

    /** The parts of the scope read from the records. */
    List<Scope> rawScopes()
    {
        return raw;
    }

    private boolean months(final Tables t)
    {
        return t.month() != null && monthTo > monthFrom;
    }

    /** [from, to) day ranges read from the daily roll-up, given whether months are used. */
    private List<long[]> dayRanges(final Tables t)
    {
        final List<long[]> out = new ArrayList<>();
        if (!usesRollups())
        {
            return out;
        }
        if (months(t))
        {
            if (monthFrom > dayFrom)
            {
                out.add(new long[] {dayFrom, monthFrom});
            }
            if (dayTo > monthTo)
            {
                out.add(new long[] {monthTo, dayTo});
            }
        }
        else
        {
            out.add(new long[] {dayFrom, dayTo});
        }
        return out;
    }

    /**
     * {@code SELECT columns FROM ... UNION ALL ...} over the levels of {@code t}. In {@code columns},
     * {@code {t}} stands for the row's time (the month or day in a roll-up, the bin start in the
     * records). {@code traffic} says whether the protocol/port/class filters apply (the tables have
     * those columns); {@code andWhere} is an extra condition ({@code " AND ..."}, no placeholders).
     */
    String sql(final Tables t, final String columns, final boolean traffic, final String andWhere)
    {
        return sql(t, columns, traffic, andWhere, columns, "");
    }

    /**
     * As {@link #sql(Tables, String, boolean, String)}, with other columns for the records' parts and
     * a suffix after their WHERE (e.g. a GROUP BY), for values the roll-ups hold already aggregated.
     */
    String sql(final Tables t, final String columns, final boolean traffic, final String andWhere, final String recordColumns,
               final String recordSuffix)
    {
        final List<String> parts = new ArrayList<>();
        final String dayTable = scope.regional() && t.dayRegion() != null ? t.dayRegion() : t.day();
        if (months(t))
        {
            parts.add("SELECT " + columns.replace("{t}", "month::TIMESTAMP") + " FROM " + t.month() + " WHERE month >= DATE '1970-01-01' + ?::INTEGER"
                + " AND month < DATE '1970-01-01' + ?::INTEGER" + scope.filters("", traffic) + andWhere);
        }
        for (final long[] ignored : dayRanges(t))
        {
            parts.add("SELECT " + columns.replace("{t}", "day::TIMESTAMP") + " FROM " + dayTable + " WHERE day >= DATE '1970-01-01' + ?::INTEGER"
                + " AND day < DATE '1970-01-01' + ?::INTEGER" + scope.filters("", traffic) + andWhere);
        }
        for (final Scope r : raw)
        {
            parts.add("SELECT " + recordColumns.replace("{t}", "bin_start") + " FROM " + t.records() + " WHERE " + (traffic ? r.where("") : r.whereBins(""))
                + andWhere + recordSuffix);
        }
        return String.join(" UNION ALL ", parts);
    }

    /** Binds the placeholders of {@link #sql} from {@code first}; returns the next index. */
    int bind(final PreparedStatement ps, final Tables t, final int first, final boolean traffic) throws SQLException
    {
        int i = first;
        if (months(t))
        {
            ps.setLong(i++, monthFrom);
            ps.setLong(i++, monthTo);
            i = scope.bindFilters(ps, i, traffic);
        }
        for (final long[] d : dayRanges(t))
        {
            ps.setLong(i++, d[0]);
            ps.setLong(i++, d[1]);
            i = scope.bindFilters(ps, i, traffic);
        }
        for (final Scope r : raw)
        {
            i = traffic ? r.bind(ps, i) : r.bindBins(ps, i);
        }
        return i;
    }

    /** Only the per-sensor daily part (requires {@link #usesRollups()}). */
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
}
