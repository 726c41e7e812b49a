package io.nightjar.sensor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nightjar.sensor.capture.CaptureDamage;
import io.nightjar.sensor.summary.EventSummary;
import io.nightjar.sensor.summary.RunSummary;
import io.nightjar.wire.events.DosAttack;
import io.nightjar.wire.events.ScanEvent;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.TrafficClass;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link RunSummary} as the JSON of {@code summarize --json} (keys documented in the
 * README) or as tables for people. Stateless.
 */
public final class SummaryReport
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryReport()
    {
    }

    /** The JSON object as ordered maps and lists. */
    public static Map<String, Object> toMap(
        final RunSummary s, final int topPorts, final long binNanos, final List<CaptureDamage> damage, final long elapsedNanos)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", s.packets());
        m.put("bytes", s.bytes());
        m.put("malformed", s.classPackets(TrafficClass.MALFORMED));
        m.put("non_ip", s.classPackets(TrafficClass.NON_IP));
        m.put("first_ts", seconds(s.firstNanos()));
        m.put("last_ts", seconds(s.lastNanos()));
        m.put("first_time", s.firstNanos() < 0 ? null : Instant.ofEpochSecond(0, s.firstNanos()).toString());
        m.put("last_time", s.lastNanos() < 0 ? null : Instant.ofEpochSecond(0, s.lastNanos()).toString());
        m.put("ipv4", s.ipv4());
        m.put("ipv6", s.ipv6());
        final Map<String, Object> classes = new LinkedHashMap<>();
        final Map<String, Object> classBytes = new LinkedHashMap<>();
        for (final TrafficClass c : TrafficClass.values())
        {
            if (c.isIp())
            {
                classes.put(c.key(), s.classPackets(c));
                classBytes.put(c.key(), s.classBytes(c));
            }
        }
        m.put("classes", classes);
        m.put("class_bytes", classBytes);
        m.put("non_darknet", Map.of("packets", s.nonDarknetPackets(), "bytes", s.nonDarknetBytes()));
        m.put("distinct_sources", s.distinctSources());
        final List<Map<String, Object>> ports = new ArrayList<>();
        for (final RunSummary.PortStat p : s.topPorts(topPorts))
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("proto", p.proto());
            row.put("port", p.port());
            row.put("packets", p.packets());
            row.put("sources", p.sources());
            ports.add(row);
        }
        m.put("top_ports", ports);
        final List<Map<String, Object>> scanners = new ArrayList<>();
        for (final RunSummary.ScannerStat sc : s.scanners())
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("src", sc.src());
            row.put("tool", sc.tool());
            row.put("packets", sc.packets());
            row.put("scope_packets", sc.scopePackets());
            scanners.add(row);
        }
        m.put("scanners", scanners);
        final Map<String, Object> anomalies = new LinkedHashMap<>();
        for (final Anomaly a : Anomaly.values())
        {
            anomalies.put(a.key(), s.anomaly(a));
        }
        m.put("anomalies", anomalies);
        m.put("flows", s.flows());
        m.put("bins", s.bins());
        m.put("capture_received", s.captureReceived());
        m.put("capture_kernel_drops", s.captureKernelDrops());
        m.put("capture_interface_drops", s.captureInterfaceDrops());
        m.put("capture_ring_drops", s.captureRingDrops());
        m.put("capture_drops", s.captureDrops());
        m.put("bin_seconds", binNanos / 1e9);
        final List<Map<String, Object>> damaged = new ArrayList<>();
        for (final CaptureDamage d : damage)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("file", d.file());
            row.put("byte_offset", d.byteOffset());
            row.put("packets_before", d.packetsBefore());
            row.put("reason", d.reason());
            damaged.add(row);
        }
        m.put("damaged_files", damaged);
        final EventSummary events = s.events();
        if (events != null)
        {
            events.finish();
            m.put("darknet_ipv4_addresses", events.darknetIpv4Addresses());
            m.put("scan_events", scanEvents(events.scanEvents()));
            m.put("dos_attacks", dosAttacks(events.dosAttacks()));
        }
        m.put("elapsed_seconds", elapsedNanos / 1e9);
        return m;
    }

    private static List<Map<String, Object>> scanEvents(final List<ScanEvent> events)
    {
        final List<Map<String, Object>> out = new ArrayList<>(events.size());
        for (final ScanEvent e : events)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("src", e.srcText());
            row.put("proto", protocolName(e.protocol()));
            row.put("port", e.port());
            row.put("class", e.trafficClassEnum().key());
            row.put("start", seconds(e.startMicros() * 1000));
            row.put("end", seconds(e.endMicros() * 1000));
            row.put("start_time", Instant.ofEpochSecond(0, e.startMicros() * 1000).toString());
            row.put("end_time", Instant.ofEpochSecond(0, e.endMicros() * 1000).toString());
            row.put("packets", e.packets());
            row.put("destinations", e.destinations());
            row.put("coverage", finite(e.coverage()));
            row.put("tool", e.tool() == null ? null : e.tool().key());
            row.put("rate", finite(e.rate()));
            row.put("sensors", e.sensors());
            out.add(row);
        }
        return out;
    }

    private static List<Map<String, Object>> dosAttacks(final List<DosAttack> attacks)
    {
        final List<Map<String, Object>> out = new ArrayList<>(attacks.size());
        for (final DosAttack a : attacks)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("victim", a.victimText());
            row.put("proto", protocolName(a.protocol()));
            row.put("start", seconds(a.startMicros() * 1000));
            row.put("end", seconds(a.endMicros() * 1000));
            row.put("start_time", Instant.ofEpochSecond(0, a.startMicros() * 1000).toString());
            row.put("end_time", Instant.ofEpochSecond(0, a.endMicros() * 1000).toString());
            row.put("packets", a.packets());
            row.put("ports", a.ports());
            row.put("attacker_slash16", a.attackerSlash16());
            row.put("peak_window_packets", a.peakWindowPackets());
            row.put("peak_rate", a.peakRate());
            row.put("sensors", a.sensors());
            out.add(row);
        }
        return out;
    }

    private static Double finite(final double v)
    {
        return Double.isFinite(v) ? v : null;
    }

    /** "tcp", "udp", "icmp", "icmpv6", or the protocol number. */
    static String protocolName(final int protocol)
    {
        return switch (protocol)
        {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> Integer.toString(protocol);
        };
    }

    private static Object seconds(final long nanos)
    {
        if (nanos < 0)
        {
            return null;
        }
        return new BigDecimal(nanos).movePointLeft(9).stripTrailingZeros();
    }

    /**
     * Loads and links the JSON writer (Jackson's classes and serializers for the value types this
     * report uses) by writing a small sample to nowhere. {@code summarize --json} runs it on a
     * spare thread while the capture is read, so that the report at the end does not pay for it
     * (~60 ms); safe to call from any thread, any number of times.
     */
    public static void warmUpJson()
    {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("proto", "tcp");
        row.put("port", 23);
        row.put("packets", 1L);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", 1L);
        m.put("first_ts", seconds(1_000_000_001L));
        m.put("first_time", "1970-01-01T00:00:01.000000001Z");
        m.put("none", null);
        m.put("classes", Map.of("tcp_scan", 1L));
        m.put("top_ports", List.of(row));
        m.put("elapsed_seconds", 0.5);
        try
        {
            JSON.writeValueAsString(m);
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes the JSON. */
    public static void printJson(final Map<String, Object> map, final PrintStream out)
    {
        try
        {
            out.println(JSON.writeValueAsString(map));
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes tables for people. */
    @SuppressWarnings("unchecked")
    public static void printTables(final Map<String, Object> m, final PrintStream out)
    {
        out.printf("Packets %,d  bytes %,d  (IPv4 %,d, IPv6 %,d)%n", m.get("packets"), m.get("bytes"), m.get("ipv4"), m.get("ipv6"));
        out.printf("Time    %s .. %s%n", m.get("first_time"), m.get("last_time"));
        out.printf("Sources %,d distinct   flow records %,d in %,d bins of %ss%n%n",
            m.get("distinct_sources"), m.get("flows"), m.get("bins"), m.get("bin_seconds"));
        out.println("Class            packets          bytes");
        final Map<String, Object> classes = (Map<String, Object>)m.get("classes");
        final Map<String, Object> bytes = (Map<String, Object>)m.get("class_bytes");
        for (final Map.Entry<String, Object> e : classes.entrySet())
        {
            out.printf("%-12s %,12d %,14d%n", e.getKey(), e.getValue(), bytes.get(e.getKey()));
        }
        out.printf("%-12s %,12d%n", "malformed", m.get("malformed"));
        out.printf("%-12s %,12d%n", "non_ip", m.get("non_ip"));
        final Map<String, Object> nonDark = (Map<String, Object>)m.get("non_darknet");
        if (((Number)nonDark.get("packets")).longValue() > 0)
        {
            out.printf("%-12s %,12d %,14d%n", "non_darknet", nonDark.get("packets"), nonDark.get("bytes"));
        }
        out.println();
        out.println("Top ports (tcp_scan + udp_probe)");
        out.println("  #  proto  port      packets   sources");
        int rank = 0;
        for (final Map<String, Object> p : (List<Map<String, Object>>)m.get("top_ports"))
        {
            out.printf("%3d  %-5s %5d %,12d %,9d%n", ++rank, p.get("proto"), p.get("port"), p.get("packets"), p.get("sources"));
        }
        final List<Map<String, Object>> scanners = (List<Map<String, Object>>)m.get("scanners");
        out.println();
        out.printf("Scanner tools (%d sources attributed)%n", scanners.size());
        int shown = 0;
        for (final Map<String, Object> sc : scanners)
        {
            if (shown++ == 20)
            {
                out.printf("  ... %d more (see --json)%n", scanners.size() - 20);
                break;
            }
            out.printf("  %-40s %-8s %,10d packets%n", sc.get("src"), sc.get("tool"), sc.get("packets"));
        }
        final Map<String, Object> anomalies = (Map<String, Object>)m.get("anomalies");
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<String, Object> e : anomalies.entrySet())
        {
            if (((Number)e.getValue()).longValue() > 0)
            {
                sb.append(String.format("  %-32s %,d%n", e.getKey(), e.getValue()));
            }
        }
        if (sb.length() > 0)
        {
            out.println();
            out.println("Anomalies");
            out.print(sb);
        }
        final List<Map<String, Object>> scanEvents = (List<Map<String, Object>>)m.get("scan_events");
        if (scanEvents != null)
        {
            out.println();
            out.printf("Scan events (%d: >= 10 destinations, >= 10 packets/s scaled to IPv4, ended by > 624 s without a packet)%n", scanEvents.size());
            if (!scanEvents.isEmpty())
            {
                out.println("  src                                      proto  port  class           packets  dests  rate/s (global)  tool");
            }
            int n = 0;
            for (final Map<String, Object> e : scanEvents)
            {
                if (n++ == 20)
                {
                    out.printf("  ... %d more (see --json)%n", scanEvents.size() - 20);
                    break;
                }
                final Object rate = e.get("rate");
                out.printf("  %-40s %-6s %5s  %-12s %,10d %6d  %15s  %s%n", e.get("src"), e.get("proto"), e.get("port"), e.get("class"),
                    e.get("packets"), e.get("destinations"), rate == null ? "-" : String.format("%,.0f", (Double)rate),
                    e.get("tool") == null ? "" : e.get("tool"));
            }
        }
        final List<Map<String, Object>> attacks = (List<Map<String, Object>>)m.get("dos_attacks");
        if (attacks != null)
        {
            out.println();
            out.printf("DoS attacks from backscatter (%d: >= 25 packets, >= 60 s, >= 30 packets in a 60-s window, ended by > 300 s without a packet)%n",
                attacks.size());
            if (!attacks.isEmpty())
            {
                out.println("  victim                                   proto      packets  duration s  ports  /16s  peak pps");
            }
            int n = 0;
            for (final Map<String, Object> a : attacks)
            {
                if (n++ == 20)
                {
                    out.printf("  ... %d more (see --json)%n", attacks.size() - 20);
                    break;
                }
                final double duration = ((BigDecimal)a.get("end")).subtract((BigDecimal)a.get("start")).doubleValue();
                out.printf("  %-40s %-6s %,12d %11.0f %6d %5d %9.2f%n", a.get("victim"), a.get("proto"), a.get("packets"), duration,
                    a.get("ports"), a.get("attacker_slash16"), a.get("peak_rate"));
            }
        }
        for (final Map<String, Object> d : (List<Map<String, Object>>)m.get("damaged_files"))
        {
            out.printf("%nDamaged: %s at byte %s after %s packets: %s%n", d.get("file"), d.get("byte_offset"), d.get("packets_before"), d.get("reason"));
        }
    }
}
