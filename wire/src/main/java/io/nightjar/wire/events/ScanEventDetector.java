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
import java.util.HashMap;
import java.util.Map;
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
        // an event keeps the matching packets of each tool in a word of its own
        if (TOOLS.length != 3)
        {
            throw new AssertionError("ScanEventDetector expects 3 scanner tools, not " + TOOLS.length);
        }
    }

    /*
     * Events (open ones, and the staged parts of the current bin that may start new ones) are rows
     * of STRIDE longs in one array, by id: the key, the counts, the inline destination hash and the
     * current bin's fields together, so that a record's update reads one table slot and one row (two
     * cache lines) instead of a table slot, an object reference, an object and its linked-list
     * neighbours. Most keys are low-rate sources with one destination that never become events;
     * only a key with a second distinct destination gets a DistinctSketch, and only one seen by
     * more than one sensor a set of sensor names.
     */
    private static final int STRIDE = 16;
    private static final int HI = 0;
    private static final int LO = 1;
    /** protocol << 32 | port: the table's tag. */
    private static final int TAG = 2;
    /** class (bits 0-7), flags (bits 8-15), sensor code + 1 (bits 32-63; 0: none). */
    private static final int META = 3;
    private static final int FIRST = 4;
    private static final int LAST = 5;
    private static final int PACKETS = 6;
    private static final int MATCHING = 7; // 7, 8, 9: one per tool
    /** The one destination hash while there is no sketch (low 32 bits). */
    private static final int ONE_HASH = 10;
    private static final int MAX_RECORD = 11;
    /** The bin whose records last touched the open event. */
    private static final int TOUCHED_BIN = 12;
    /** The event's last packet before that bin. */
    private static final int LAST_BEFORE_BIN = 13;
    /** The slice of SliceLists the event's id was last appended to. */
    private static final int SLICE = 14;
    /** Id + 1 of the staged part of the current bin (0: none). */
    private static final int STAGED = 15;

    private static final long OPEN = 1L << 8;
    private static final long HAS_ONE = 1L << 10;
    private static final long HAS_SKETCH = 1L << 11;
    private static final long CONTINUES = 1L << 12;
    private static final long MORE_SENSORS = 1L << 13;
    private static final int SENSOR_SHIFT = 32;

    private final Params params;
    private final double scale;
    private final long darknetIpv4Addresses;
    private final Consumer<ScanEvent> sink;
    /** Open events: key (source, {@link #tag protocol and port}, class) to their id. */
    private final EventKeyTable open = new EventKeyTable(1 << 16);
    /** Rows by id, {@link #STRIDE} longs each. */
    private long[] rows = new long[STRIDE << 16];
    /** Sketches by id (null until a second distinct destination). */
    private DistinctSketch[] sketches = new DistinctSketch[1 << 16];
    /** Sensor sets of the ids seen by more than one sensor. */
    private final Map<Integer, TreeSet<String>> moreSensors = new HashMap<>();
    /** Sensor names by code, and codes by name (sensor ids are few; a row keeps a code). */
    private final List<String> sensorNames = new ArrayList<>();
    private final Map<String, Integer> sensorCodes = new HashMap<>();
    private String lastSensor;
    private long lastSensorCode;
    /** Free ids below {@link #used}, a stack (the most recently freed row is the one likeliest in cache). */
    private int[] freeIds = new int[64];
    private int freeCount;
    private int used;
    /** Open ids whose event has a staged part in the current bin (it may start a new event). */
    private int[] stagedKeys = new int[64];
    private int stagedCount;
    private long bin = Long.MIN_VALUE;
    /** Open ids by the slice of data time of their last packet. */
    private final SliceLists slices;
    /** Whether the id {@link #accFor} returned last is an open event (not a staged part). */
    private boolean lastOpen;
    private final List<ScanEvent> finished = new ArrayList<>();
    /** Entries of a sweep handled together. */
    private static final int BATCH = 32;
    /** Ids of a slice being expired, a batch at a time (their rows and table slots are loaded first). */
    private final int[] expiring = new int[BATCH];
    /** Sum of the sweep's loads, kept only so that they are not optimised away. */
    private long touched;

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
        this.slices = new SliceLists(params.gapMicros() / 8);
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
        final int id = accFor(binStartMicros, srcHi, srcLo, protocol, port, trafficClass, firstMicros);
        if (id < 0)
        {
            return;
        }
        if (destinationSketch != null)
        {
            mergeSketch(id, DistinctSketch.fromBytes(destinationSketch));
        }
        count(id, fingerprint, packets, firstMicros, lastMicros, destinations, sensorId);
        if (lastOpen)
        {
            place(id);
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
        final int id = accFor(binStartMicros, srcHi, srcLo, protocol, port, trafficClass, firstMicros);
        if (id < 0)
        {
            return;
        }
        addHashes(id, hashes, from, to);
        count(id, fingerprint, packets, firstMicros, lastMicros, to - from, sensorId);
        if (lastOpen)
        {
            place(id);
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
        if (id < 0)
        {
            return 0;
        }
        final long[] r = rows;
        final int at = id * STRIDE;
        // a row spans two or three cache lines (its phase in a line is the array's): words 0, 8 and 15 are one in each
        final long sum = r[at] + r[at + 8] + r[at + STRIDE - 1];
        return (r[at + META] & HAS_SKETCH) != 0 ? sum + sketches[id].touch() : sum;
    }

    /**
     * The id a record of this key, bin and first packet goes into: the open event when the bin
     * continues it (some record of the bin starts at most the gap after the event's last packet
     * before the bin), else a staged part that becomes a new event when the bin is applied; -1 for
     * a class outside the mask.
     */
    private int accFor(
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
            return -1;
        }
        lastOpen = true;
        final long tag = tag(protocol, port);
        final int id = open.get(srcHi, srcLo, tag, trafficClass);
        if (id == EventKeyTable.MISSING)
        {
            final int created = allocate(srcHi, srcLo, tag, trafficClass, OPEN | CONTINUES);
            rows[created * STRIDE + TOUCHED_BIN] = bin;
            open.put(srcHi, srcLo, tag, trafficClass, created);
            return created;
        }
        final long[] r = rows;
        final int at = id * STRIDE;
        if (r[at + TOUCHED_BIN] != bin)
        {
            r[at + TOUCHED_BIN] = bin;
            r[at + LAST_BEFORE_BIN] = r[at + LAST];
            r[at + META] &= ~CONTINUES;
        }
        if ((r[at + META] & CONTINUES) != 0)
        {
            return id;
        }
        final int staged = (int)r[at + STAGED] - 1;
        if (firstMicros - r[at + LAST_BEFORE_BIN] <= params.gapMicros())
        {
            // this record continues the event, and with it every record of the bin
            r[at + META] |= CONTINUES;
            if (staged >= 0)
            {
                rows[at + STAGED] = 0;
                merge(id, staged);
                free(staged);
            }
            return id;
        }
        lastOpen = false;
        if (staged >= 0)
        {
            return staged;
        }
        final int part = allocate(srcHi, srcLo, tag, trafficClass, 0);
        rows[at + STAGED] = part + 1L;
        if (stagedCount == stagedKeys.length)
        {
            stagedKeys = Arrays.copyOf(stagedKeys, stagedCount * 2);
        }
        stagedKeys[stagedCount++] = id;
        return part;
    }

    private void count(
        final int id, final int fingerprint, final long packets, final long firstMicros, final long lastMicros,
        final long destinations, final String sensorId)
    {
        final long[] r = rows;
        final int at = id * STRIDE;
        r[at + FIRST] = Math.min(r[at + FIRST], firstMicros);
        r[at + LAST] = Math.max(r[at + LAST], lastMicros);
        r[at + PACKETS] += packets;
        r[at + MAX_RECORD] = Math.max(r[at + MAX_RECORD], destinations);
        if ((fingerprint & TOOLS[0].bit()) != 0)
        {
            r[at + MATCHING] += packets;
        }
        if ((fingerprint & TOOLS[1].bit()) != 0)
        {
            r[at + MATCHING + 1] += packets;
        }
        if ((fingerprint & TOOLS[2].bit()) != 0)
        {
            r[at + MATCHING + 2] += packets;
        }
        if (sensorId != null)
        {
            addSensor(id, sensorId);
        }
    }

    private void addHash(final int id, final int h)
    {
        final long[] r = rows;
        final int at = id * STRIDE;
        final long meta = r[at + META];
        if ((meta & HAS_SKETCH) != 0)
        {
            sketches[id].add(h);
        }
        else if ((meta & HAS_ONE) == 0)
        {
            r[at + ONE_HASH] = h;
            r[at + META] = meta | HAS_ONE;
        }
        else if ((int)r[at + ONE_HASH] != h)
        {
            final DistinctSketch s = new DistinctSketch();
            s.add((int)r[at + ONE_HASH]);
            s.add(h);
            sketches[id] = s;
            r[at + META] = meta | HAS_SKETCH;
        }
    }

    private void addHashes(final int id, final int[] hashes, final int from, final int to)
    {
        if (to - from <= 1)
        {
            if (to > from)
            {
                addHash(id, hashes[from]);
            }
            return;
        }
        final long[] r = rows;
        final int at = id * STRIDE;
        final long meta = r[at + META];
        if ((meta & HAS_SKETCH) != 0)
        {
            sketches[id].addAll(hashes, from, to);
            return;
        }
        final DistinctSketch s = new DistinctSketch();
        s.addAll(hashes, from, to);
        if ((meta & HAS_ONE) != 0)
        {
            s.add((int)r[at + ONE_HASH]);
        }
        sketches[id] = s;
        r[at + META] = meta | HAS_SKETCH;
    }

    /** Merges {@code s} into the destinations of {@code id}, which may keep it. */
    private void mergeSketch(final int id, final DistinctSketch s)
    {
        final long[] r = rows;
        final int at = id * STRIDE;
        final long meta = r[at + META];
        if ((meta & HAS_SKETCH) != 0)
        {
            sketches[id].merge(s);
            return;
        }
        if ((meta & HAS_ONE) != 0)
        {
            s.add((int)r[at + ONE_HASH]);
        }
        sketches[id] = s;
        r[at + META] = meta | HAS_SKETCH;
    }

    private long destinations(final int id)
    {
        final long[] r = rows;
        final int at = id * STRIDE;
        final long meta = r[at + META];
        final long n = (meta & HAS_SKETCH) != 0 ? sketches[id].estimate() : (meta & HAS_ONE) != 0 ? 1 : 0;
        return Math.max(n, r[at + MAX_RECORD]);
    }

    private void addSensor(final int id, final String sensorId)
    {
        final long code;
        if (sensorId == lastSensor)
        {
            code = lastSensorCode;
        }
        else
        {
            Integer c = sensorCodes.get(sensorId);
            if (c == null)
            {
                c = sensorNames.size();
                sensorNames.add(sensorId);
                sensorCodes.put(sensorId, c);
            }
            lastSensor = sensorId;
            lastSensorCode = c;
            code = c;
        }
        final long[] r = rows;
        final int at = id * STRIDE;
        final long meta = r[at + META];
        final long current = (meta >>> SENSOR_SHIFT) - 1;
        if (current == code)
        {
            return;
        }
        if (current < 0)
        {
            r[at + META] = (meta & 0xffffffffL) | (code + 1) << SENSOR_SHIFT;
            return;
        }
        TreeSet<String> set = moreSensors.get(id);
        if (set == null)
        {
            set = new TreeSet<>();
            set.add(sensorNames.get((int)current));
            moreSensors.put(id, set);
            r[at + META] = meta | MORE_SENSORS;
        }
        set.add(sensorId);
    }

    private List<String> sensors(final int id)
    {
        final long meta = rows[id * STRIDE + META];
        if ((meta & MORE_SENSORS) != 0)
        {
            return List.copyOf(moreSensors.get(id));
        }
        final long code = (meta >>> SENSOR_SHIFT) - 1;
        return code < 0 ? List.of() : List.of(sensorNames.get((int)code));
    }

    /** Adds the records of the staged part {@code from} (of the same key and bin) to {@code to}; {@code from} is freed by the caller. */
    private void merge(final int to, final int from)
    {
        final long[] r = rows;
        final int a = to * STRIDE;
        final int b = from * STRIDE;
        r[a + FIRST] = Math.min(r[a + FIRST], r[b + FIRST]);
        r[a + LAST] = Math.max(r[a + LAST], r[b + LAST]);
        r[a + PACKETS] += r[b + PACKETS];
        r[a + MAX_RECORD] = Math.max(r[a + MAX_RECORD], r[b + MAX_RECORD]);
        for (int t = 0; t < 3; t++)
        {
            r[a + MATCHING + t] += r[b + MATCHING + t];
        }
        final long meta = r[b + META];
        if ((meta & HAS_SKETCH) != 0)
        {
            mergeSketch(to, sketches[from]);
            sketches[from] = null;
            r[b + META] = meta & ~HAS_SKETCH;
        }
        else if ((meta & HAS_ONE) != 0)
        {
            addHash(to, (int)r[b + ONE_HASH]);
        }
        if ((meta & MORE_SENSORS) != 0)
        {
            for (final String s : moreSensors.get(from))
            {
                addSensor(to, s);
            }
        }
        else if (meta >>> SENSOR_SHIFT != 0)
        {
            addSensor(to, sensorNames.get((int)((meta >>> SENSOR_SHIFT) - 1)));
        }
    }

    /** The table's 64-bit part of the key: protocol and port (the class is the 32-bit part). */
    private static long tag(final int protocol, final int port)
    {
        return (long)protocol << 32 | (port & 0xffffffffL);
    }

    /** A fresh row for the key (a freed id if any), with {@code flags}. */
    private int allocate(final long hi, final long lo, final long tag, final int trafficClass, final long flags)
    {
        final int id;
        if (freeCount > 0)
        {
            id = freeIds[--freeCount];
        }
        else
        {
            if ((used + 1) * STRIDE > rows.length)
            {
                rows = Arrays.copyOf(rows, rows.length * 2);
                sketches = Arrays.copyOf(sketches, sketches.length * 2);
            }
            id = used++;
        }
        final long[] r = rows;
        final int at = id * STRIDE;
        r[at + HI] = hi;
        r[at + LO] = lo;
        r[at + TAG] = tag;
        r[at + META] = trafficClass | flags;
        r[at + FIRST] = Long.MAX_VALUE;
        r[at + LAST] = Long.MIN_VALUE;
        r[at + PACKETS] = 0;
        r[at + MATCHING] = 0;
        r[at + MATCHING + 1] = 0;
        r[at + MATCHING + 2] = 0;
        r[at + ONE_HASH] = 0;
        r[at + MAX_RECORD] = 0;
        r[at + TOUCHED_BIN] = Long.MIN_VALUE;
        r[at + LAST_BEFORE_BIN] = 0;
        r[at + SLICE] = Long.MIN_VALUE;
        r[at + STAGED] = 0;
        return id;
    }

    /** Frees the row {@code id} (no longer in the table or the staged keys; its slice entries become stale). */
    private void free(final int id)
    {
        final int at = id * STRIDE;
        final long meta = rows[at + META];
        rows[at + META] = 0;
        if ((meta & HAS_SKETCH) != 0)
        {
            sketches[id] = null;
        }
        if ((meta & MORE_SENSORS) != 0)
        {
            moreSensors.remove(id);
        }
        if (freeCount == freeIds.length)
        {
            freeIds = Arrays.copyOf(freeIds, freeCount * 2);
        }
        freeIds[freeCount++] = id;
    }

    /** Appends the open event {@code id} to the slice of its last packet, if that changed. */
    private void place(final int id)
    {
        final long[] r = rows;
        final int at = id * STRIDE;
        final long s = slices.sliceOf(r[at + LAST]);
        if (r[at + SLICE] != s)
        {
            r[at + SLICE] = s;
            slices.add(s, id);
        }
    }

    /** Applies the current bin: events whose staged records were not continued end, the staged records start new ones. */
    private void flushPending()
    {
        if (stagedCount == 0)
        {
            return;
        }
        final long[] r = rows;
        for (int i = 0; i < stagedCount; i++)
        {
            final int o = stagedKeys[i];
            final int at = o * STRIDE;
            final int p = (int)r[at + STAGED] - 1;
            if (p < 0)
            {
                continue;
            }
            close(o, finished);
            // the staged part becomes the key's open event: the table maps the key to it, o's row is freed
            open.put(r[at + HI], r[at + LO], r[at + TAG], (int)r[at + META] & 0xff, p);
            free(o);
            final int pat = p * STRIDE;
            r[pat + META] |= OPEN | CONTINUES;
            r[pat + TOUCHED_BIN] = bin;
            place(p);
        }
        stagedCount = 0;
        emit();
    }

    /**
     * Closes the open events that no record from {@code nowMicros} on can continue. Ids are listed
     * by the slice (an eighth of the gap) of their last packet ({@link SliceLists}); only slices that
     * began more than the gap ago are visited, so a sweep costs the entries of the slices it ends
     * (plus those of at most one slice that stay open), not every open event. The rows and table
     * slots of each batch of {@value #BATCH} entries are loaded before any is changed, so that their
     * cache misses overlap.
     */
    private void sweep(final long nowMicros)
    {
        final long gap = params.gapMicros();
        SliceLists.Slice s = slices.nextExpired(nowMicros, gap, null);
        while (s != null)
        {
            final int[] ids = s.ids;
            final int n = s.size;
            int kept = 0;
            for (int from = 0; from < n; from += BATCH)
            {
                final int to = Math.min(n, from + BATCH);
                long sum = 0;
                for (int i = from; i < to; i++)
                {
                    // the words read next (LAST, META; SLICE), in the first and last cache lines of the row
                    sum += rows[ids[i] * STRIDE + LAST] + rows[ids[i] * STRIDE + SLICE];
                }
                int ending = 0;
                for (int i = from; i < to; i++)
                {
                    final int id = ids[i];
                    final int at = id * STRIDE;
                    final long[] r = rows;
                    if ((r[at + META] & OPEN) == 0 || r[at + SLICE] != s.index)
                    {
                        continue; // a stale entry: the event ended, or moved to a later slice
                    }
                    if (nowMicros - r[at + LAST] > gap)
                    {
                        expiring[ending++] = id;
                        sum += open.touch(r[at + HI], r[at + LO], r[at + TAG], (int)r[at + META] & 0xff);
                    }
                    else
                    {
                        ids[kept++] = id;
                    }
                }
                touched += sum;
                for (int i = 0; i < ending; i++)
                {
                    final int id = expiring[i];
                    final int at = id * STRIDE;
                    final long[] r = rows;
                    close(id, finished);
                    open.remove(r[at + HI], r[at + LO], r[at + TAG], (int)r[at + META] & 0xff);
                    free(id);
                }
            }
            final SliceLists.Slice next = slices.nextExpired(nowMicros, gap, s);
            slices.retain(s, kept);
            s = next;
        }
        if (!finished.isEmpty())
        {
            emit();
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
        for (int id = 0; id < used; id++)
        {
            if ((rows[id * STRIDE + META] & OPEN) != 0)
            {
                close(id, finished);
            }
        }
        open.clear();
        used = 0;
        freeCount = 0;
        stagedCount = 0;
        Arrays.fill(sketches, null);
        moreSensors.clear();
        slices.clear();
        emit();
    }

    /** Events open (not yet finished), for metrics. */
    public int openEvents()
    {
        return open.size() + stagedCount;
    }

    private void emit()
    {
        finished.sort(ORDER);
        finished.forEach(sink);
        finished.clear();
    }

    private static final Comparator<ScanEvent> ORDER = Comparator.comparingLong(ScanEvent::startMicros)
        .thenComparing(ScanEvent::srcText).thenComparingInt(ScanEvent::protocol).thenComparingInt(ScanEvent::port)
        .thenComparingInt(ScanEvent::trafficClass);

    private void close(final int id, final List<ScanEvent> out)
    {
        final long[] r = rows;
        final int at = id * STRIDE;
        final long hi = r[at + HI];
        final long lo = r[at + LO];
        final int trafficClass = (int)r[at + META] & 0xff;
        final long first = r[at + FIRST];
        final long last = r[at + LAST];
        final long packets = r[at + PACKETS];
        final boolean v4 = Addresses.isIpv4Mapped(hi, lo);
        double rate = Double.NaN;
        double coverage = Double.NaN;
        // the rate first: it is cheap, and a HyperLogLog estimate of the destinations reads 16 KB
        if (v4)
        {
            rate = rate(packets, first, last, scale);
            if (rate < params.minRatePps())
            {
                return;
            }
        }
        final long destinations = destinations(id);
        if (destinations < params.minDestinations())
        {
            return;
        }
        if (v4)
        {
            coverage = (double)destinations / darknetIpv4Addresses;
        }
        ScannerTool tool = null;
        for (int t = 0; t < TOOLS.length && tool == null; t++)
        {
            // every packet of the key is in a tool's scope or none is (the scope is a class and IP version)
            final long m = r[at + MATCHING + t];
            if (m > 0 && TOOLS[t].inScope(trafficClass, v4) && ScannerTool.attributes(m, packets))
            {
                tool = TOOLS[t];
            }
        }
        out.add(new ScanEvent(Addresses.toBytes(hi, lo), (int)(r[at + TAG] >>> 32), (int)r[at + TAG], trafficClass, first, last,
            packets, destinations, coverage, tool, rate, sensors(id)));
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
