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
 * per step). Whole days come from the daily roll-ups, the rest from the records ({@link Union}).
 */
public final class PortsQuery
{
    /** Parameters of {@code /api/v1/ports/top}. */
    public static final Set<String> TOP_PARAMETERS = Params.with(Scope.PARAMETERS, "by", "limit", "sources");
    /** Parameters of {@code /api/v1/ports/series}. */
    public static final Set<String> SERIES_PARAMETERS = Params.with(Scope.PARAMETERS, "step", "sources");
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

    private static boolean wantSources(final QueryParams p)
    {
        return p.choice("sources", "true", "true", "false").equals("true");
    }

    /** Sensors that stored a bin in the scope's range: the TSUBAME average's denominator. */
    static long activeSensors(final Connection c, final Scope scope) throws SQLException
    {
        final Union u = Union.plan(c, scope, true);
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT sensor_id) FROM (" + u.sql(Tables.SENSORS, "sensor_id", false, "") + ")"))
        {
            u.bind(ps, Tables.SENSORS, 1, false);
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
            final boolean sources = wantSources(p) || by.equals("sources");
            final int limit = Params.limit(p, 10);
            final String classFilter = " AND class = " + cls.id();
            final Union u = Union.plan(c, scope, true);
            final List<long[]> top = new ArrayList<>();
            final String packetsSql = "SELECT port, sum(packets)::BIGINT AS packets, sum(bytes)::BIGINT AS bytes FROM ("
                + u.sql(Tables.PORTS, "port, packets, bytes", true, classFilter) + ") GROUP BY port";
            final String sourcesSql = "SELECT port, count(DISTINCT src) AS sources FROM (" + u.sql(Tables.PORT_SOURCES, "port, src", true, classFilter)
                + ") GROUP BY port";
            if (by.equals("packets"))
            {
                try (PreparedStatement ps = c.prepareStatement(packetsSql + " ORDER BY packets DESC, port LIMIT " + limit))
                {
                    u.bind(ps, Tables.PORTS, 1, true);
                    try (ResultSet rs = ps.executeQuery())
                    {
                        while (rs.next())
                        {
                            top.add(new long[] {rs.getInt(1), rs.getLong(2), rs.getLong(3), -1});
                        }
                    }
                }
                if (sources)
                {
                    final Map<Integer, Long> s = distinctSources(c, scope, cls, top);
                    top.forEach(t -> t[3] = s.getOrDefault((int)t[0], 0L));
                }
            }
            else
            {
                try (PreparedStatement ps = c.prepareStatement("WITH s AS (" + sourcesSql + "), p AS (" + packetsSql + ") SELECT s.port, p.packets, p.bytes,"
                    + " s.sources FROM s JOIN p USING (port) ORDER BY s.sources DESC, p.packets DESC, s.port LIMIT " + limit))
                {
                    u.bind(ps, Tables.PORTS, u.bind(ps, Tables.PORT_SOURCES, 1, true), true);
                    try (ResultSet rs = ps.executeQuery())
                    {
                        while (rs.next())
                        {
                            top.add(new long[] {rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                        }
                    }
                }
            }
            final long total = totalPackets(c, scope, cls);
            final long sensors = activeSensors(c, scope);
            final long length = scope.toMicros() - scope.fromMicros();
            final Scope prevScope = scope.withRange(scope.fromMicros() - length, scope.fromMicros());
            final Map<Integer, Long> prevPackets = portPackets(c, prevScope, cls, top);
            final Map<Integer, Long> prevSources = sources ? distinctSources(c, prevScope, cls, top) : Map.of();
            final List<Map<String, Object>> rows = new ArrayList<>();
            int rank = 1;
            for (final long[] t : top)
            {
                final long pv = prevPackets.getOrDefault((int)t[0], 0L);
                rows.add(Rows.row("rank", rank++, "proto", Rows.protocolName(proto), "port", (int)t[0], "packets", t[1], "bytes", t[2],
                    "sources", t[3] < 0 ? null : t[3], "avg_packets_per_sensor", sensors == 0 ? 0.0 : Rows.round4((double)t[1] / sensors),
                    "share", total == 0 ? 0.0 : Rows.round4((double)t[1] / total), "previous_packets", pv,
                    "previous_sources", sources ? prevSources.getOrDefault((int)t[0], 0L) : null,
                    "change", pv == 0 ? null : Rows.round4((double)(t[1] - pv) / pv)));
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("by", by);
            extra.put("limit", limit);
            extra.put("active_sensors", sensors);
            extra.put("total_packets", total);
            extra.put("previous_from", Times.iso(prevScope.fromMicros()));
            extra.put("rollups", u.usesRollups());
            return ctx.answer(c, scope, extra, rows);
        }
    }

    private static String portList(final List<long[]> ports)
    {
        final StringJoiner in = new StringJoiner(", ", " AND port IN (", ")");
        ports.forEach(t -> in.add(Long.toString(t[0])));
        return in.toString();
    }

    private static long totalPackets(final Connection c, final Scope scope, final TrafficClass cls) throws SQLException
    {
        final Union u = Union.plan(c, scope, true);
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(packets), 0)::BIGINT FROM ("
            + u.sql(Tables.PORTS, "packets", true, " AND class = " + cls.id()) + ")"))
        {
            u.bind(ps, Tables.PORTS, 1, true);
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<Integer, Long> portPackets(final Connection c, final Scope scope, final TrafficClass cls, final List<long[]> ports)
        throws SQLException
    {
        return perPort(c, scope, ports, Tables.PORTS, "port, packets", "sum(packets)::BIGINT", cls);
    }

    private static Map<Integer, Long> distinctSources(final Connection c, final Scope scope, final TrafficClass cls, final List<long[]> ports)
        throws SQLException
    {
        return perPort(c, scope, ports, Tables.PORT_SOURCES, "port, src", "count(DISTINCT src)", cls);
    }

    private static Map<Integer, Long> perPort(final Connection c, final Scope scope, final List<long[]> ports, final Union.Tables rollup,
                                              final String columns, final String aggregate, final TrafficClass cls) throws SQLException
    {
        final Map<Integer, Long> out = new HashMap<>();
        if (ports.isEmpty())
        {
            return out;
        }
        final Union u = Union.plan(c, scope, true);
        try (PreparedStatement ps = c.prepareStatement("SELECT port, " + aggregate + " FROM ("
            + u.sql(rollup, columns, true, " AND class = " + cls.id() + portList(ports)) + ") GROUP BY port"))
        {
            u.bind(ps, rollup, 1, true);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Sensors that stored a bin, per step start (µs). */
    private static Map<Long, Long> activeSensorsPerStep(final Connection c, final Scope scope, final Step step) throws SQLException
    {
        final Map<Long, Long> out = new HashMap<>();
        final Union u = Union.plan(c, scope, step.nominalSeconds() >= 86_400);
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(" + step.bucket("t") + "), count(DISTINCT sensor_id) FROM ("
            + u.sql(Tables.SENSORS, "{t} AS t, sensor_id", false, "") + ") GROUP BY 1"))
        {
            u.bind(ps, Tables.SENSORS, 1, false);
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
            final boolean sources = wantSources(p);
            final TrafficClass cls = probeClass(scope.protocol());
            final Map<Long, Long> sensors = activeSensorsPerStep(c, scope, step);
            final Union u = Union.plan(c, scope, step.nominalSeconds() >= 86_400);
            final String classFilter = " AND class = " + cls.id();
            final Map<Long, Long> distinct = new HashMap<>();
            // Daily steps over all sensors (or one): each day's distinct sources are stored in the daily roll-up;
            // the partial days at the ends are counted from the records, and no day is in both parts.
            final boolean perDay = step == Step.DAY && (scope.regional() || scope.sensors().size() == 1);
            final Union.Tables daily = new Union.Tables("flows", "port_day", "port_day_region", null);
            if (sources && perDay)
            {
                try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(t), sum(v)::BIGINT FROM ("
                    + u.sql(daily, "day::TIMESTAMP AS t, sources AS v", true, classFilter, "date_trunc('day', bin_start) AS t, count(DISTINCT src) AS v",
                    " GROUP BY 1") + ") GROUP BY 1"))
                {
                    u.bind(ps, daily, 1, true);
                    try (ResultSet rs = ps.executeQuery())
                    {
                        while (rs.next())
                        {
                            distinct.put(rs.getLong(1), rs.getLong(2));
                        }
                    }
                }
            }
            else if (sources)
            {
                try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(" + step.bucket("t") + "), count(DISTINCT src) FROM ("
                    + u.sql(Tables.PORT_SOURCES, "{t} AS t, src", true, classFilter) + ") GROUP BY 1"))
                {
                    u.bind(ps, Tables.PORT_SOURCES, 1, true);
                    try (ResultSet rs = ps.executeQuery())
                    {
                        while (rs.next())
                        {
                            distinct.put(rs.getLong(1), rs.getLong(2));
                        }
                    }
                }
            }
            final String sql = "SELECT epoch_us(" + step.bucket("t") + "), sum(packets)::BIGINT FROM ("
                + u.sql(Tables.ports(step), "{t} AS t, packets", true, classFilter) + ") GROUP BY 1 ORDER BY 1";
            final List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                u.bind(ps, Tables.ports(step), 1, true);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        final long t = rs.getLong(1);
                        final long n = sensors.getOrDefault(t, 0L);
                        rows.add(Rows.row("time", Times.iso(t), "proto", Rows.protocolName(scope.protocol()), "port", scope.port(),
                            "packets", rs.getLong(2), "sources", sources ? distinct.getOrDefault(t, 0L) : null, "sensors", n,
                            "avg_packets_per_sensor", n == 0 ? 0.0 : Rows.round4((double)rs.getLong(2) / n)));
                    }
                }
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("step", step.key());
            extra.put("rollups", u.usesRollups());
            return ctx.answer(c, scope, extra, rows);
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
            final String classFilter = " AND class = " + cls.id();
            final Union whole = Union.plan(c, scope, true);
            final List<long[]> ports = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT port FROM (" + whole.sql(Tables.PORTS, "port, packets", true, classFilter)
                + ") GROUP BY port ORDER BY sum(packets) DESC, port LIMIT " + limit))
            {
                whole.bind(ps, Tables.PORTS, 1, true);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        ports.add(new long[] {rs.getInt(1)});
                    }
                }
            }
            final List<Map<String, Object>> rows = new ArrayList<>();
            final Union u = Union.plan(c, scope, step.nominalSeconds() >= 86_400);
            if (!ports.isEmpty())
            {
                final Map<Long, Long> sensors = activeSensorsPerStep(c, scope, step);
                try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(" + step.bucket("t") + "), port, sum(packets)::BIGINT FROM ("
                    + u.sql(Tables.ports(step), "{t} AS t, port, packets", true, classFilter + portList(ports)) + ") GROUP BY 1, 2 ORDER BY 1, 2"))
                {
                    u.bind(ps, Tables.ports(step), 1, true);
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
            extra.put("ports", ports.stream().map(x -> (int)x[0]).toList());
            extra.put("rollups", u.usesRollups());
            return ctx.answer(c, scope, extra, rows);
        }
    }
}
