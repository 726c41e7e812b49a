package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;
import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.aggregator.auth.Principal;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one statistic is computed over: the time range {@code [from, to)} of bin starts, the
 * sensors (given by id and/or member state, limited by the caller's token), and optional protocol,
 * port and class filters. Resolving it enforces the token's scope: a member-state token asking
 * for detail ({@code detail = true}) about another member state's sensors is refused with 403
 * naming the parameter; without a sensor or member-state filter its detail covers its own sensors.
 *
 * <p>{@link #where(String)} renders the filter as SQL with {@code ?} placeholders and
 * {@link #bind(PreparedStatement, int)} binds them, so no caller text ever reaches SQL.
 */
public final class Scope
{
    /** Parameters every statistic understands. */
    public static final Set<String> PARAMETERS = Set.of("from", "to", "sensor", "country", "proto", "port", "class");
    private static final long DAY_US = 86_400_000_000L;

    private final long fromMicros;
    private final long toMicros;
    private final List<String> sensors;
    private final boolean allSensors;
    private final List<String> memberStates;
    private final Integer protocol;
    private final Integer port;
    private final TrafficClass trafficClass;
    private final SensorCatalog catalog;

    private Scope(final long from, final long to, final List<String> sensors, final boolean allSensors, final List<String> memberStates,
                  final Integer protocol, final Integer port, final TrafficClass trafficClass, final SensorCatalog catalog)
    {
        this.fromMicros = from;
        this.toMicros = to;
        this.sensors = List.copyOf(sensors);
        this.allSensors = allSensors;
        this.memberStates = List.copyOf(memberStates);
        this.protocol = protocol;
        this.port = port;
        this.trafficClass = trafficClass;
        this.catalog = catalog;
    }

    /**
     * Resolves the scope of a request.
     *
     * @param defaultDays length of the default range ending at the end of the stored data.
     * @param detail      whether the statistic shows per-source or per-sensor detail.
     */
    public static Scope resolve(final QueryParams p, final SensorCatalog catalog, final long defaultDays, final boolean detail)
    {
        final long dataEnd = catalog.dataLastMicros() == Long.MIN_VALUE ? System.currentTimeMillis() * 1000 : catalog.dataLastMicros();
        final long to = p.timeMicros("to", dataEnd);
        final long from = p.timeMicros("from", to - defaultDays * DAY_US);
        if (to <= from)
        {
            throw new ApiException(400, "to", "'to' must be after 'from'");
        }
        final Principal who = p.principal();
        final List<String> askedSensors = p.has("sensor") ? p.sensors("sensor") : List.of();
        final List<String> askedStates = p.has("country") ? p.countries("country") : List.of();
        for (final String id : askedSensors)
        {
            final SensorCatalog.Sensor s = catalog.get(id);
            if (s == null)
            {
                throw new ApiException(400, "sensor", "parameter 'sensor': no sensor '" + id + "' (known: " + catalog.sensors().keySet() + ")");
            }
            if (!who.regional() && !who.memberState().equals(s.country()))
            {
                throw new ApiException(403, "sensor", "parameter 'sensor': '" + id + "' belongs to another member state; a "
                    + who.memberState() + " token sees only " + who.memberState() + "'s sensors in detail");
            }
        }
        for (final String cc : askedStates)
        {
            if (detail && !who.regional() && !who.memberState().equals(cc))
            {
                throw new ApiException(403, "country", "parameter 'country': detail about " + cc + "'s sensors is not visible to a "
                    + who.memberState() + " token (only regional aggregates are)");
            }
        }
        final LinkedHashSet<String> ids = new LinkedHashSet<>(askedSensors);
        for (final String cc : askedStates)
        {
            ids.addAll(catalog.ofCountry(cc));
        }
        boolean all = false;
        if (askedSensors.isEmpty() && askedStates.isEmpty())
        {
            if (detail && !who.regional())
            {
                ids.addAll(catalog.ofCountry(who.memberState()));
            }
            else
            {
                ids.addAll(catalog.sensors().keySet());
                all = true;
            }
        }
        else if (!askedSensors.isEmpty() && !askedStates.isEmpty())
        {
            // both given: the sensors of the given ids that are in the given states
            ids.retainAll(askedSensors);
            ids.removeIf(id -> !askedStates.contains(catalog.get(id).country()));
        }
        final List<String> states = new ArrayList<>(askedStates);
        if (askedSensors.isEmpty() && askedStates.isEmpty() && detail && !who.regional())
        {
            states.add(who.memberState());
        }
        return new Scope(from, to, new ArrayList<>(ids), all, states, protocol(p), port(p), trafficClass(p), catalog);
    }

    private static Integer protocol(final QueryParams p)
    {
        final String v = p.string("proto", null);
        if (v == null)
        {
            return null;
        }
        return switch (v.toLowerCase(Locale.ROOT))
        {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmp6", "ipv6-icmp", "icmpv6" -> 58;
            default -> (int)p.integer("proto", 0, 0, 255);
        };
    }

    private static Integer port(final QueryParams p)
    {
        return p.has("port") ? (int)p.integer("port", 0, 0, 65535) : null;
    }

    private static TrafficClass trafficClass(final QueryParams p)
    {
        final String v = p.string("class", null);
        if (v == null)
        {
            return null;
        }
        try
        {
            final TrafficClass c = TrafficClass.ofKey(v);
            if (!c.isIp())
            {
                throw new IllegalArgumentException();
            }
            return c;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ApiException(400, "class", "parameter 'class': '" + v + "' is not a traffic class (tcp_scan, backscatter, udp_probe,"
                + " icmp_probe, tcp_other, fragment, other)");
        }
    }

    /** The same scope over another time range. */
    public Scope withRange(final long from, final long to)
    {
        return new Scope(from, to, sensors, allSensors, memberStates, protocol, port, trafficClass, catalog);
    }

    /** The same scope without the protocol, port and class filters. */
    public Scope withoutTrafficFilters()
    {
        return new Scope(fromMicros, toMicros, sensors, allSensors, memberStates, null, null, null, catalog);
    }

    /** The same scope with this protocol (null for any). */
    public Scope withProtocol(final Integer proto)
    {
        return new Scope(fromMicros, toMicros, sensors, allSensors, memberStates, proto, port, trafficClass, catalog);
    }

    /** Start of the range, µs since the epoch. */
    public long fromMicros()
    {
        return fromMicros;
    }

    /** End of the range (exclusive), µs since the epoch. */
    public long toMicros()
    {
        return toMicros;
    }

    /** Whether the scope is every sensor (no sensor or member-state filter): regional roll-ups apply. */
    public boolean regional()
    {
        return allSensors;
    }

    /** Sensor ids in scope. */
    public List<String> sensors()
    {
        return sensors;
    }

    /** Member states asked for (or the token's own, for its detail). */
    public List<String> memberStates()
    {
        return memberStates;
    }

    /** Protocol filter or null. */
    public Integer protocol()
    {
        return protocol;
    }

    /** Port filter or null. */
    public Integer port()
    {
        return port;
    }

    /** Class filter or null. */
    public TrafficClass trafficClass()
    {
        return trafficClass;
    }

    /** The sensor catalog the scope was resolved against. */
    public SensorCatalog catalog()
    {
        return catalog;
    }

    /** Sum of the darknet sizes (IPv4 addresses) of the sensors in scope. */
    public long darknetAddresses()
    {
        long n = 0;
        for (final String id : sensors)
        {
            n += catalog.get(id).darknetAddresses();
        }
        return Math.max(1, n);
    }

    /**
     * The filter as SQL (AND-joined conditions, no leading WHERE) over a table with columns
     * {@code bin_start}, {@code sensor_id} and, unless {@code traffic} is null, {@code protocol},
     * {@code port}, {@code class}; {@code alias} prefixes the columns ("" for none).
     */
    public String where(final String alias)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(alias).append("bin_start >= make_timestamp(?) AND ").append(alias).append("bin_start < make_timestamp(?)");
        if (!allSensors)
        {
            sb.append(" AND ").append(alias).append("sensor_id IN (").append(sensors.isEmpty() ? "NULL" : "?, ".repeat(sensors.size() - 1) + "?")
                .append(')');
        }
        if (protocol != null)
        {
            sb.append(" AND ").append(alias).append("protocol = ?");
        }
        if (port != null)
        {
            sb.append(" AND ").append(alias).append("port = ?");
        }
        if (trafficClass != null)
        {
            sb.append(" AND ").append(alias).append("class = ?");
        }
        return sb.toString();
    }

    /**
     * The sensor filter and, when {@code traffic}, the protocol, port and class filters, each as
     * {@code " AND ..."} (no time range), for roll-up tables.
     */
    public String filters(final String alias, final boolean traffic)
    {
        final StringBuilder sb = new StringBuilder();
        if (!allSensors)
        {
            sb.append(" AND ").append(alias).append("sensor_id IN (").append(sensors.isEmpty() ? "NULL" : "?, ".repeat(sensors.size() - 1) + "?")
                .append(')');
        }
        if (traffic && protocol != null)
        {
            sb.append(" AND ").append(alias).append("protocol = ?");
        }
        if (traffic && port != null)
        {
            sb.append(" AND ").append(alias).append("port = ?");
        }
        if (traffic && trafficClass != null)
        {
            sb.append(" AND ").append(alias).append("class = ?");
        }
        return sb.toString();
    }

    /** Binds the placeholders of {@link #filters}; returns the next index. */
    public int bindFilters(final PreparedStatement ps, final int first, final boolean traffic) throws SQLException
    {
        int i = first;
        if (!allSensors)
        {
            for (final String s : sensors)
            {
                ps.setString(i++, s);
            }
        }
        if (traffic && protocol != null)
        {
            ps.setInt(i++, protocol);
        }
        if (traffic && port != null)
        {
            ps.setInt(i++, port);
        }
        if (traffic && trafficClass != null)
        {
            ps.setInt(i++, trafficClass.id());
        }
        return i;
    }

    /** Like {@link #where(String)} but only the time range and sensors (for the bins table). */
    public String whereBins(final String alias)
    {
        return withoutTrafficFilters().where(alias);
    }

    /** Binds the placeholders of {@link #whereBins} from parameter index {@code first}; returns the next index. */
    public int bindBins(final PreparedStatement ps, final int first) throws SQLException
    {
        return withoutTrafficFilters().bind(ps, first);
    }

    /** Binds the placeholders of {@link #where} from parameter index {@code first}; returns the next index. */
    public int bind(final PreparedStatement ps, final int first) throws SQLException
    {
        int i = first;
        ps.setLong(i++, fromMicros);
        ps.setLong(i++, toMicros);
        if (!allSensors)
        {
            for (final String s : sensors)
            {
                ps.setString(i++, s);
            }
        }
        if (protocol != null)
        {
            ps.setInt(i++, protocol);
        }
        if (port != null)
        {
            ps.setInt(i++, port);
        }
        if (trafficClass != null)
        {
            ps.setInt(i++, trafficClass.id());
        }
        return i;
    }

    /** The scope as understood, for the answer's {@code query}. */
    public Map<String, Object> describe()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", Times.iso(fromMicros));
        m.put("to", Times.iso(toMicros));
        m.put("sensors", sensors);
        m.put("member_states", memberStates);
        if (protocol != null)
        {
            m.put("proto", protocol);
        }
        if (port != null)
        {
            m.put("port", port);
        }
        if (trafficClass != null)
        {
            m.put("class", trafficClass.key());
        }
        return m;
    }
}
