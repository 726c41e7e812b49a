package io.nightjar.aggregator.stats;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the sensors in a scope covered its whole time range, so that every statistic can say
 * when it was computed over a period with a gap. A gap is a stretch of at least
 * {@link #MIN_GAP_MICROS} (5 minutes) inside the range and inside the sensor's own life (its first
 * to its last stored bin) with no stored bin. Shorter holes are not reported: a sensor stores no
 * bin for a minute in which nothing arrived, which on a darknet of a few hundred addresses
 * happens without any fault, whereas five silent minutes mean an outage or lost records.
 */
public final class Coverage
{
    /** Shortest stretch without bins reported as a gap. */
    public static final long MIN_GAP_MICROS = 300_000_000L;

    private Coverage()
    {
    }

    /** One gap of one sensor. */
    public record Gap(String sensorId, long startMicros, long endMicros)
    {
        Map<String, Object> toMap()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("sensor_id", sensorId);
            m.put("start", Times.iso(startMicros));
            m.put("end", Times.iso(endMicros));
            m.put("seconds", (endMicros - startMicros) / 1_000_000L);
            return m;
        }
    }

    /**
     * The gaps of every sensor in {@code scope}, in sensor then time order. Whole clean days are read
     * from the {@code sensor_day} roll-up (first bin, end of the last, longest stretch between bins);
     * only a day whose longest stretch reaches {@link #MIN_GAP_MICROS}, and the partial days at the
     * ends, are read bin by bin. The pieces are then stitched in time order.
     */
    public static List<Gap> gaps(final Connection c, final Scope scope) throws SQLException
    {
        final List<Gap> out = new ArrayList<>();
        if (scope.sensors().isEmpty())
        {
            return out;
        }
        final Union u = Union.plan(c, scope, true);
        final Map<String, List<long[]>> pieces = new LinkedHashMap<>();
        final List<Scope> binByBin = new ArrayList<>(u.rawScopes());
        final java.util.TreeSet<Long> daysToScan = new java.util.TreeSet<>();
        if (u.usesRollups())
        {
            try (PreparedStatement ps = c.prepareStatement("SELECT sensor_id, day - DATE '1970-01-01', first_bin, last_bin_end, max_gap_us FROM ("
                + u.rollupOnly("sensor_day", "sensor_id, day, first_bin, last_bin_end, max_gap_us") + ")"))
            {
                u.bindRollupOnly(ps, 1, false);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        pieces.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new long[] {rs.getLong(3), rs.getLong(4)});
                        if (rs.getLong(5) >= MIN_GAP_MICROS)
                        {
                            daysToScan.add(rs.getLong(2));
                        }
                    }
                }
            }
        }
        for (final long d : daysToScan)
        {
            binByBin.add(scope.withRange(d * 86_400_000_000L, (d + 1) * 86_400_000_000L));
        }
        for (final Scope r : binByBin)
        {
            try (PreparedStatement ps = c.prepareStatement("SELECT sensor_id, epoch_us(min(bin_start)), max(epoch_us(bin_start) + bin_length_us) FROM bins"
                + " WHERE " + r.whereBins("") + " GROUP BY sensor_id"))
            {
                r.bindBins(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        pieces.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
            final String sql = "SELECT sensor_id, e, next FROM (SELECT sensor_id, epoch_us(bin_start) + bin_length_us AS e,"
                + " lead(epoch_us(bin_start)) OVER (PARTITION BY sensor_id ORDER BY bin_start) AS next FROM bins WHERE " + r.whereBins("")
                + ") WHERE next - e >= ?";
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                ps.setLong(r.bindBins(ps, 1), MIN_GAP_MICROS);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        out.add(new Gap(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
        }
        for (final String id : scope.sensors())
        {
            final SensorCatalog.Sensor s = scope.catalog().get(id);
            if (!s.hasData())
            {
                continue;
            }
            final long lifeStart = Math.max(scope.fromMicros(), s.firstBinMicros());
            final long lifeEnd = Math.min(scope.toMicros(), s.lastBinEndMicros());
            if (lifeEnd <= lifeStart)
            {
                continue;
            }
            final List<long[]> own = pieces.getOrDefault(id, new ArrayList<>());
            own.sort((a, b) -> Long.compare(a[0], b[0]));
            long cursor = lifeStart;
            for (final long[] piece : own)
            {
                addIfLong(out, id, cursor, piece[0]);
                cursor = Math.max(cursor, piece[1]);
            }
            addIfLong(out, id, cursor, lifeEnd);
        }
        out.sort((a, b) -> a.sensorId().equals(b.sensorId()) ? Long.compare(a.startMicros(), b.startMicros()) : a.sensorId().compareTo(b.sensorId()));
        return out;
    }

    private static void addIfLong(final List<Gap> out, final String id, final long start, final long end)
    {
        if (end - start >= MIN_GAP_MICROS)
        {
            out.add(new Gap(id, start, end));
        }
    }

    /** The {@code coverage} object of an answer. */
    public static Map<String, Object> describe(final Scope scope, final List<Gap> gaps)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        final List<Map<String, Object>> list = new ArrayList<>();
        final Map<String, Long> perSensor = new LinkedHashMap<>();
        for (final Gap g : gaps)
        {
            list.add(g.toMap());
            perSensor.merge(g.sensorId(), g.endMicros() - g.startMicros(), Long::sum);
        }
        m.put("complete", gaps.isEmpty());
        m.put("sensors", scope.sensors().size());
        m.put("gaps", list);
        if (gaps.isEmpty())
        {
            m.put("note", null);
        }
        else
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(perSensor.size()).append(" of ").append(scope.sensors().size())
                .append(perSensor.size() == 1 ? " sensor has" : " sensors have").append(" gaps in this period: ");
            boolean firstEntry = true;
            for (final Map.Entry<String, Long> e : perSensor.entrySet())
            {
                if (!firstEntry)
                {
                    sb.append(", ");
                }
                firstEntry = false;
                sb.append(e.getKey()).append(" (").append(duration(e.getValue())).append(')');
            }
            m.put("note", sb.toString());
        }
        return m;
    }

    static String duration(final long micros)
    {
        final long s = micros / 1_000_000L;
        if (s >= 86_400)
        {
            return String.format("%.1f d", s / 86_400.0);
        }
        if (s >= 3600)
        {
            return String.format("%.1f h", s / 3600.0);
        }
        return (s / 60) + " min";
    }
}
