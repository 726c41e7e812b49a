package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;
import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Destination-port statistics over the probe class of a protocol ({@code tcp_scan} for TCP,
 * {@code udp_probe} for UDP): the top ports of a range by packets or by exact distinct sources,
 * with the TSUBAME per-sensor average (packets divided by the sensors that reported in the period,
 * so that large and small sensors compare fairly), share and change against the previous period
 * of the same length; one port's series; and the TSUBAME view (the top ports' per-sensor averages
 * per step).
 */
public final class PortsQuery
{
    /** Parameters of {@code /api/v1/ports/top}. */
    public static final Set<String> TOP_PARAMETERS = Params.with(Scope.PARAMETERS, "by", "limit");
    /** Parameters of {@code /api/v1/ports/series}. */
    public static final Set<String> SERIES_PARAMETERS = Params.with(Scope.PARAMETERS, "step");
    /** Parameters of {@code /api/v1/ports/tsubame}. */
    public static final Set<String> TSUBAME_PARAMETERS = Params.with(Scope.PARAMETERS, "step", "limit");

    private final StatsContext ctx;

    /** Port statistics over {@code ctx}. */
    public PortsQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /** The probe class counted for a protocol's ports. */
    static TrafficClass probeClass(final int proto)
    {
        return switch (proto)
        {
            case 6 -> TrafficClass.TCP_SCAN;
            case 17 -> TrafficClass.UDP_PROBE;
            default -> throw new ApiException(400, "proto", "parameter 'proto': port rankings are for tcp or udp");
        };
    }

    private static Scope portScope(final QueryParams p, final Connection c, final int defaultDays) throws SQLException
    {
        final Scope s = Scope.resolve(p, SensorCatalog.load(c), defaultDays, false);
        if (s.trafficClass() != null)
        {
            throw new ApiException(400, "class", "parameter 'class': port statistics use the protocol's probe class (tcp_scan, udp_probe)");
        }
        return s.protocol() == null ? s.withProtocol(6) : s;
    }

    /** Sensors that stored a bin in the scope's range: the TSUBAME average's denominator. */
    static long activeSensors(final Connection c, final Scope scope) throws SQLException
    {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT sensor_id) FROM bins WHERE " + scope.whereBins("")))
        {
            scope.bindBins(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** {@code /api/v1/ports/top}. */
    public Map<String, Object> top(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = portScope(p, c, 7);
            final int proto = scope.protocol();
            final TrafficClass cls = probeClass(proto);
            final String by = p.choice("by", "packets", "packets", "sources");
            final int limit = Params.limit(p, 10);
            final String where = scope.where("") + " AND class = " + cls.id();
            final String order = by.equals("packets") ? "2 DESC, 4 DESC, 1" : "4 DESC, 2 DESC, 1";
            final String sql = "SELECT port, sum(packets)::BIGINT, sum(bytes)::BIGINT, count(DISTINCT src) FROM flows WHERE " + where
                + " GROUP BY port ORDER BY " + order + " LIMIT " + limit;
            final List<long[]> top = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                scope.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        top.add(new long[] {rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                    }
                }
            }
            final long total = totalPackets(c, scope, cls);
            final long sensors = activeSensors(c, scope);
            final long length = scope.toMicros() - scope.fromMicros();
            final Scope prevScope = scope.withRange(scope.fromMicros() - length, scope.fromMicros());
            final Map<Integer, long[]> prev = portTotals(c, prevScope, cls, top);
            final List<Map<String, Object>> rows = new ArrayList<>();
            int rank = 1;
            for (final long[] t : top)
            {
                final long[] pv = prev.getOrDefault((int)t[0], new long[] {0, 0});
                rows.add(Rows.row("rank", rank++, "proto", Rows.protocolName(proto), "port", (int)t[0], "packets", t[1], "bytes", t[2],
                    "sources", t[3], "avg_packets_per_sensor", sensors == 0 ? 0.0 : Rows.round4((double)t[1] / sensors),
                    "share", total == 0 ? 0.0 : Rows.round4((double)t[1] / total), "previous_packets", pv[0], "previous_sources", pv[1],
                    "change", pv[0] == 0 ? null : Rows.round4((double)(t[1] - pv[0]) / pv[0])));
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("by", by);
            extra.put("limit", limit);
            extra.put("active_sensors", sensors);
            extra.put("total_packets", total);
            extra.put("previous_from", Times.iso(prevScope.fromMicros()));
            return ctx.answer(c, scope, extra, rows);
        }
    }

    private static long totalPackets(final Connection c, final Scope scope, final TrafficClass cls) throws SQLException
    {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(packets), 0)::BIGINT FROM flows WHERE " + scope.where("")
            + " AND class = " + cls.id()))
        {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<Integer, long[]> portTotals(final Connection c, final Scope scope, final TrafficClass cls, final List<long[]> ports)
        throws SQLException
    {
        final Map<Integer, long[]> out = new HashMap<>();
        if (ports.isEmpty())
        {
            return out;
        }
        final StringJoiner in = new StringJoiner(", ", "(", ")");
        ports.forEach(t -> in.add(Long.toString(t[0])));
        try (PreparedStatement ps = c.prepareStatement("SELECT port, sum(packets)::BIGINT, count(DISTINCT src) FROM flows WHERE "
            + scope.where("") + " AND class = " + cls.id() + " AND port IN " + in + " GROUP BY port"))
        {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    out.put(rs.getInt(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
        }
        return out;
    }

    /** Sensors that stored a bin, per step start (µs). */
    private static Map<Long, Long> activeSensorsPerStep(final Connection c, final Scope scope, final Step step) throws SQLException
    {
        final Map<Long, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(" + step.bucket("bin_start") + "), count(DISTINCT sensor_id) FROM bins WHERE "
            + scope.whereBins("") + " GROUP BY 1"))
        {
            scope.bindBins(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    out.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** {@code /api/v1/ports/series}. */
    public Map<String, Object> series(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = portScope(p, c, 30);
            if (scope.port() == null)
            {
                throw new ApiException(400, "port", "parameter 'port' is required");
            }
            final Step step = Step.of("step", p.string("step", "1d"));
            Params.checkSteps(scope, step);
            final TrafficClass cls = probeClass(scope.protocol());
            final Map<Long, Long> sensors = activeSensorsPerStep(c, scope, step);
            final String sql = "SELECT epoch_us(" + step.bucket("bin_start") + "), sum(packets)::BIGINT, count(DISTINCT src) FROM flows WHERE "
                + scope.where("") + " AND class = " + cls.id() + " GROUP BY 1 ORDER BY 1";
            final List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                scope.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        final long t = rs.getLong(1);
                        final long n = sensors.getOrDefault(t, 0L);
                        rows.add(Rows.row("time", Times.iso(t), "proto", Rows.protocolName(scope.protocol()), "port", scope.port(),
                            "packets", rs.getLong(2), "sources", rs.getLong(3), "sensors", n,
                            "avg_packets_per_sensor", n == 0 ? 0.0 : Rows.round4((double)rs.getLong(2) / n)));
                    }
                }
            }
            return ctx.answer(c, scope, Map.of("step", step.key()), rows);
        }
    }

    /** {@code /api/v1/ports/tsubame}: the top ports of the range (by packets) and their per-sensor averages per step. */
    public Map<String, Object> tsubame(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = portScope(p, c, 7);
            final Step step = Step.of("step", p.string("step", "1d"));
            Params.checkSteps(scope, step);
            final int limit = (int)p.integer("limit", 5, 1, 20);
            final TrafficClass cls = probeClass(scope.protocol());
            final List<Integer> ports = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT port FROM flows WHERE " + scope.where("") + " AND class = " + cls.id()
                + " GROUP BY port ORDER BY sum(packets) DESC, port LIMIT " + limit))
            {
                scope.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        ports.add(rs.getInt(1));
                    }
                }
            }
            final List<Map<String, Object>> rows = new ArrayList<>();
            if (!ports.isEmpty())
            {
                final Map<Long, Long> sensors = activeSensorsPerStep(c, scope, step);
                final StringJoiner in = new StringJoiner(", ", "(", ")");
                ports.forEach(x -> in.add(Integer.toString(x)));
                try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(" + step.bucket("bin_start") + "), port, sum(packets)::BIGINT FROM flows WHERE "
                    + scope.where("") + " AND class = " + cls.id() + " AND port IN " + in + " GROUP BY 1, 2 ORDER BY 1, 2"))
                {
                    scope.bind(ps, 1);
                    try (ResultSet rs = ps.executeQuery())
                    {
                        while (rs.next())
                        {
                            final long t = rs.getLong(1);
                            final long n = sensors.getOrDefault(t, 0L);
                            rows.add(Rows.row("time", Times.iso(t), "proto", Rows.protocolName(scope.protocol()), "port", rs.getInt(2),
                                "avg_packets_per_sensor", n == 0 ? 0.0 : Rows.round4((double)rs.getLong(3) / n), "packets", rs.getLong(3), "sensors", n));
                        }
                    }
                }
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("step", step.key());
            extra.put("ports", ports);
            return ctx.answer(c, scope, extra, rows);
        }
    }
}
