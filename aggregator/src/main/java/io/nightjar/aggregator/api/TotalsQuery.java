package io.nightjar.aggregator.api;

import io.nightjar.aggregator.store.FlowStore;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * {@code GET /api/v1/totals?from=&to=&sensor=&country=}: the counts of {@code nightjar summarize --json}
 * (packets, bytes, classes, distinct sources, flows, bins, ...) over the stored bins and flow
 * records of a time range (bin start in [from, to)) and a set of sensors, plus per sensor its
 * totals and highest applied batch. The capture statistics ({@code capture_received}, the kernel,
 * interface and ring drops, and their total {@code capture_drops}) are sums over the bins; bins of
 * sensors older than schema version 3 add to {@code capture_drops} only.
 */
public final class TotalsQuery
{
    /** Parameters this endpoint takes. */
    public static final Set<String> PARAMETERS = Set.of("from", "to", "sensor", "country");

    private final FlowStore store;

    /** Totals over {@code store}. */
    public TotalsQuery(final FlowStore store)
    {
        this.store = store;
    }

    /** Runs the query; the result is a JSON-ready map. */
    public Map<String, Object> run(final QueryParams params) throws SQLException
    {
        final long from = params.timeMicros("from", Long.MIN_VALUE / 2);
        final long to = params.timeMicros("to", Long.MAX_VALUE / 2);
        if (to <= from)
        {
            throw new ApiException(400, "to", "'to' must be after 'from'");
        }
        List<String> sensors = params.sensors("sensor");
        if (!params.principal().regional() || params.has("country"))
        {
            // per-sensor detail: a member-state token sees its own sensors only (403 naming the parameter otherwise)
            try (Connection c = store.openReader())
            {
                sensors = io.nightjar.aggregator.stats.Scope.resolve(params, io.nightjar.aggregator.stats.SensorCatalog.load(c), 36_500, true).sensors();
            }
            if (sensors.isEmpty())
            {
                sensors = List.of("-");
            }
        }
        final String where = where(sensors);
        try (Connection c = store.openReader())
        {
            final Map<String, Map<String, Object>> perSensor = new LinkedHashMap<>();
            final Map<String, Object> all = binTotals(c, where, from, to, sensors, perSensor);
            sourcesAndFlows(c, where, from, to, sensors, all, perSensor);
            try (PreparedStatement ps = c.prepareStatement("SELECT sensor_id, sequence, position, batches FROM sensor_progress"))
            {
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        final Map<String, Object> s = perSensor.get(rs.getString(1));
                        if (s != null)
                        {
                            s.put("sequence", rs.getLong(2));
                            s.put("position", rs.getLong(3));
                            s.put("batches", rs.getLong(4));
                        }
                    }
                }
            }
            all.put("sensors", perSensor);
            return all;
        }
    }

    private static String where(final List<String> sensors)
    {
        final StringJoiner w = new StringJoiner(" AND ", " WHERE ", "");
        w.add("bin_start >= make_timestamp(?) AND bin_start < make_timestamp(?)");
        if (!sensors.isEmpty())
        {
            w.add("sensor_id IN (" + "?, ".repeat(sensors.size() - 1) + "?)");
        }
        return w.toString();
    }

    private static void bind(final PreparedStatement ps, final long from, final long to, final List<String> sensors) throws SQLException
    {
        ps.setLong(1, from);
        ps.setLong(2, to);
        for (int i = 0; i < sensors.size(); i++)
        {
            ps.setString(3 + i, sensors.get(i));
        }
    }

    private static Map<String, Object> binTotals(final Connection c, final String where, final long from, final long to,
                                                 final List<String> sensors,
                                                 final Map<String, Map<String, Object>> perSensor) throws SQLException
    {
        final StringJoiner cols = new StringJoiner(", ");
        for (final TrafficClass t : TrafficClass.values())
        {
            cols.add("sum(" + t.key() + "_packets)::BIGINT").add("sum(" + t.key() + "_bytes)::BIGINT");
        }
        for (final Anomaly a : Anomaly.values())
        {
            cols.add("sum(anomaly_" + a.key() + ")::BIGINT");
        }
        cols.add("sum(non_darknet_packets)::BIGINT").add("sum(non_darknet_bytes)::BIGINT").add("sum(ipv4)::BIGINT").add("sum(ipv6)::BIGINT")
            .add("sum(capture_drops)::BIGINT");
        for (final String column : BatchSchemas.CAPTURE_COLUMNS)
        {
            // a store migrated from schema version 2 holds these columns as nullable (its older bins read 0)
            cols.add("coalesce(sum(" + column + "), 0)::BIGINT");
        }
        cols.add("count(DISTINCT bin_start)").add("min(epoch_us(first_ts))").add("max(epoch_us(last_ts))");
        final String sql = "SELECT sensor_id, " + cols + " FROM bins" + where + " GROUP BY GROUPING SETS ((sensor_id), ()) ORDER BY sensor_id NULLS FIRST";
        Map<String, Object> all = null;
        try (PreparedStatement ps = c.prepareStatement(sql))
        {
            bind(ps, from, to, sensors);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    final String sensor = rs.getString(1);
                    final Map<String, Object> m = countsFrom(rs);
                    if (sensor == null)
                    {
                        all = m;
                    }
                    else
                    {
                        perSensor.put(sensor, m);
                    }
                }
            }
        }
        if (all == null)
        {
            all = emptyCounts();
        }
        return all;
    }

    private static Map<String, Object> emptyCounts()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", 0L);
        m.put("bytes", 0L);
        m.put("malformed", 0L);
        m.put("non_ip", 0L);
        m.put("first_ts", null);
        m.put("last_ts", null);
        m.put("ipv4", 0L);
        m.put("ipv6", 0L);
        final Map<String, Object> classes = new LinkedHashMap<>();
        for (final TrafficClass t : TrafficClass.values())
        {
            if (t.isIp())
            {
                classes.put(t.key(), 0L);
            }
        }
        m.put("classes", classes);
        m.put("distinct_sources", 0L);
        m.put("flows", 0L);
        m.put("bins", 0L);
        m.put("capture_drops", 0L);
        for (final String column : BatchSchemas.CAPTURE_COLUMNS)
        {
            m.put(column, 0L);
        }
        return m;
    }

    private static Map<String, Object> countsFrom(final ResultSet rs) throws SQLException
    {
        int col = 2;
        long packets = 0;
        long bytes = 0;
        final Map<String, Object> classes = new LinkedHashMap<>();
        final Map<String, Object> classBytes = new LinkedHashMap<>();
        long malformed = 0;
        long nonIp = 0;
        for (final TrafficClass t : TrafficClass.values())
        {
            final long p = rs.getLong(col++);
            final long b = rs.getLong(col++);
            packets += p;
            bytes += b;
            if (t == TrafficClass.MALFORMED)
            {
                malformed = p;
            }
            else if (t == TrafficClass.NON_IP)
            {
                nonIp = p;
            }
            else
            {
                classes.put(t.key(), p);
                classBytes.put(t.key(), b);
            }
        }
        final Map<String, Object> anomalies = new LinkedHashMap<>();
        for (final Anomaly a : Anomaly.values())
        {
            anomalies.put(a.key(), rs.getLong(col++));
        }
        final long nonDarknetPackets = rs.getLong(col++);
        final long nonDarknetBytes = rs.getLong(col++);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", packets + nonDarknetPackets);
        m.put("bytes", bytes + nonDarknetBytes);
        m.put("malformed", malformed);
        m.put("non_ip", nonIp);
        m.put("ipv4", rs.getLong(col++));
        m.put("ipv6", rs.getLong(col++));
        m.put("capture_drops", rs.getLong(col++));
        for (final String column : BatchSchemas.CAPTURE_COLUMNS)
        {
            m.put(column, rs.getLong(col++));
        }
        m.put("bins", rs.getLong(col++));
        final long first = rs.getLong(col++);
        m.put("first_ts", rs.wasNull() ? null : first / 1e6);
        final long last = rs.getLong(col);
        m.put("last_ts", rs.wasNull() ? null : last / 1e6);
        m.put("classes", classes);
        m.put("class_bytes", classBytes);
        m.put("non_darknet", Map.of("packets", nonDarknetPackets, "bytes", nonDarknetBytes));
        m.put("anomalies", anomalies);
        return m;
    }

    private static void sourcesAndFlows(final Connection c, final String where, final long from, final long to, final List<String> sensors,
                                        final Map<String, Object> all, final Map<String, Map<String, Object>> perSensor) throws SQLException
    {
        final String sql = "SELECT sensor_id, count(DISTINCT src), count(*) FROM flows" + where
            + " GROUP BY GROUPING SETS ((sensor_id), ()) ORDER BY sensor_id NULLS FIRST";
        all.put("distinct_sources", 0L);
        all.put("flows", 0L);
        for (final Map<String, Object> s : perSensor.values())
        {
            s.put("distinct_sources", 0L);
            s.put("flows", 0L);
        }
        try (PreparedStatement ps = c.prepareStatement(sql))
        {
            bind(ps, from, to, sensors);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    final String sensor = rs.getString(1);
                    final Map<String, Object> m = sensor == null ? all : perSensor.get(sensor);
                    if (m != null)
                    {
                        m.put("distinct_sources", rs.getLong(2));
                        m.put("flows", rs.getLong(3));
                    }
                }
            }
        }
    }
}
