package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/sensors/health}: per sensor in scope, its last heartbeat (received time, clock
 * skew = sensor clock − aggregator clock at receipt, cumulative kernel and interface drops, spool
 * backlog), and over the range: bins stored against bins expected over its life in the range,
 * capture drops, malformed share (malformed packets / all packets), coverage (share of its life in
 * the range not inside a {@link Coverage} gap) and the gaps.
 */
public final class HealthQuery
{
    /** Parameters. */
    public static final Set<String> PARAMETERS = Set.of("from", "to", "sensor", "country");

    private final StatsContext ctx;

    /** Health over {@code ctx}. */
    public HealthQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /** Runs the query. */
    public Map<String, Object> run(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, true);
            final StringBuilder all = new StringBuilder("non_darknet_packets");
            for (final TrafficClass t : TrafficClass.values())
            {
                all.append(" + ").append(t.key()).append("_packets");
            }
            final Map<String, long[]> bins = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sensor_id, count(*), sum(capture_drops)::BIGINT, sum(malformed_packets)::BIGINT,"
                + " sum(" + all + ")::BIGINT, coalesce(sum(capture_received), 0)::BIGINT, coalesce(sum(capture_kernel_drops), 0)::BIGINT,"
                + " coalesce(sum(capture_interface_drops), 0)::BIGINT, coalesce(sum(capture_ring_drops), 0)::BIGINT,"
                + " coalesce(sum(capture_drops) FILTER (WHERE capture_received > 0), 0)::BIGINT"
                + " FROM bins WHERE " + scope.whereBins("") + " GROUP BY sensor_id"))
            {
                scope.bindBins(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        bins.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                            rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10)});
                    }
                }
            }
            final Map<String, Object[]> beats = new HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sensor_id, epoch_us(max(received)), arg_max(epoch_us(sensor_clock) - epoch_us(received), received),"
                     + " arg_max(kernel_drops, received), arg_max(interface_drops, received), arg_max(spool_documents, received),"
                     + " arg_max(spool_bytes, received), arg_max(evicted_records, received) FROM heartbeats GROUP BY sensor_id"))
            {
                while (rs.next())
                {
                    beats.put(rs.getString(1), new Object[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7),
                        rs.getLong(8)});
                }
            }
            final List<Coverage.Gap> gaps = Coverage.gaps(c, scope);
            final List<Map<String, Object>> rows = new ArrayList<>();
            for (final String id : scope.sensors())
            {
                final SensorCatalog.Sensor s = scope.catalog().get(id);
                final long[] b = bins.getOrDefault(id, new long[9]);
                final Object[] h = beats.get(id);
                final long lifeStart = s.hasData() ? Math.max(scope.fromMicros(), s.firstBinMicros()) : 0;
                final long lifeEnd = s.hasData() ? Math.min(scope.toMicros(), s.lastBinEndMicros()) : 0;
                final long life = Math.max(0, lifeEnd - lifeStart);
                long gapMicros = 0;
                final List<Map<String, Object>> own = new ArrayList<>();
                for (final Coverage.Gap g : gaps)
                {
                    if (g.sensorId().equals(id))
                    {
                        gapMicros += g.endMicros() - g.startMicros();
                        own.add(Rows.row("start", Times.iso(g.startMicros()), "end", Times.iso(g.endMicros()),
                            "seconds", (g.endMicros() - g.startMicros()) / 1_000_000L));
                    }
                }
                final Map<String, Object> r = new LinkedHashMap<>();
                r.put("sensor_id", id);
                r.put("country", s.country());
                r.put("organisation", s.organisation());
                r.put("darknet_addresses", s.darknetAddresses());
                r.put("last_heartbeat", h == null ? null : Times.iso((Long)h[0]));
                r.put("last_bin", s.hasData() ? Times.iso(s.lastBinEndMicros() - s.binLengthMicros()) : null);
                r.put("clock_skew_seconds", h == null ? null : Rows.round4((Long)h[1] / 1e6));
                r.put("kernel_drops", h == null ? null : h[2]);
                r.put("interface_drops", h == null ? null : h[3]);
                r.put("spool_backlog", h == null ? null : h[4]);
                r.put("spool_bytes", h == null ? null : h[5]);
                r.put("evicted_records", h == null ? null : h[6]);
                r.put("capture_received", b[4]);
                r.put("capture_kernel_drops", b[5]);
                r.put("capture_interface_drops", b[6]);
                r.put("capture_ring_drops", b[7]);
                r.put("capture_drops", b[1]);
                // not rounded: a share of 1e-6 matters on a busy sensor
                r.put("drop_share", Rows.ratio(b[8], b[4]));
                r.put("malformed", b[2]);
                r.put("packets", b[3]);
                r.put("malformed_share", b[3] == 0 ? 0.0 : Rows.round4((double)b[2] / b[3]));
                r.put("bins", b[0]);
                r.put("bins_expected", s.binLengthMicros() == 0 ? 0 : life / s.binLengthMicros());
                r.put("coverage", life == 0 ? null : Rows.round4(1.0 - (double)gapMicros / life));
                r.put("gaps", own);
                rows.add(r);
            }
            return ctx.answer(c, scope, null, rows);
        }
    }
}
