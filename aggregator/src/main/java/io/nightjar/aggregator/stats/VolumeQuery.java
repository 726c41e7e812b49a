package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/volume}: packets, bytes and exact distinct sources of darknet IP traffic per
 * time step ({@code step} = 5m, 1h, 1d, 1w, 1mo) and per class ({@code by=class}) or protocol
 * ({@code by=proto}), over the flow records of a scope.
 */
public final class VolumeQuery
{
    /** Parameters. */
    public static final Set<String> PARAMETERS = Params.with(Scope.PARAMETERS, "step", "by");
    /** Largest number of steps one answer may hold. */
    static final long MAX_STEPS = 20_000;

    private final StatsContext ctx;

    /** Volume over {@code ctx}. */
    public VolumeQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /** Runs the query. */
    public Map<String, Object> run(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, false);
            final Step step = Step.of("step", p.string("step", "1h"));
            Params.checkSteps(scope, step);
            final String by = p.choice("by", "class", "class", "proto");
            final String key = by.equals("class") ? "class" : "protocol";
            final Union u = Union.plan(c, scope, step.nominalSeconds() >= 86_400);
            final Map<String, Long> sources = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(" + step.bucket("t") + "), " + key + ", count(DISTINCT src) FROM ("
                + u.sql(Tables.PORT_SOURCES, "{t} AS t, " + key + ", src", true, "") + ") GROUP BY 1, 2"))
            {
                u.bind(ps, Tables.PORT_SOURCES, 1, true);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        sources.put(rs.getLong(1) + "/" + rs.getInt(2), rs.getLong(3));
                    }
                }
            }
            final String sql = "SELECT epoch_us(" + step.bucket("t") + ") AS ts, " + key + ", sum(packets)::BIGINT, sum(bytes)::BIGINT FROM ("
                + u.sql(Tables.ports(step), "{t} AS t, " + key + ", packets, bytes", true, "") + ") GROUP BY 1, 2 ORDER BY 1, 2";
            final List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                u.bind(ps, Tables.ports(step), 1, true);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        final int k = rs.getInt(2);
                        rows.add(Rows.row("time", Times.iso(rs.getLong(1)), "key", by.equals("class") ? Rows.className(k) : Rows.protocolName(k),
                            "packets", rs.getLong(3), "bytes", rs.getLong(4), "sources", sources.getOrDefault(rs.getLong(1) + "/" + k, 0L)));
                    }
                }
            }
            return ctx.answer(c, scope, Map.of("step", step.key(), "by", by), rows);
        }
    }
}
