package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.aggregator.store.TargetCount;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * {@code /api/v1/ports/surging}: DShield's trend score per destination port,
 * {@code sqrt((S − s)² / s + (T − t)² / t)}, where S and T are the distinct sources and distinct
 * targets (darknet addresses hit) of the port in the last 24 hours before {@code to}, and s and t
 * their daily averages over the 30 whole UTC days before the day in which those 24 hours begin
 * (read from the daily roll-ups). A baseline of zero counts as one, so a port
 * never probed before scores about its new sources. Targets are merged from the flow records'
 * destination sketches per sensor (exact up to 1024 per sensor and day, HyperLogLog beyond) and
 * summed over sensors (their darknets are disjoint). {@code sensor_ratio} compares the port's
 * sources per active sensor now with the baseline's, so that a sensor joining does not look like
 * a surge. Ports whose score reaches {@code threshold} are {@code surging}.
 */
public final class SurgingQuery
{
    /** Parameters. */
    public static final Set<String> PARAMETERS = Set.of("to", "sensor", "country", "proto", "threshold", "limit", "from");
    /** Ports considered: those with the most sources in the last 24 h. */
    static final int CANDIDATES = 200;
    private static final long DAY_US = 86_400_000_000L;

    private final StatsContext ctx;

    /** Surging ports over {@code ctx}. */
    public SurgingQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /** Runs the query. */
    public Map<String, Object> run(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final SensorCatalog cat = SensorCatalog.load(c);
            final Scope asked = Scope.resolve(p, cat, 1, false);
            final long to = asked.toMicros();
            final Scope last = asked.withRange(to - DAY_US, to);
            // the baseline: the 30 whole UTC days before the day in which the last 24 h begin (read from the daily roll-ups)
            final long baseEnd = Math.floorDiv(to - DAY_US, DAY_US) * DAY_US;
            final Scope base = asked.withRange(baseEnd - 30 * DAY_US, baseEnd);
            final double threshold = p.decimal("threshold", 10, 0, 1e12);
            final int limit = Params.limit(p, 20);
            final List<Integer> protos = asked.protocol() == null ? List.of(6, 17) : List.of(asked.protocol());
            final long nowSensors = PortsQuery.activeSensors(c, last);
            final long baseSensors = PortsQuery.activeSensors(c, base);
            final long baseDays = Math.max(1, baseDays(c, base));
            final List<Map<String, Object>> rows = new ArrayList<>();
            for (final int proto : protos)
            {
                final TrafficClass cls = PortsQuery.probeClass(proto);
                final Map<Integer, long[]> now = sourcesAndTargets(c, last.withProtocol(proto), cls, null);
                final List<Integer> candidates = new ArrayList<>(now.keySet());
                candidates.sort(Comparator.comparingLong((Integer k) -> -now.get(k)[0]).thenComparing(k -> k));
                final List<Integer> ports = candidates.subList(0, Math.min(CANDIDATES, candidates.size()));
                final Map<Integer, long[]> before = baseline(c, base.withProtocol(proto), cls, ports);
                for (final int port : ports)
                {
                    final long[] n = now.get(port);
                    final long[] b = before.getOrDefault(port, new long[2]);
                    final double s = Math.max(1.0, (double)b[0] / baseDays);
                    final double t = Math.max(1.0, (double)b[1] / baseDays);
                    final double score = Math.sqrt((n[0] - s) * (n[0] - s) / s + (n[1] - t) * (n[1] - t) / t);
                    final Double ratio = nowSensors == 0 || baseSensors == 0 ? null
                        : Rows.round4(((double)n[0] / nowSensors) / (s / baseSensors));
                    rows.add(Rows.row("proto", Rows.protocolName(proto), "port", port, "score", Rows.round4(score), "sources", n[0], "targets", n[1],
                        "baseline_sources", Rows.round4((double)b[0] / baseDays), "baseline_targets", Rows.round4((double)b[1] / baseDays),
                        "sensors", nowSensors, "sensor_ratio", ratio, "surging", score >= threshold));
                }
            }
            rows.sort(Comparator.comparingDouble((Map<String, Object> r) -> -(Double)r.get("score")));
            final List<Map<String, Object>> top = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("threshold", threshold);
            extra.put("last_24h_from", Times.iso(last.fromMicros()));
            extra.put("baseline_from", Times.iso(base.fromMicros()));
            extra.put("baseline_days", baseDays);
            return ctx.answer(c, last, extra, top);
        }
    }

    /**
     * Per port of {@code ports}: {sources summed over the baseline's UTC days (exact per day), targets
     * summed over its days and sensors}, from the daily roll-ups when every day is clean, else from the
     * records (the same values: see {@link #sourcesAndTargets}).
     */
    private static Map<Integer, long[]> baseline(final Connection c, final Scope base, final TrafficClass cls, final List<Integer> ports)
        throws SQLException
    {
        final Union u = Union.plan(c, base, true);
        if (!u.usesRollups() || !u.rawScopes().isEmpty() || ports.isEmpty())
        {
            return sourcesAndTargets(c, base, cls, ports);
        }
        final StringJoiner in = new StringJoiner(", ", " AND port IN (", ")");
        ports.forEach(x -> in.add(Integer.toString(x)));
        final String where = " WHERE day >= DATE '1970-01-01' + ?::INTEGER AND day < DATE '1970-01-01' + ?::INTEGER" + base.filters("", true)
            + " AND class = " + cls.id() + in;
        final Map<Integer, long[]> out = new HashMap<>();
        final String sources = base.regional() ? "SELECT port, sum(sources)::BIGINT FROM port_day_region" + where + " GROUP BY port"
            : "SELECT port, count(DISTINCT (day, src)) FROM port_src_day" + where + " GROUP BY port";
        final String targets = "SELECT port, sum(targets)::BIGINT FROM port_day" + where + " GROUP BY port";
        for (int k = 0; k < 2; k++)
        {
            try (PreparedStatement ps = c.prepareStatement(k == 0 ? sources : targets))
            {
                ps.setLong(1, Math.floorDiv(base.fromMicros(), DAY_US));
                ps.setLong(2, Math.floorDiv(base.toMicros(), DAY_US));
                base.bindFilters(ps, 3, true);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        out.computeIfAbsent(rs.getInt(1), x -> new long[2])[k] = rs.getLong(2);
                    }
                }
            }
        }
        return out;
    }

    /** Days of the baseline in which any sensor in scope stored a bin (the average's denominator). */
    private static long baseDays(final Connection c, final Scope base) throws SQLException
    {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT (epoch_us(bin_start) - ?) // " + DAY_US + ") FROM bins WHERE "
            + base.whereBins("")))
        {
            ps.setLong(1, base.fromMicros());
            base.bindBins(ps, 2);
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Per port: {sources summed over days (exact per day), targets summed over days and sensors}. Days
     * count from the scope's start, so the last 24 h is one day.
     */
    private static Map<Integer, long[]> sourcesAndTargets(final Connection c, final Scope scope, final TrafficClass cls, final List<Integer> ports)
        throws SQLException
    {
        final Map<Integer, long[]> out = new HashMap<>();
        if (ports != null && ports.isEmpty())
        {
            return out;
        }
        String portFilter = "";
        if (ports != null)
        {
            final StringJoiner in = new StringJoiner(", ", " AND port IN (", ")");
            ports.forEach(x -> in.add(Integer.toString(x)));
            portFilter = in.toString();
        }
        final String day = "((epoch_us(bin_start) - " + scope.fromMicros() + ") // " + DAY_US + ")";
        try (PreparedStatement ps = c.prepareStatement("SELECT port, count(DISTINCT (" + day + ", src)) FROM flows WHERE " + scope.where("")
            + " AND class = " + cls.id() + portFilter + " GROUP BY port"))
        {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    out.put(rs.getInt(1), new long[] {rs.getLong(2), 0});
                }
            }
        }
        // Targets: merge each (port, sensor, day)'s destination sketches in order, then sum the estimates.
        try (PreparedStatement ps = c.prepareStatement("SELECT port, sensor_id, " + day + " AS d, destination_sketch, destinations FROM flows WHERE "
            + scope.where("") + " AND class = " + cls.id() + portFilter + " ORDER BY port, sensor_id, d"))
        {
            scope.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                int curPort = -1;
                String curSensor = null;
                long curDay = Long.MIN_VALUE;
                final TargetCount targets = new TargetCount();
                while (rs.next())
                {
                    final int port = rs.getInt(1);
                    final String sensor = rs.getString(2);
                    final long d = rs.getLong(3);
                    if (port != curPort || !sensor.equals(curSensor) || d != curDay)
                    {
                        flush(out, curPort, targets);
                        curPort = port;
                        curSensor = sensor;
                        curDay = d;
                        targets.reset();
                    }
                    targets.add(rs.getBytes(4), rs.getLong(5));
                }
                flush(out, curPort, targets);
            }
        }
        return out;
    }

    private static void flush(final Map<Integer, long[]> out, final int port, final TargetCount targets)
    {
        if (port < 0)
        {
            return;
        }
        out.computeIfAbsent(port, k -> new long[2])[1] += targets.count();
    }
}
