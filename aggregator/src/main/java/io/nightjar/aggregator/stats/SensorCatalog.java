package io.nightjar.aggregator.stats;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The sensors statistics know of, read in one snapshot: the configured ones (table {@code sensors}:
 * member state, organisation, darknet size) and every sensor that has stored bins (first and last
 * bin, from {@code sensor_span}, which the store's writer keeps with the bins). A sensor without a configured darknet size counts as a /24 (256 addresses), the
 * commonest darknet block, and is flagged as such.
 */
public final class SensorCatalog
{
    /** Darknet size assumed for a sensor whose size is not configured. */
    public static final long DEFAULT_DARKNET_ADDRESSES = 256;

    private final Map<String, Sensor> sensors;
    private final long dataFirstMicros;
    private final long dataLastMicros;

    /**
     * One sensor.
     *
     * @param id               sensor id.
     * @param country          member state, or null if not configured.
     * @param organisation     organisation, or null.
     * @param darknetAddresses IPv4 darknet addresses (configured, or {@link #DEFAULT_DARKNET_ADDRESSES}).
     * @param sizeConfigured   whether the size was configured.
     * @param firstBinMicros   first stored bin start, or Long.MIN_VALUE if none.
     * @param lastBinEndMicros end of the last stored bin, or Long.MIN_VALUE if none.
     * @param binLengthMicros  its bin length (of the last bin), or 0.
     */
    public record Sensor(String id, String country, String organisation, long darknetAddresses, boolean sizeConfigured,
                         long firstBinMicros, long lastBinEndMicros, long binLengthMicros)
    {
        /** Whether the sensor has any stored bin. */
        public boolean hasData()
        {
            return firstBinMicros != Long.MIN_VALUE;
        }
    }

    private SensorCatalog(final Map<String, Sensor> sensors)
    {
        this.sensors = Collections.unmodifiableMap(sensors);
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (final Sensor s : sensors.values())
        {
            if (s.hasData())
            {
                first = Math.min(first, s.firstBinMicros());
                last = Math.max(last, s.lastBinEndMicros());
            }
        }
        this.dataFirstMicros = first == Long.MAX_VALUE ? Long.MIN_VALUE : first;
        this.dataLastMicros = last;
    }

    /** Reads the catalog through {@code c}. */
    public static SensorCatalog load(final Connection c) throws SQLException
    {
        final Map<String, Sensor> out = new LinkedHashMap<>();
        final Map<String, long[]> bins = new LinkedHashMap<>();
        try (Statement st = c.createStatement())
        {
            try (ResultSet rs = st.executeQuery("SELECT sensor_id, first_bin, last_bin, bin_length_us FROM sensor_span"))
            {
                while (rs.next())
                {
                    bins.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3) + rs.getLong(4), rs.getLong(4)});
                }
            }
            final TreeSet<String> ids = new TreeSet<>(bins.keySet());
            final Map<String, Object[]> meta = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT sensor_id, country, organisation, darknet_addresses FROM sensors"))
            {
                while (rs.next())
                {
                    meta.put(rs.getString(1), new Object[] {rs.getString(2), rs.getString(3), rs.getLong(4)});
                    ids.add(rs.getString(1));
                }
            }
            for (final String id : ids)
            {
                final Object[] m = meta.get(id);
                final long[] b = bins.get(id);
                final long size = m == null ? 0 : (Long)m[2];
                out.put(id, new Sensor(id, m == null ? null : (String)m[0], m == null ? null : (String)m[1],
                    size > 0 ? size : DEFAULT_DARKNET_ADDRESSES, size > 0,
                    b == null ? Long.MIN_VALUE : b[0], b == null ? Long.MIN_VALUE : b[1], b == null ? 0 : b[2]));
            }
        }
        return new SensorCatalog(out);
    }

    /** Every sensor, by id (sorted). */
    public Map<String, Sensor> sensors()
    {
        return sensors;
    }

    /** The sensor, or null. */
    public Sensor get(final String id)
    {
        return sensors.get(id);
    }

    /** Ids of the sensors of member state {@code country}. */
    public List<String> ofCountry(final String country)
    {
        final List<String> out = new ArrayList<>();
        sensors.values().forEach(s ->
        {
            if (country.equals(s.country()))
            {
                out.add(s.id());
            }
        });
        return out;
    }

    /** Member states configured, sorted. */
    public List<String> memberStates()
    {
        final TreeSet<String> out = new TreeSet<>();
        sensors.values().forEach(s ->
        {
            if (s.country() != null)
            {
                out.add(s.country());
            }
        });
        return new ArrayList<>(out);
    }

    /** Start of the first stored bin, µs, or Long.MIN_VALUE when empty. */
    public long dataFirstMicros()
    {
        return dataFirstMicros;
    }

    /** End of the last stored bin, µs, or Long.MIN_VALUE when empty. */
    public long dataLastMicros()
    {
        return dataLastMicros;
    }
}
