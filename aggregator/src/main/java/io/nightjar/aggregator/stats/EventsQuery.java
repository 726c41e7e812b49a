package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;
import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.aggregator.store.StoredAddress;
import io.nightjar.wire.events.DosAttack;
import io.nightjar.wire.events.DosAttackDetector;
import io.nightjar.wire.events.ScanEvent;
import io.nightjar.wire.events.ScanEventDetector;
import io.nightjar.wire.schema.Addresses;
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

/**
 * Events found in the stored flow records of a scope by the detectors the sensor's summary uses
 * ({@code wire.events}), fed with the records of every sensor in scope merged in bin order:
 * <ul>
 *   <li>{@code /api/v1/events/scans}: scan events as Merit's ORION defines them (key source,
 *       protocol, port, class; ended by 624 s without a packet; at least 10 distinct destinations;
 *       at least 10 packets/s after scaling by 2^32 / the darknet addresses of the sensors in scope);</li>
 *   <li>{@code /api/v1/events/dos}: randomly spoofed DoS attacks inferred from backscatter as CAIDA's
 *       RS-DoS defines them (key victim, protocol; at least 25 packets over at least 60 s, at least 30
 *       in some 60-s window sliding by 10 s; ended by 300 s without a packet).</li>
 * </ul>
 * Thresholds are parameters. Keys that cannot reach the thresholds (fewer destinations, or fewer
 * packets, summed over the range, than the minimum) are left in the database: only the records of
 * the other keys are read. Events are those whose records lie in the range; an event going on at
 * either end is cut there. Detail: a member-state token sees its own sensors' events.
 */
public final class EventsQuery
{
    /** Parameters of {@code /api/v1/events/scans}. */
    public static final Set<String> SCAN_PARAMETERS = Params.with(Scope.PARAMETERS, "src", "limit", "by", "gap_seconds", "min_destinations", "min_rate");
    /** Parameters of {@code /api/v1/events/dos}. */
    public static final Set<String> DOS_PARAMETERS = Params.with(Set.of("from", "to", "sensor", "country", "proto"), "victim", "limit", "by",
        "gap_seconds", "min_packets", "min_seconds", "min_window_packets");

    private final StatsContext ctx;

    /** Events over {@code ctx}. */
    public EventsQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    private static byte[] address(final QueryParams p, final String name)
    {
        final String v = p.string(name, null);
        if (v == null)
        {
            return null;
        }
        try
        {
            return Addresses.parse(v);
        }
        catch (final RuntimeException ex)
        {
            throw new ApiException(400, name, "parameter '" + name + "': '" + v + "' is not an IPv4 or IPv6 address");
        }
    }

    /** {@code /api/v1/events/scans}. */
    public Map<String, Object> scans(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, true);
            final ScanEventDetector.Params defaults = ScanEventDetector.Params.defaults();
            final long gap = p.integer("gap_seconds", defaults.gapMicros() / 1_000_000L, 1, 86_400) * 1_000_000L;
            final long minDestinations = p.integer("min_destinations", defaults.minDestinations(), 0, 1L << 32);
            final double minRate = p.decimal("min_rate", defaults.minRatePps(), 0, 1e12);
            final ScanEventDetector.Params params = new ScanEventDetector.Params(gap, minDestinations, minRate, defaults.classMask());
            final byte[] src = address(p, "src");
            final int limit = (int)p.integer("limit", 100, 1, 10_000);
            final String by = p.choice("by", "packets", "packets", "destinations", "start", "rate");
            final long darknet = scope.darknetAddresses();
            final List<ScanEvent> events = new ArrayList<>();
            final ScanEventDetector detector = new ScanEventDetector(params, darknet, events::add);
            final StringBuilder classes = new StringBuilder();
            for (final TrafficClass t : TrafficClass.values())
            {
                if ((defaults.classMask() & (1 << t.id())) != 0)
                {
                    classes.append(classes.length() == 0 ? "" : ", ").append(t.id());
                }
            }
            final String filter = scope.where("") + " AND class IN (" + classes + ")" + (src == null ? "" : " AND src = " + StoredAddress.PARAMETER);
            final String sql = "WITH k AS (SELECT src, protocol, port, class FROM flows WHERE " + filter + " GROUP BY ALL HAVING sum(destinations) >= ?)"
                + " SELECT epoch_us(f.bin_start), f.src, f.protocol, f.port, f.class, f.fingerprint, f.packets, epoch_us(f.first_ts), epoch_us(f.last_ts),"
                + " f.destinations, f.destination_sketch, f.sensor_id FROM flows f SEMI JOIN k ON f.src = k.src AND f.protocol = k.protocol"
                + " AND f.port = k.port AND f.class = k.class WHERE " + scope.where("f.") + " AND f.class IN (" + classes + ")"
                + (src == null ? "" : " AND f.src = " + StoredAddress.PARAMETER) + " ORDER BY f.bin_start";
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                int i = scope.bind(ps, 1);
                if (src != null)
                {
                    StoredAddress.bind(ps, i++, src);
                }
                ps.setLong(i++, minDestinations);
                i = scope.bind(ps, i);
                if (src != null)
                {
                    StoredAddress.bind(ps, i, src);
                }
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        detector.add(rs.getLong(1), StoredAddress.read(rs, 2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getLong(7), rs.getLong(8),
                            rs.getLong(9), rs.getLong(10), rs.getBytes(11), rs.getString(12));
                    }
                }
            }
            detector.finish();
            final Comparator<ScanEvent> order = switch (by)
            {
                case "destinations" -> Comparator.comparingLong(ScanEvent::destinations).reversed();
                case "start" -> Comparator.comparingLong(ScanEvent::startMicros);
                case "rate" -> Comparator.comparingDouble((ScanEvent e) -> Double.isNaN(e.rate()) ? -1 : e.rate()).reversed();
                default -> Comparator.comparingLong(ScanEvent::packets).reversed();
            };
            events.sort(order.thenComparingLong(ScanEvent::startMicros).thenComparing(ScanEvent::srcText).thenComparingInt(ScanEvent::protocol)
                .thenComparingInt(ScanEvent::port).thenComparingInt(ScanEvent::trafficClass));
            final List<ScanEvent> shown = events.subList(0, Math.min(limit, events.size()));
            final Map<String, String[]> geo = attribution(c, shown.stream().map(ScanEvent::src).toList());
            final List<Map<String, Object>> rows = new ArrayList<>();
            for (final ScanEvent e : shown)
            {
                final String[] g = geo.getOrDefault(e.srcText(), new String[2]);
                rows.add(Rows.row("src", e.srcText(), "country", g[0], "asn", g[1] == null ? null : Long.parseLong(g[1]),
                    "proto", Rows.protocolName(e.protocol()), "port", e.port(), "class", Rows.className(e.trafficClass()),
                    "start", Times.iso(e.startMicros()), "end", Times.iso(e.endMicros()), "seconds", Rows.round4((e.endMicros() - e.startMicros()) / 1e6),
                    "packets", e.packets(), "destinations", e.destinations(), "coverage", Double.isNaN(e.coverage()) ? null : Rows.round4(e.coverage()),
                    "rate", Double.isNaN(e.rate()) ? null : Rows.round4(e.rate()), "tool", e.tool() == null ? null : e.tool().key(),
                    "sensors", e.sensors()));
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("events", events.size());
            extra.put("gap_seconds", gap / 1_000_000L);
            extra.put("min_destinations", minDestinations);
            extra.put("min_rate", minRate);
            extra.put("darknet_addresses", darknet);
            extra.put("by", by);
            extra.put("limit", limit);
            return ctx.answer(c, scope, extra, rows);
        }
    }

    /** {@code /api/v1/events/dos}. */
    public Map<String, Object> dos(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, true);
            final DosAttackDetector.Params d = DosAttackDetector.Params.defaults();
            final long gap = p.integer("gap_seconds", d.gapMicros() / 1_000_000L, 1, 86_400) * 1_000_000L;
            final long minPackets = p.integer("min_packets", d.minPackets(), 0, Long.MAX_VALUE / 2);
            final long minSeconds = p.integer("min_seconds", d.minDurationMicros() / 1_000_000L, 0, 86_400 * 365L);
            final long minWindow = p.integer("min_window_packets", d.minWindowPackets(), 0, Long.MAX_VALUE / 2);
            final DosAttackDetector.Params params = new DosAttackDetector.Params(gap, minPackets, minSeconds * 1_000_000L, d.windowMicros(), minWindow);
            final byte[] victim = address(p, "victim");
            final int limit = (int)p.integer("limit", 100, 1, 10_000);
            final String by = p.choice("by", "packets", "packets", "start", "peak_rate", "duration");
            final List<DosAttack> attacks = new ArrayList<>();
            final DosAttackDetector detector = new DosAttackDetector(params, attacks::add);
            final String bs = " AND class = " + TrafficClass.BACKSCATTER.id();
            final String victimFilter = victim == null ? "" : " AND coalesce(victim, src) = " + StoredAddress.PARAMETER;
            final String sql = "WITH k AS (SELECT coalesce(victim, src) AS v, protocol FROM flows WHERE " + scope.where("") + bs + victimFilter
                + " GROUP BY ALL HAVING sum(packets) >= ?)"
                + " SELECT epoch_us(f.bin_start), f.src, f.protocol, f.port, f.class, f.victim, f.packets, epoch_us(f.first_ts), epoch_us(f.last_ts),"
                + " f.slot_packets, f.destination_prefixes, f.sensor_id FROM flows f SEMI JOIN k ON coalesce(f.victim, f.src) = k.v AND f.protocol = k.protocol"
                + " WHERE " + scope.where("f.") + bs.replace("class", "f.class") + victimFilter.replace("victim, src", "f.victim, f.src")
                + " ORDER BY f.bin_start";
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                int i = scope.bind(ps, 1);
                if (victim != null)
                {
                    StoredAddress.bind(ps, i++, victim);
                }
                ps.setLong(i++, minPackets);
                i = scope.bind(ps, i);
                if (victim != null)
                {
                    StoredAddress.bind(ps, i, victim);
                }
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        detector.add(rs.getLong(1), StoredAddress.read(rs, 2), rs.getInt(3), rs.getInt(4), rs.getInt(5), StoredAddress.read(rs, 6), rs.getLong(7), rs.getLong(8),
                            rs.getLong(9), rs.getBytes(10), rs.getBytes(11), rs.getString(12));
                    }
                }
            }
            detector.finish();
            final Comparator<DosAttack> order = switch (by)
            {
                case "start" -> Comparator.comparingLong(DosAttack::startMicros);
                case "peak_rate" -> Comparator.comparingDouble(DosAttack::peakRate).reversed();
                case "duration" -> Comparator.comparingLong((DosAttack a) -> a.endMicros() - a.startMicros()).reversed();
                default -> Comparator.comparingLong(DosAttack::packets).reversed();
            };
            attacks.sort(order.thenComparingLong(DosAttack::startMicros).thenComparing(DosAttack::victimText).thenComparingInt(DosAttack::protocol));
            final List<DosAttack> shown = attacks.subList(0, Math.min(limit, attacks.size()));
            final Map<String, String[]> geo = attribution(c, shown.stream().map(DosAttack::victim).toList());
            final List<Map<String, Object>> rows = new ArrayList<>();
            for (final DosAttack a : shown)
            {
                final String[] g = geo.getOrDefault(a.victimText(), new String[2]);
                rows.add(Rows.row("victim", a.victimText(), "country", g[0], "asn", g[1] == null ? null : Long.parseLong(g[1]),
                    "protocol", Rows.protocolName(a.protocol()), "start", Times.iso(a.startMicros()), "end", Times.iso(a.endMicros()),
                    "seconds", Rows.round4((a.endMicros() - a.startMicros()) / 1e6), "packets", a.packets(), "ports", a.ports(),
                    "attacker_slash16s", a.attackerSlash16(), "peak_window_packets", a.peakWindowPackets(), "peak_rate", Rows.round4(a.peakRate()),
                    "sensors", a.sensors()));
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("attacks", attacks.size());
            extra.put("gap_seconds", gap / 1_000_000L);
            extra.put("min_packets", minPackets);
            extra.put("min_seconds", minSeconds);
            extra.put("min_window_packets", minWindow);
            extra.put("by", by);
            extra.put("limit", limit);
            return ctx.answer(c, scope, extra, rows);
        }
    }

    /** Country and ASN (as text) of addresses that are stored sources, by address text. */
    private static Map<String, String[]> attribution(final Connection c, final List<byte[]> addresses) throws SQLException
    {
        final Map<String, String[]> out = new HashMap<>();
        if (addresses.isEmpty())
        {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT country, asn FROM sources WHERE src = " + StoredAddress.PARAMETER))
        {
            for (final byte[] a : addresses)
            {
                StoredAddress.bind(ps, 1, a);
                try (ResultSet rs = ps.executeQuery())
                {
                    if (rs.next())
                    {
                        final long asn = rs.getLong(2);
                        out.put(Addresses.toString(a), new String[] {rs.getString(1), rs.wasNull() ? null : Long.toString(asn)});
                    }
                }
            }
        }
        return out;
    }
}
