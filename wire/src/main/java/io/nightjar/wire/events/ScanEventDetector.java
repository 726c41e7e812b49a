package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Finds scan events in flow records, as Merit's ORION darknet-events defines them
 * (github.com/Merit-Research/darknet-events: {@code internal/cache/cache.go},
 * {@code internal/annotate/annotate.go}, run with {@code --threshold 624 --uniques 10 --rate 10}):
 * <ul>
 *   <li><b>key</b>: (source, protocol, port, traffic class); the fingerprint is not part of it.</li>
 *   <li><b>end</b>: an event ends when more than {@link Params#gapMicros} (624 s) pass without a packet:
 *       a record whose first packet is more than 624 s after the event's last starts a new event;
 *       exactly 624 s continues it (ORION: {@code t.Sub(latest) > timeout} expires).</li>
 *   <li><b>destinations</b>: at least {@link Params#minDestinations} (10) distinct darknet
 *       destinations, from the union of the records' {@link DistinctSketch}es (so one destination
 *       seen in several bins or by several sensors counts once). A record without a sketch
 *       contributes its exact per-bin count as a lower bound (the maximum such count).</li>
 *   <li><b>rate</b> (IPv4 sources): {@code packets × 2^32 / darknetIpv4Addresses / max(end − start, 1 s)}
 *       at least {@link Params#minRatePps} (10) packets/s: the event's packets extrapolated from the
 *       darknet's share of IPv4 to the whole Internet, over its duration. ORION divides by the
 *       duration itself (an event within one instant gets an infinite rate and passes); the 1-s floor
 *       differs only for events shorter than a second and keeps the rate finite. IPv6 sources are not
 *       scaled nor rate-thresholded (as in ORION); their rate and coverage are NaN.</li>
 *   <li><b>tool</b>: the first {@link ScannerTool} (ZMap, Masscan, Mirai) whose attribution rule the
 *       event's packets satisfy (matching fingerprint bits over packets in the rule's scope).</li>
 * </ul>
 * The classes considered are {@link Params#classMask} (default: tcp_scan, udp_probe, icmp_probe; ORION
 * keeps events for every traffic type, which the mask of every class reproduces).
 *
 * <p>Input: records in non-decreasing bin order, the records of one bin (from any number of sensors)
 * in any order. Records of the same key in the same bin are merged before they are compared with
 * the open event, so the result does not depend on their order; a gap inside one record is not
 * visible (with bins longer than the gap, gaps inside a bin are missed). Events are reported to the
 * sink as they finish: when a later record of the key starts a new one, when data time
 * ({@link #advanceTo} or a later bin) has passed their last packet by more than the gap, and at
 * {@link #finish()}.
 *
 * <p>Single-threaded: one thread feeds a detector and receives its events.
 */
public final class ScanEventDetector
{
    /** 2^32, the IPv4 address space. */
    public static final double IPV4_SPACE = 4294967296.0;

    /**
     * The detector's thresholds.
     *
     * @param gapMicros       an event ends when more than this passes without a packet, µs (ORION: 624 s).
     * @param minDestinations fewest distinct destinations of a reported event (ORION: 10).
     * @param minRatePps      lowest scaled rate of a reported IPv4 event, packets/s (ORION: 10).
     * @param classMask       bit {@code 1 << class id} for each traffic class considered.
     */
    public record Params(long gapMicros, long minDestinations, double minRatePps, int classMask)
    {
        /** 624 s. */
        public static final long DEFAULT_GAP_MICROS = 624_000_000L;
        /** 10 destinations. */
        public static final long DEFAULT_MIN_DESTINATIONS = 10;
        /** 10 packets/s. */
        public static final double DEFAULT_MIN_RATE_PPS = 10.0;
        /** tcp_scan, udp_probe, icmp_probe. */
        public static final int DEFAULT_CLASS_MASK =
            1 << TrafficClass.TCP_SCAN.id() | 1 << TrafficClass.UDP_PROBE.id() | 1 << TrafficClass.ICMP_PROBE.id();

        /** Validates. */
        public Params
        {
            if (gapMicros <= 0 || minDestinations < 0 || !(minRatePps >= 0))
            {
                throw new IllegalArgumentException("scan event thresholds: gap must be positive, minima non-negative: "
                    + gapMicros + " µs, " + minDestinations + ", " + minRatePps);
            }
        }

        /** ORION's thresholds (624 s, 10 destinations, 10 packets/s) over the default classes. */
        public static Params defaults()
        {
            return new Params(DEFAULT_GAP_MICROS, DEFAULT_MIN_DESTINATIONS, DEFAULT_MIN_RATE_PPS, DEFAULT_CLASS_MASK);
        }
    }

    private static final ScannerTool[] TOOLS = ScannerTool.all();

    static
    {
        // Acc keeps the matching packets of each tool in a field of its own
        if (TOOLS.length != 3)
        {
            throw new AssertionError("ScanEventDetector.Acc expects 3 scanner tools, not " + TOOLS.length);
        }
    }

    /**
     * An open event. Kept small (most keys are low-rate sources that never become events): one
     * destination hash inline until a second distinct one needs a sketch, matching packets per tool
     * as fields (the rule's scope is fixed by the key's class and IP version), one sensor id inline.
     * Found through {@link #open} by its key, which maps to its {@link #id} in {@link #accs}.
     * The fields after {@code sensors} are about the current bin: the event's last packet before it,
     * whether a record of the bin continues the event, and the records that may start a new one.
     */
    private static final class Acc extends ExpiryBuckets.Node
    {
        // the key (source, protocol, port, class)
        long hi;
        long lo;
        int protocol;
        int port;
        int trafficClass;
        /** Index in {@link #accs} while open, else -1. */
        int id = -1;

        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long packets;
        int oneHash;
        boolean hasOne;
        DistinctSketch sketch;
        long maxRecordDestinations;
        long matching0;
        long matching1;
        long matching2;
        String sensor;
        TreeSet<String> moreSensors;

        long touchedBin = Long.MIN_VALUE;
        long lastBeforeBin;
        boolean continues;
        Acc staged;

        /** Back to the state of a new accumulator (for reuse: no allocation per new key once warm). */
        void reset()
        {
            id = -1;
            first = Long.MAX_VALUE;
            last = Long.MIN_VALUE;
            packets = 0;
            oneHash = 0;
            hasOne = false;
            sketch = null;
            maxRecordDestinations = 0;
            matching0 = 0;
            matching1 = 0;
            matching2 = 0;
            sensor = null;
            moreSensors = null;
            touchedBin = Long.MIN_VALUE;
            lastBeforeBin = 0;
            continues = false;
            staged = null;
            resetNode();
        }

        Acc key(final long srcHi, final long srcLo, final int proto, final int p, final int cls)
        {
            hi = srcHi;
            lo = srcLo;
            protocol = proto;
            port = p;
            trafficClass = cls;
            return this;
        }

        long matching(final int tool)
        {
            return tool == 0 ? matching0 : tool == 1 ? matching1 : matching2;
        }

        void addHash(final int h)
        {
            if (sketch != null)
            {
                sketch.add(h);
            }
            else if (!hasOne)
            {
                oneHash = h;
                hasOne = true;
            }
            else if (oneHash != h)
            {
                sketch = new DistinctSketch();
                sketch.add(oneHash);
                sketch.add(h);
            }
        }

        /** Merges {@code s}, which this accumulator may keep. */
        void mergeSketch(final DistinctSketch s)
        {
            if (sketch == null)
            {
                sketch = s;
                if (hasOne)
                {
                    sketch.add(oneHash);
                }
            }
            else
            {
                sketch.merge(s);
            }
        }

        long destinations()
        {
            final long n = sketch != null ? sketch.estimate() : hasOne ? 1 : 0;
            return Math.max(n, maxRecordDestinations);
        }

        void addSensor(final String id)
        {
            if (id == null || id.equals(sensor))
            {
                return;
            }
            if (sensor == null)
            {
                sensor = id;
                return;
            }
            if (moreSensors == null)
            {
                moreSensors = new TreeSet<>();
                moreSensors.add(sensor);
            }
            moreSensors.add(id);
        }

        List<String> sensors()
        {
            if (moreSensors != null)
            {
                return List.copyOf(moreSensors);
            }
            return sensor == null ? List.of() : List.of(sensor);
        }

        /** Adds the records of {@code o} (a staged part of the same key and bin; consumed). */
        void merge(final Acc o)
        {
            first = Math.min(first, o.first);
            last = Math.max(last, o.last);
            packets += o.packets;
            if (o.sketch != null)
            {
                mergeSketch(o.sketch);
            }
            else if (o.hasOne)
            {
                addHash(o.oneHash);
            }
            maxRecordDestinations = Math.max(maxRecordDestinations, o.maxRecordDestinations);
            matching0 += o.matching0;
            matching1 += o.matching1;
            matching2 += o.matching2;
            if (o.moreSensors != null)
            {
                o.moreSensors.forEach(this::addSensor);
            }
            else
            {
                addSensor(o.sensor);
            }
        }
    }

    private final Params params;
    private final double scale;
    private final long darknetIpv4Addresses;
    private final Consumer<ScanEvent> sink;
    /** Open events: key (source, {@link #tag protocol and port}, class) to their index in {@link #accs}. */
    private final EventKeyTable open = new EventKeyTable(1 << 16);
    /** Open events by index (null: free). */
    private Acc[] accs = new Acc[1 << 16];
    /** Free indexes of {@link #accs} below {@link #accsUsed}, a stack. */
    private int[] freeIds = new int[64];
    private int freeCount;
    private int accsUsed;
    /** Closed accumulators kept for reuse, a stack (at most {@link #MAX_SPARES}). */
    private Acc[] spares = new Acc[1024];
    private int spareCount;
    private static final int MAX_SPARES = 1 << 20;
    /** Keys whose open event has staged records in the current bin (they may start a new event). */
    private final List<Acc> staged = new ArrayList<>();
    private long bin = Long.MIN_VALUE;
    /** Open events by the slice of data time of their last packet (each open event is in exactly one). */
    private final ExpiryBuckets<Acc> buckets;
    /** Whether the accumulator {@link #accFor} returned last is an open event (not staged). */
    private boolean lastOpen;

    /**
     * @param params               thresholds.
     * @param darknetIpv4Addresses IPv4 darknet addresses observed by the sensors whose records are fed
     *                             (the sum of their darknet sizes); positive.
     * @param sink                 receives every finished event that passes the thresholds, on the feeding thread.
     */
    public ScanEventDetector(final Params params, final long darknetIpv4Addresses, final Consumer<ScanEvent> sink)
    {
        if (darknetIpv4Addresses <= 0 || darknetIpv4Addresses > (1L << 32))
        {
            throw new IllegalArgumentException("darknet IPv4 addresses must be in 1 .. 2^32: " + darknetIpv4Addresses);
        }
        this.params = Objects.requireNonNull(params, "params");
        this.darknetIpv4Addresses = darknetIpv4Addresses;
        this.scale = IPV4_SPACE / darknetIpv4Addresses;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.buckets = new ExpiryBuckets<>(params.gapMicros() / 8);
    }

    /** Adds one flow record (its destination sketch, if any, is merged). */
    public void add(final FlowRecord r, final String sensorId)
    {
        add(r.binStartMicros(), Addresses.hi(r.src()), Addresses.lo(r.src()), r.protocol(), r.port(), r.trafficClass(),
            r.fingerprint(), r.packets(), r.firstMicros(), r.lastMicros(), r.distinctDestinations(), r.destinationSketch(), sensorId);
    }

    /**
     * Adds one flow record given as its columns, the source as its 16 stored bytes (IPv4-mapped for
     * IPv4): {@link #add(long, long, long, int, int, int, int, long, long, long, byte[], String)}.
     */
    public void add(
        final long binStartMicros, final byte[] src16, final int protocol, final int port, final int trafficClass,
        final int fingerprint, final long packets, final long firstMicros, final long lastMicros, final long destinations,
        final byte[] destinationSketch, final String sensorId)
    {
        add(binStartMicros, Addresses.hi(src16), Addresses.lo(src16), protocol, port, trafficClass, fingerprint, packets,
            firstMicros, lastMicros, destinations, destinationSketch, sensorId);
    }

    /**
     * Adds one flow record given as its columns (as the aggregator reads them from its store).
     *
     * @param binStartMicros     the record's bin start, µs; non-decreasing from call to call.
     * @param srcHi              source address, high 64 bits (see {@link Addresses#hi}).
     * @param srcLo              source address, low 64 bits.
     * @param protocol           IP protocol.
     * @param port               port (the record's {@code port}).
     * @param trafficClass       {@link TrafficClass#id()}; records of classes outside the mask are ignored.
     * @param fingerprint        the record's {@link ScannerTool#bit()} mask.
     * @param packets            packets.
     * @param firstMicros        first packet, µs.
     * @param lastMicros         last packet, µs.
     * @param destinations       the record's exact distinct destinations in its bin.
     * @param destinationSketch  the record's serialised {@link DistinctSketch}, or null.
     * @param sensorId           the sensor's id, or null.
     * @throws IllegalArgumentException if the bin is earlier than a previous record's, or the sketch is corrupt.
     */
    public void add(
        final long binStartMicros, final long srcHi, final long srcLo, final int protocol, final int port, final int trafficClass,
        final int fingerprint, final long packets, final long firstMicros, final long lastMicros, final long destinations,
        final byte[] destinationSketch, final String sensorId)
    {
        final Acc a = accFor(binStartMicros, srcHi, srcLo, protocol, port, trafficClass, firstMicros);
        if (a == null)
        {
            return;
        }
        if (destinationSketch != null)
        {
            a.mergeSketch(DistinctSketch.fromBytes(destinationSketch));
        }
        count(a, fingerprint, packets, firstMicros, lastMicros, destinations, sensorId);
        if (lastOpen)
        {
            buckets.place(a, a.last);
        }
    }

    /**
     * Adds one flow record whose destinations are given as their hashes ({@link DistinctSketch#hashAddress}),
     * {@code hashes[from .. to)}: the sensor's path, without serialising a sketch. Otherwise as
     * {@link #add(long, long, long, int, int, int, int, long, long, long, long, byte[], String)}.
     */
    public void add(
        final long binStartMicros, final long srcHi, final long srcLo, final int protocol, final int port, final int trafficClass,
        final int fingerprint, final long packets, final long firstMicros, final long lastMicros, final int[] hashes,
        final int from, final int to, final String sensorId)
    {
        final Acc a = accFor(binStartMicros, srcHi, srcLo, protocol, port, trafficClass, firstMicros);
        if (a == null)
        {
            return;
        }
        for (int i = from; i < to; i++)
        {
            a.addHash(hashes[i]);
        }
        count(a, fingerprint, packets, firstMicros, lastMicros, to - from, sensorId);
        if (lastOpen)
        {
            buckets.place(a, a.last);
        }
    }

    /**
     * Reads what {@link #add} of a record of this key reads first, its slot in the table of open
     * events, and changes nothing. A caller feeding many records calls this for a batch of them before
     * adding them, then {@link #prefetchEvent}, so that the batch's cache misses overlap (the table and
     * the open events do not fit any cache). Results are the same with or without it.
     *
     * @return a value to be summed by the caller, only so that the load is not optimised away.
     */
    public long prefetchKey(final long srcHi, final long srcLo, final int protocol, final int port, final int trafficClass)
    {
        return open.touch(srcHi, srcLo, tag(protocol, port), trafficClass);
    }

    /**
     * The second step after {@link #prefetchKey}: reads the key's open event, if there is one.
     *
     * @return a value to be summed by the caller, only so that the load is not optimised away.
     */
    public long prefetchEvent(final long srcHi, final long srcLo, final int protocol, final int port, final int trafficClass)
    {
        final int id = open.get(srcHi, srcLo, tag(protocol, port), trafficClass);
        return id < 0 ? 0 : accs[id].last;
    }

    /**
     * The accumulator a record of this key, bin and first packet goes into: the open event when the
     * bin continues it (some record of the bin starts at most the gap after the event's last packet
     * before the bin), else a staged part that becomes a new event when the bin is applied.
     */
    private Acc accFor(
        final long binStartMicros, final long srcHi, final long srcLo, final int protocol, final int port, final int trafficClass,
        final long firstMicros)
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
        if (trafficClass < 0 || trafficClass >= 32 || (params.classMask() & (1 << trafficClass)) == 0)
        {
            return null;
        }
        lastOpen = true;
        final long tag = tag(protocol, port);
        final int id = open.get(srcHi, srcLo, tag, trafficClass);
        if (id == EventKeyTable.MISSING)
        {
            final Acc created = newAcc().key(srcHi, srcLo, protocol, port, trafficClass);
            created.touchedBin = bin;
            created.continues = true;
            open.put(srcHi, srcLo, tag, trafficClass, attach(created));
            return created;
        }
        final Acc a = accs[id];
        if (a.touchedBin != bin)
        {
            a.touchedBin = bin;
            a.lastBeforeBin = a.last;
            a.continues = false;
        }
        if (a.continues)
        {
            return a;
        }
        if (firstMicros - a.lastBeforeBin <= params.gapMicros())
        {
            // this record continues the event, and with it every record of the bin
            a.continues = true;
            if (a.staged != null)
            {
                a.merge(a.staged);
                a.staged = null;
            }
            return a;
        }
        if (a.staged == null)
        {
            a.staged = newAcc().key(srcHi, srcLo, protocol, port, trafficClass);
            staged.add(a);
        }
        lastOpen = false;
        return a.staged;
    }

    private static void count(
        final Acc a, final int fingerprint, final long packets, final long firstMicros, final long lastMicros,
        final long destinations, final String sensorId)
    {
        a.first = Math.min(a.first, firstMicros);
        a.last = Math.max(a.last, lastMicros);
        a.packets += packets;
        a.maxRecordDestinations = Math.max(a.maxRecordDestinations, destinations);
        if ((fingerprint & TOOLS[0].bit()) != 0)
        {
            a.matching0 += packets;
        }
        if ((fingerprint & TOOLS[1].bit()) != 0)
        {
            a.matching1 += packets;
        }
        if ((fingerprint & TOOLS[2].bit()) != 0)
        {
            a.matching2 += packets;
        }
        a.addSensor(sensorId);
    }

    /** The table's 64-bit part of the key: protocol and port (the class is the 32-bit part). */
    private static long tag(final int protocol, final int port)
    {
        return (long)protocol << 32 | (port & 0xffffffffL);
    }

    /** A reset accumulator: a closed one if any, else a new one. */
    private Acc newAcc()
    {
        if (spareCount > 0)
        {
            final Acc a = spares[--spareCount];
            spares[spareCount] = null;
            return a;
        }
        return new Acc();
    }

    /** Keeps a closed accumulator (no longer referenced by the table, a bucket or the staged list) for reuse. */
    private void recycle(final Acc a)
    {
        if (spareCount == spares.length)
        {
            if (spares.length >= MAX_SPARES)
            {
                return;
            }
            spares = Arrays.copyOf(spares, spares.length * 2);
        }
        a.reset();
        spares[spareCount++] = a;
    }

    /** Gives {@code a} an index in {@link #accs} (a free one if any). */
    private int attach(final Acc a)
    {
        final int id;
        if (freeCount > 0)
        {
            id = freeIds[--freeCount];
        }
        else
        {
            if (accsUsed == accs.length)
            {
                accs = Arrays.copyOf(accs, accs.length * 2);
            }
            id = accsUsed++;
        }
        accs[id] = a;
        a.id = id;
        return id;
    }

    /** Removes the open event {@code a} from the table and frees its index. */
    private void detach(final Acc a)
    {
        open.remove(a.hi, a.lo, tag(a.protocol, a.port), a.trafficClass);
        accs[a.id] = null;
        if (freeCount == freeIds.length)
        {
            freeIds = Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeCount++] = a.id;
        a.id = -1;
    }

    /** Applies the current bin: events whose staged records were not continued end, the staged records start new ones. */
    private void flushPending()
    {
        if (staged.isEmpty())
        {
            return;
        }
        final List<ScanEvent> finished = new ArrayList<>();
        for (final Acc o : staged)
        {
            final Acc p = o.staged;
            if (p == null)
            {
                continue;
            }
            o.staged = null;
            close(o, finished);
            // the new event takes the old one's place (same key, same index)
            final int id = o.id;
            o.id = -1;
            buckets.remove(o);
            accs[id] = p;
            p.id = id;
            p.touchedBin = bin;
            p.continues = true;
            buckets.place(p, p.last);
            recycle(o);
        }
        staged.clear();
        emit(finished);
    }

    /**
     * Closes the open events that no record from {@code nowMicros} on can continue. Events are
     * linked into buckets of an eighth of the gap by their last packet ({@link ExpiryBuckets}); only
     * buckets that began more than the gap ago are visited, so a sweep costs the events it closes
     * (plus those of at most one bucket that stay open), not every open event.
     */
    private void sweep(final long nowMicros)
    {
        final List<ScanEvent> finished = new ArrayList<>();
        buckets.expire(nowMicros, params.gapMicros(), x -> x.last, x ->
        {
            close(x, finished);
            detach(x);
            recycle(x);
        });
        if (!finished.isEmpty())
        {
            emit(finished);
        }
    }

    /**
     * Declares that no record with a bin earlier than {@code nowMicros} will follow (data time, e.g.
     * the end of the last bin fed): applies the pending bin and reports the events that can no longer
     * continue.
     */
    public void advanceTo(final long nowMicros)
    {
        if (nowMicros > bin)
        {
            flushPending();
            bin = nowMicros;
            sweep(nowMicros);
        }
    }

    /** End of input: reports every open event that passes the thresholds (in start order). */
    public void finish()
    {
        flushPending();
        final List<ScanEvent> finished = new ArrayList<>();
        for (int id = 0; id < accsUsed; id++)
        {
            final Acc a = accs[id];
            if (a != null)
            {
                close(a, finished);
                a.id = -1;
                accs[id] = null;
            }
        }
        open.clear();
        accsUsed = 0;
        freeCount = 0;
        buckets.clear();
        emit(finished);
    }

    /** Events open (not yet finished), for metrics. */
    public int openEvents()
    {
        return open.size() + staged.size();
    }

    private void emit(final List<ScanEvent> finished)
    {
        finished.sort(ORDER);
        finished.forEach(sink);
    }

    private static final Comparator<ScanEvent> ORDER = Comparator.comparingLong(ScanEvent::startMicros)
        .thenComparing(ScanEvent::srcText).thenComparingInt(ScanEvent::protocol).thenComparingInt(ScanEvent::port)
        .thenComparingInt(ScanEvent::trafficClass);

    private void close(final Acc a, final List<ScanEvent> out)
    {
        final long destinations = a.destinations();
        if (destinations < params.minDestinations())
        {
            return;
        }
        final boolean v4 = Addresses.isIpv4Mapped(a.hi, a.lo);
        double rate = Double.NaN;
        double coverage = Double.NaN;
        if (v4)
        {
            rate = rate(a.packets, a.first, a.last, scale);
            if (rate < params.minRatePps())
            {
                return;
            }
            coverage = (double)destinations / darknetIpv4Addresses;
        }
        ScannerTool tool = null;
        for (int t = 0; t < TOOLS.length && tool == null; t++)
        {
            // every packet of the key is in a tool's scope or none is (the scope is a class and IP version)
            final long m = a.matching(t);
            if (m > 0 && TOOLS[t].inScope(a.trafficClass, v4) && ScannerTool.attributes(m, a.packets))
            {
                tool = TOOLS[t];
            }
        }
        out.add(new ScanEvent(Addresses.toBytes(a.hi, a.lo), a.protocol, a.port, a.trafficClass, a.first, a.last,
            a.packets, destinations, coverage, tool, rate, a.sensors()));
    }

    /**
     * The scaled rate of an event: {@code packets × scale / max((last − first) s, 1 s)}, packets/s,
     * with {@code scale = 2^32 / darknet IPv4 addresses}.
     */
    public static double rate(final long packets, final long firstMicros, final long lastMicros, final double scale)
    {
        final double seconds = Math.max((lastMicros - firstMicros) / 1e6, 1.0);
        return packets * scale / seconds;
    }
}
