package io.nightjar.sensor.summary;

import io.nightjar.sensor.collections.AddressIndex;
import io.nightjar.sensor.collections.DistinctLongLog;
import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Adds up closed bins into the totals that {@code nightjar summarize} prints: packets and bytes per
 * class, anomalies, distinct sources, top scanned ports with their distinct sources, and scanner
 * tools attributed per source. Everything is exact. Works from bins and flow records only (never
 * per packet), so it costs nothing on the per-packet path.
 *
 * <p>Threads: either the pipeline's thread calls {@link #onBinClosed}, or a {@link SummaryAgent}
 * counts the bins (the totals on the pipeline's thread and the events on the agent's, or both on the
 * agent's when there is no event detection); read the results after the run (after
 * {@link SummaryAgent#close()}).
 */
public final class RunSummary implements BinListener
{
    private static final int TOOLS = ScannerTool.all().length;

    private final long[] classPackets = new long[TrafficClass.COUNT];
    private final long[] classBytes = new long[TrafficClass.COUNT];
    private final long[] anomalies = new long[Anomaly.COUNT];
    private long nonDarknetPackets;
    private long nonDarknetBytes;
    private long ipv4;
    private long ipv6;
    private long captureDrops;
    private long captureReceived;
    private long captureKernelDrops;
    private long captureInterfaceDrops;
    private long captureRingDrops;
    private long firstNanos = Long.MAX_VALUE;
    private long lastNanos = Long.MIN_VALUE;
    private long flows;
    private long bins;

    private final AddressIndex sources = new AddressIndex(1 << 16);
    private long[] scope = new long[(1 << 16) * TOOLS];
    private long[] matching = new long[(1 << 16) * TOOLS];
    private final long[] tcpPortPackets = new long[65536];
    private final long[] udpPortPackets = new long[65536];
    private final long[] tcpPortSources = new long[65536];
    private final long[] udpPortSources = new long[65536];
    // (source index, udp, port) of every scan flow, deduplicated when the top ports are read: a
    // sequential append per flow instead of a random probe of a run-long hash set
    private final DistinctLongLog sourcePorts = new DistinctLongLog(1 << 20, 1 << 29);
    private boolean portSourcesCounted;
    private final BinSnapshot direct = new BinSnapshot();
    private final EventSummary events;

    /** A summary without event detection. */
    public RunSummary()
    {
        this(null);
    }

    /** A summary that also feeds every bin to {@code events} (null: none). */
    public RunSummary(final EventSummary events)
    {
        this.events = events;
    }

    @Override
    public void onBinClosed(final long binStartNanos, final long binLengthNanos, final BinCounters c, final FlowTable t)
    {
        copy(direct, binStartNanos, binLengthNanos, c, t);
        add(direct);
    }

    /** Copies a closed bin into {@code b} with what this summary needs (on the pipeline's thread). */
    void copy(final BinSnapshot b, final long binStartNanos, final long binLengthNanos, final BinCounters c, final FlowTable t)
    {
        b.copyOf(binStartNanos, binLengthNanos, c, t, events != null, events == null ? 0 : events.scanClassMask());
    }

    /** The event detection, or null. */
    public EventSummary events()
    {
        return events;
    }

    /** Adds a closed bin copied by {@link BinSnapshot#copyOf}: {@link #addTotals}, then {@link #addEvents}. */
    void add(final BinSnapshot b)
    {
        addTotals(b);
        addEvents(b);
    }

    /**
     * Adds a closed bin to everything but the event detection (counters, sources, ports, tools).
     * One thread for all calls; it may be another than {@link #addEvents}'s (the two write disjoint state).
     */
    void addTotals(final BinSnapshot b)
    {
        final BinCounters c = b.counters;
        bins++;
        for (int i = 0; i < TrafficClass.COUNT; i++)
        {
            classPackets[i] += c.classPackets[i];
            classBytes[i] += c.classBytes[i];
        }
        for (int i = 0; i < Anomaly.COUNT; i++)
        {
            anomalies[i] += c.anomalies[i];
        }
        nonDarknetPackets += c.nonDarknetPackets;
        nonDarknetBytes += c.nonDarknetBytes;
        ipv4 += c.ipv4Packets;
        ipv6 += c.ipv6Packets;
        captureDrops += c.captureDrops;
        captureReceived += c.captureReceived;
        captureKernelDrops += c.captureKernelDrops;
        captureInterfaceDrops += c.captureInterfaceDrops;
        captureRingDrops += c.captureRingDrops;
        if (c.packets > 0)
        {
            firstNanos = Math.min(firstNanos, c.firstNanos);
            lastNanos = Math.max(lastNanos, c.lastNanos);
        }
        final int n = b.flows;
        flows += n;
        final int tcpScan = TrafficClass.TCP_SCAN.id();
        final int udpProbe = TrafficClass.UDP_PROBE.id();
        final ScannerTool[] tools = ScannerTool.all();
        for (int f = 0; f < n; f++)
        {
            final long hi = b.srcHi[f];
            final long lo = b.srcLo[f];
            final int src = sources.indexOf(hi, lo);
            final int key = b.classFingerprintPort[f];
            final int cls = key >>> 24;
            final long packets = b.packets[f];
            if (cls == tcpScan || cls == udpProbe)
            {
                final int port = key & 0xffff;
                final boolean udp = cls == udpProbe;
                (udp ? udpPortPackets : tcpPortPackets)[port] += packets;
                sourcePorts.add(((long)src << 17) | (udp ? 1L << 16 : 0) | port);
                portSourcesCounted = false;
            }
            final boolean v4 = Addresses.isIpv4Mapped(hi, lo);
            final int fingerprint = (key >>> 16) & 0xff;
            for (int k = 0; k < TOOLS; k++)
            {
                if (tools[k].inScope(cls, v4))
                {
                    ensureToolCapacity(src);
                    scope[src * TOOLS + k] += packets;
                    if ((fingerprint & tools[k].bit()) != 0)
                    {
                        matching[src * TOOLS + k] += packets;
                    }
                }
            }
        }
        // keep the final sort at the end of the run short
        sourcePorts.compactIfWorthwhile();
    }

    /** Feeds a closed bin to the event detection, if any (one thread for all calls). */
    void addEvents(final BinSnapshot b)
    {
        if (events != null && b.withEvents)
        {
            events.add(b);
        }
    }

    private void ensureToolCapacity(final int src)
    {
        if ((src + 1) * TOOLS > scope.length)
        {
            final int length = Math.max(scope.length * 2, (src + 1) * TOOLS);
            scope = Arrays.copyOf(scope, length);
            matching = Arrays.copyOf(matching, length);
        }
    }

    /** One row of the top-ports table. */
    public record PortStat(String proto, int port, long packets, long sources)
    {
    }

    /** One attributed scanner source. */
    public record ScannerStat(String src, String tool, long packets, long scopePackets)
    {
    }

    private void countPortSources()
    {
        if (portSourcesCounted)
        {
            return;
        }
        Arrays.fill(tcpPortSources, 0);
        Arrays.fill(udpPortSources, 0);
        final int n = sourcePorts.compact();
        final long[] pairs = sourcePorts.values();
        for (int i = 0; i < n; i++)
        {
            final long pair = pairs[i];
            ((pair & (1L << 16)) != 0 ? udpPortSources : tcpPortSources)[(int)pair & 0xffff]++;
        }
        portSourcesCounted = true;
    }

    /** Ports by packets over tcp_scan and udp_probe, most first (ties: tcp before udp, lower port first). */
    public List<PortStat> topPorts(final int limit)
    {
        countPortSources();
        // the best `limit` entries (udp << 16 | port) kept in order by insertion: one comparison per
        // scanned port for most of the 131,072 (sorting them all with a comparator of records took
        // 20 ms of the single-threaded end of a 10M-packet summarize)
        final int keep = Math.max(0, Math.min(limit, 2 * 65536));
        final int[] best = new int[keep];
        int n = 0;
        for (int e = 0; e < 2 * 65536 && keep > 0; e++)
        {
            // entry order (tcp ports, then udp ports, each ascending) is the tie order, so a later entry
            // goes before an earlier one only with strictly more packets
            final long packets = packetsOf(e);
            if (packets == 0 || (n == keep && packets <= packetsOf(best[n - 1])))
            {
                continue;
            }
            int w = n < keep ? n++ : n - 1;
            while (w > 0 && packetsOf(best[w - 1]) < packets)
            {
                best[w] = best[w - 1];
                w--;
            }
            best[w] = e;
        }
        final List<PortStat> top = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final int e = best[i];
            final int port = e & 0xffff;
            final boolean udp = e >= 65536;
            top.add(new PortStat(udp ? "udp" : "tcp", port, packetsOf(e), (udp ? udpPortSources : tcpPortSources)[port]));
        }
        return top;
    }

    /** Packets of entry {@code e} of {@link #topPorts}: tcp port e, or udp port e - 65536. */
    private long packetsOf(final int e)
    {
        return e < 65536 ? tcpPortPackets[e] : udpPortPackets[e - 65536];
    }

    /** Sources attributed to a tool (at least 10 matching packets in the rule's scope and at least 90% of them). */
    public List<ScannerStat> scanners()
    {
        final List<ScannerStat> out = new ArrayList<>();
        final ScannerTool[] tools = ScannerTool.all();
        final int n = Math.min(sources.size(), scope.length / TOOLS);
        for (int s = 0; s < n; s++)
        {
            for (int k = 0; k < TOOLS; k++)
            {
                final long m = matching[s * TOOLS + k];
                if (m > 0 && ScannerTool.attributes(m, scope[s * TOOLS + k]))
                {
                    out.add(new ScannerStat(Addresses.toString(sources.hi(s), sources.lo(s)), tools[k].key(), m, scope[s * TOOLS + k]));
                }
            }
        }
        out.sort(Comparator.comparingLong(ScannerStat::packets).reversed().thenComparing(ScannerStat::src));
        return out;
    }

    /** All packets. */
    public long packets()
    {
        long n = nonDarknetPackets;
        for (final long p : classPackets)
        {
            n += p;
        }
        return n;
    }

    /** All wire bytes. */
    public long bytes()
    {
        long n = nonDarknetBytes;
        for (final long p : classBytes)
        {
            n += p;
        }
        return n;
    }

    /** Packets of a class. */
    public long classPackets(final TrafficClass c)
    {
        return classPackets[c.id()];
    }

    /** Wire bytes of a class. */
    public long classBytes(final TrafficClass c)
    {
        return classBytes[c.id()];
    }

    /** Count of an anomaly. */
    public long anomaly(final Anomaly a)
    {
        return anomalies[a.id()];
    }

    /** Distinct source addresses of darknet IP traffic. */
    public long distinctSources()
    {
        return sources.size();
    }

    /** Packets to destinations outside the darknet. */
    public long nonDarknetPackets()
    {
        return nonDarknetPackets;
    }

    /** Their bytes. */
    public long nonDarknetBytes()
    {
        return nonDarknetBytes;
    }

    /** Packets with an IPv4 header. */
    public long ipv4()
    {
        return ipv4;
    }

    /** Packets with an IPv6 header. */
    public long ipv6()
    {
        return ipv6;
    }

    /** Capture drops (kernel, interface and ring) over the bins. */
    public long captureDrops()
    {
        return captureDrops;
    }

    /** Live capture: libpcap ps_recv over the bins (0 for capture files). */
    public long captureReceived()
    {
        return captureReceived;
    }

    /** Live capture: libpcap ps_drop over the bins. */
    public long captureKernelDrops()
    {
        return captureKernelDrops;
    }

    /** Live capture: libpcap ps_ifdrop over the bins. */
    public long captureInterfaceDrops()
    {
        return captureInterfaceDrops;
    }

    /** Live capture: hand-over ring drops over the bins. */
    public long captureRingDrops()
    {
        return captureRingDrops;
    }

    /** First packet time, ns, or -1 if there was no packet. */
    public long firstNanos()
    {
        return bins == 0 ? -1 : firstNanos;
    }

    /** Last packet time, ns, or -1. */
    public long lastNanos()
    {
        return bins == 0 ? -1 : lastNanos;
    }

    /** Flow records emitted. */
    public long flows()
    {
        return flows;
    }

    /** Bins closed. */
    public long bins()
    {
        return bins;
    }
}
