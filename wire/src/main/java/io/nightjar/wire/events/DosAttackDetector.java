package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.BackscatterDetail;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Infers randomly spoofed DoS attacks from backscatter flow records, as CAIDA's RSDoS attack
 * vectors and Moore et al., "Inferring Internet Denial-of-Service Activity" (ACM TOCS 24(2), 2006)
 * define them:
 * <ul>
 *   <li><b>victim</b>: the source of the backscatter, except for ICMP errors quoting a packet, whose
 *       victim is the quoted destination (the record's {@code victim}, IPv4 or IPv6).</li>
 *   <li><b>key</b>: (victim, protocol of the backscatter record). Only
 *       {@link TrafficClass#BACKSCATTER} records are considered.</li>
 *   <li><b>end</b>: an attack ends when more than {@link Params#gapMicros} (300 s) pass without a
 *       packet: a record whose first packet is more than 300 s after the attack's last starts a new
 *       attack; exactly 300 s continues it (the same rule as {@link ScanEventDetector}).</li>
 *   <li><b>thresholds</b>: at least {@link Params#minPackets} (25) packets, a duration
 *       {@code last − first} of at least {@link Params#minDurationMicros} (60 s), and at least
 *       {@link Params#minWindowPackets} (30) packets in some window of {@link Params#windowMicros}
 *       (60 s) starting at a multiple of 10 s (windows slide by 10 s, the records' slot length,
 *       {@link BackscatterDetail}), windows may straddle bins and sensors.</li>
 * </ul>
 * Reported per attack: victim, protocol, start, end, packets, distinct victim ports (TCP/UDP: the
 * records' {@code port} is the victim's source port), distinct attacker /16s (the union of the
 * records' destination-prefix sketches), peak rate (the largest window's packets / window length)
 * and the sensors. A record without slot packets (bin not a multiple of 10 s, or an old layout) counts
 * all its packets in the slot of its first packet.
 *
 * <p>Input: records in non-decreasing bin order, the records of one bin (from any number of sensors,
 * with any bin lengths that are multiples of 10 s) in any order; records of the same key in the same
 * bin are merged first. Finished attacks go to the sink (see {@link ScanEventDetector} for when).
 *
 * <p>Single-threaded: one thread feeds a detector and receives its attacks.
 */
public final class DosAttackDetector
{
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    /**
     * The detector's thresholds.
     *
     * @param gapMicros         an attack ends when more than this passes without a packet, µs (300 s).
     * @param minPackets        fewest packets of a reported attack (25).
     * @param minDurationMicros shortest {@code last − first} of a reported attack, µs (60 s).
     * @param windowMicros      window length, a positive multiple of 10 s, µs (60 s).
     * @param minWindowPackets  fewest packets in the attack's largest window (30).
     */
    public record Params(long gapMicros, long minPackets, long minDurationMicros, long windowMicros, long minWindowPackets)
    {
        /** 300 s. */
        public static final long DEFAULT_GAP_MICROS = 300_000_000L;
        /** 25 packets. */
        public static final long DEFAULT_MIN_PACKETS = 25;
        /** 60 s. */
        public static final long DEFAULT_MIN_DURATION_MICROS = 60_000_000L;
        /** 60 s. */
        public static final long DEFAULT_WINDOW_MICROS = 60_000_000L;
        /** 30 packets. */
        public static final long DEFAULT_MIN_WINDOW_PACKETS = 30;

        /** Validates. */
        public Params
        {
            if (gapMicros <= 0 || minPackets < 0 || minDurationMicros < 0 || minWindowPackets < 0
                || windowMicros <= 0 || windowMicros % BackscatterDetail.SLOT_MICROS != 0)
            {
                throw new IllegalArgumentException("DoS thresholds: gap positive, minima non-negative, window a positive multiple of 10 s: "
                    + gapMicros + ", " + minPackets + ", " + minDurationMicros + ", " + windowMicros + ", " + minWindowPackets);
            }
        }

        /** Moore et al. / CAIDA RSDoS: 300 s, 25 packets, 60 s, 30 packets in 60 s. */
        public static Params defaults()
        {
            return new Params(DEFAULT_GAP_MICROS, DEFAULT_MIN_PACKETS, DEFAULT_MIN_DURATION_MICROS, DEFAULT_WINDOW_MICROS,
                DEFAULT_MIN_WINDOW_PACKETS);
        }
    }

    private record Key(long hi, long lo, int protocol)
    {
    }

    /** An open attack, or the records of one key in the current bin. */
    private static final class Acc extends ExpiryBuckets.Node
    {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long packets;
        final Set<Integer> ports = new HashSet<>();
        final DistinctSketch prefixes = new DistinctSketch();
        /** Packets per absolute slot (µs / 10 s) not yet settled, plus the window's tail. */
        final TreeMap<Long, Long> slots = new TreeMap<>();
        /** Slots below this are settled: every window ending there is counted. */
        long settledTo = Long.MIN_VALUE;
        long peakWindow;
        final SensorSet sensors = new SensorSet();

        // while open: its key (its place among the expiry buckets, by its last packet, is in the Node fields)
        Key key;

        void merge(final Acc o)
        {
            first = Math.min(first, o.first);
            last = Math.max(last, o.last);
            packets += o.packets;
            ports.addAll(o.ports);
            prefixes.merge(o.prefixes);
            o.slots.forEach((s, n) -> slots.merge(s, n, Long::sum));
            sensors.addAll(o.sensors);
        }

        /** Counts the windows ending at slots below {@code to}, then forgets slots no later window needs. */
        void settle(final long to, final int windowSlots)
        {
            final long from = settledTo == Long.MIN_VALUE ? Long.MIN_VALUE : settledTo;
            for (final Map.Entry<Long, Long> e : slots.subMap(from, true, to, false).entrySet())
            {
                // windows [s - w + 1, s] for each slot s with packets; any other window holds no more than one of these
                final long s = e.getKey();
                long sum = 0;
                for (final long n : slots.subMap(s - windowSlots + 1, true, s, true).values())
                {
                    sum += n;
                }
                peakWindow = Math.max(peakWindow, sum);
            }
            settledTo = Math.max(settledTo, to);
            if (to != Long.MAX_VALUE)
            {
                slots.headMap(to - windowSlots + 1, false).clear();
            }
        }
    }

    private final Params params;
    private final int windowSlots;
    private final Consumer<DosAttack> sink;
    private final Map<Key, Acc> open = new HashMap<>();
    private final Map<Key, Acc> pending = new HashMap<>();
    private long bin = Long.MIN_VALUE;
    private long lastSweep = Long.MIN_VALUE;
    /** Open attacks by the bucket of their last packet (each in exactly one, its {@link Acc#bucket}). */
    private final ExpiryBuckets<Acc> buckets;

    /**
     * @param params thresholds.
     * @param sink   receives every finished attack that passes the thresholds, on the feeding thread.
     */
    public DosAttackDetector(final Params params, final Consumer<DosAttack> sink)
    {
        this.params = Objects.requireNonNull(params, "params");
        this.windowSlots = (int)(params.windowMicros() / BackscatterDetail.SLOT_MICROS);
        this.sink = Objects.requireNonNull(sink, "sink");
        this.buckets = new ExpiryBuckets<>(params.gapMicros() / 8);
    }

    /** Adds one flow record (ignored unless it is backscatter). */
    public void add(final FlowRecord r, final String sensorId)
    {
        final byte[] v = r.victim();
        add(r.binStartMicros(), Addresses.hi(r.src()), Addresses.lo(r.src()), r.protocol(), r.port(), r.trafficClass(),
            v != null, v != null ? Addresses.hi(v) : 0, v != null ? Addresses.lo(v) : 0, r.packets(), r.firstMicros(), r.lastMicros(),
            r.slotPackets(), r.destinationPrefixes(), sensorId);
    }

    /**
     * Adds one flow record given as its columns, addresses as their 16 stored bytes (IPv4-mapped for
     * IPv4); {@code victim16} null when the record has none: see
     * {@link #add(long, long, long, int, int, int, boolean, long, long, long, long, long, byte[], byte[], String)}.
     */
    public void add(
        final long binStartMicros, final byte[] src16, final int protocol, final int port, final int trafficClass,
        final byte[] victim16, final long packets, final long firstMicros, final long lastMicros, final byte[] slotPackets,
        final byte[] destinationPrefixes, final String sensorId)
    {
        add(binStartMicros, Addresses.hi(src16), Addresses.lo(src16), protocol, port, trafficClass, victim16 != null,
            victim16 != null ? Addresses.hi(victim16) : 0, victim16 != null ? Addresses.lo(victim16) : 0, packets, firstMicros,
            lastMicros, slotPackets, destinationPrefixes, sensorId);
    }

    /**
     * Adds one flow record given as its columns (as the aggregator reads them from its store).
     *
     * @param binStartMicros      the record's bin start, µs; non-decreasing from call to call.
     * @param srcHi               source address, high 64 bits ({@link Addresses#hi}).
     * @param srcLo               source address, low 64 bits.
     * @param protocol            IP protocol.
     * @param port                the record's port (TCP/UDP backscatter: the victim's source port).
     * @param trafficClass        {@link TrafficClass#id()}; anything but backscatter is ignored.
     * @param hasVictim           whether the record has a {@code victim} (ICMP error quoting a packet).
     * @param victimHi            the victim's high 64 bits (if {@code hasVictim}).
     * @param victimLo            the victim's low 64 bits.
     * @param packets             packets.
     * @param firstMicros         first packet, µs.
     * @param lastMicros          last packet, µs.
     * @param slotPackets         serialised slot packets ({@link BackscatterDetail}), or null.
     * @param destinationPrefixes serialised {@link DistinctSketch} of destination prefixes, or null.
     * @param sensorId            the sensor's id, or null.
     * @throws IllegalArgumentException if the bin is earlier than a previous record's, or detail is corrupt.
     */
    public void add(
        final long binStartMicros, final long srcHi, final long srcLo, final int protocol, final int port, final int trafficClass,
        final boolean hasVictim, final long victimHi, final long victimLo, final long packets, final long firstMicros,
        final long lastMicros, final byte[] slotPackets, final byte[] destinationPrefixes, final String sensorId)
    {
        if (binStartMicros < bin)
        {
            throw new IllegalArgumentException("records out of bin order: bin " + binStartMicros + " after bin " + bin);
        }
        if (binStartMicros > bin)
        {
            flushPending();
            bin = binStartMicros;
            sweep(binStartMicros);
        }
        if (trafficClass != TrafficClass.BACKSCATTER.id() || packets <= 0)
        {
            return;
        }
        final Key k = hasVictim ? new Key(victimHi, victimLo, protocol) : new Key(srcHi, srcLo, protocol);
        final Acc a = pending.computeIfAbsent(k, x -> new Acc());
        a.first = Math.min(a.first, firstMicros);
        a.last = Math.max(a.last, lastMicros);
        a.packets += packets;
        if (protocol == PROTO_TCP || protocol == PROTO_UDP)
        {
            a.ports.add(port);
        }
        if (destinationPrefixes != null)
        {
            a.prefixes.merge(DistinctSketch.fromBytes(destinationPrefixes));
        }
        final long firstSlot = Math.floorDiv(binStartMicros, BackscatterDetail.SLOT_MICROS);
        if (slotPackets != null)
        {
            final int n = BackscatterDetail.slotCount(slotPackets);
            for (int i = 0; i < n; i++)
            {
                final int c = BackscatterDetail.slot(slotPackets, i);
                if (c != 0)
                {
                    a.slots.merge(firstSlot + i, (long)c, Long::sum);
                }
            }
        }
        else
        {
            // no sub-bin detail: every packet in the slot of the first one
            a.slots.merge(Math.max(firstSlot, Math.floorDiv(firstMicros, BackscatterDetail.SLOT_MICROS)), packets, Long::sum);
        }
        if (sensorId != null)
        {
            a.sensors.add(sensorId);
        }
    }

    private void flushPending()
    {
        if (pending.isEmpty())
        {
            return;
        }
        final List<DosAttack> finished = new ArrayList<>();
        // records from the next bin on have slots from the pending bin's first slot on: windows ending before are final
        final long settled = Math.floorDiv(bin, BackscatterDetail.SLOT_MICROS);
        for (final Map.Entry<Key, Acc> e : pending.entrySet())
        {
            final Acc o = open.get(e.getKey());
            final Acc p = e.getValue();
            final Acc a;
            if (o == null)
            {
                open.put(e.getKey(), p);
                a = p;
            }
            else if (p.first - o.last > params.gapMicros())
            {
                close(e.getKey(), o, finished);
                buckets.remove(o);
                open.put(e.getKey(), p);
                a = p;
            }
            else
            {
                o.merge(p);
                a = o;
            }
            a.key = e.getKey();
            buckets.place(a, a.last);
            // bounds the slots kept; when this runs does not change the peak (each slot's windows are counted once, when final)
            if (a.slots.size() > 4 * windowSlots)
            {
                a.settle(settled, windowSlots);
            }
        }
        pending.clear();
        emit(finished);
    }

    /**
     * Reports the open attacks that no record from {@code nowMicros} on can continue: on
     * {@link #advanceTo}, and at most every eighth of the gap of data time otherwise. Only the
     * buckets that began more than the gap ago are visited, not every open attack.
     */
    private void sweep(final long nowMicros)
    {
        final boolean full = lastSweep == Long.MIN_VALUE || nowMicros - lastSweep >= params.gapMicros() / 8;
        if (!full)
        {
            return;
        }
        lastSweep = nowMicros;
        final List<DosAttack> finished = new ArrayList<>();
        buckets.expire(nowMicros, params.gapMicros(), x -> x.last, x ->
        {
            close(x.key, x, finished);
            open.remove(x.key);
        });
        if (!finished.isEmpty())
        {
            emit(finished);
        }
    }

    /** Declares that no record with a bin earlier than {@code nowMicros} will follow; reports what can no longer continue. */
    public void advanceTo(final long nowMicros)
    {
        if (nowMicros > bin)
        {
            flushPending();
            bin = nowMicros;
            lastSweep = Long.MIN_VALUE;
            sweep(nowMicros);
        }
    }

    /** End of input: reports every open attack that passes the thresholds (in start order). */
    public void finish()
    {
        flushPending();
        final List<DosAttack> finished = new ArrayList<>();
        for (final Map.Entry<Key, Acc> e : open.entrySet())
        {
            close(e.getKey(), e.getValue(), finished);
        }
        open.clear();
        buckets.clear();
        emit(finished);
    }

    /** Attacks open (not yet finished), for metrics. */
    public int openAttacks()
    {
        return open.size() + pending.size();
    }

    private static final Comparator<DosAttack> ORDER = Comparator.comparingLong(DosAttack::startMicros)
        .thenComparing(DosAttack::victimText).thenComparingInt(DosAttack::protocol);

    private void emit(final List<DosAttack> finished)
    {
        finished.sort(ORDER);
        finished.forEach(sink);
    }

    private void close(final Key k, final Acc a, final List<DosAttack> out)
    {
        if (a.packets < params.minPackets() || a.last - a.first < params.minDurationMicros())
        {
            return;
        }
        a.settle(Long.MAX_VALUE, windowSlots);
        if (a.peakWindow < params.minWindowPackets())
        {
            return;
        }
        out.add(new DosAttack(Addresses.toBytes(k.hi(), k.lo()), k.protocol(), a.first, a.last, a.packets, a.ports.size(),
            a.prefixes.estimate(), a.peakWindow, a.peakWindow / (params.windowMicros() / 1e6), a.sensors.toList()));
    }
}
