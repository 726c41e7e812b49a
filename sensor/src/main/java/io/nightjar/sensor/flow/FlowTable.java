package io.nightjar.sensor.flow;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.sketch.DistinctSketch;

import java.util.Arrays;

/**
 * The flow records of the current time bin: a primitive open-addressing hash table (linear
 * probing, power-of-two capacity) over parallel {@code long} slots, plus a second open-addressing
 * set of (flow, destination-hash) pairs that counts distinct darknet destinations per flow exactly.
 *
 * <p>Nothing is allocated per packet: the tables grow (by doubling) only while they are smaller than
 * their limits, i.e. during warm-up; past {@code maxFlows} new keys are refused and counted by the
 * caller. Flows are numbered in order of creation (their <em>ordinal</em>), which is also the order
 * in which a closed bin lists them, so output is deterministic.
 *
 * <p>Single writer: the capture thread that owns the pipeline. Readers of a closed bin run on the
 * same thread, inside the bin-closed callback, before {@link #clear()}.
 */
public final class FlowTable
{
    // Slot layout, in longs.
    private static final int SRC_HI = 0;
    private static final int SRC_LO = 1;
    private static final int META = 2;
    private static final int VICTIM_HI = 3;
    private static final int VICTIM_LO = 4;
    private static final int PACKETS = 5;
    private static final int BYTES = 6;
    private static final int FIRST_NS = 7;
    private static final int LAST_NS = 8;
    private static final int MISC = 9;
    private static final int SYN_OPTIONS = 10;
    private static final int DISTINCT_MSS = 11;
    private static final int FIRST_DESTINATION = 12;
    private static final int STRIDE = 13;

    private static final long OCCUPIED = 1L << 63;
    private static final long HAS_VICTIM = 1L << 62;
    // MISC bits: 0-7 flags union, 8-15 ttl min, 16-23 ttl max, 24 syn seen, 25-40 syn window,
    // 41-49 window scale + 1, 50-53 option count.
    private static final long SYN_SEEN = 1L << 24;

    private final int maxFlows;
    private final int maxDestinations;

    private long[] slots;
    private int[] ordinalOfSlot;
    private int[] slotOfOrdinal;
    private int mask;
    private int size;
    private int resizeAt;

    private long[] destinations;
    private int destinationMask;
    private int destinationSize;
    private int destinationResizeAt;

    private long[] sortedDestinations = new long[0];
    private int[] destinationStart = new int[0];
    private int[] hashScratch = new int[0];
    private boolean grouped;

    /**
     * @param initialFlows    expected flows per bin (rounded up to a power of two, doubled for load).
     * @param maxFlows        hard limit of flows per bin.
     * @param maxDestinations hard limit of (flow, destination) pairs per bin.
     */
    public FlowTable(final int initialFlows, final int maxFlows, final int maxDestinations)
    {
        if (maxFlows < 1 || initialFlows < 1 || maxDestinations < 1)
        {
            throw new IllegalArgumentException("flow table sizes must be positive");
        }
        this.maxFlows = maxFlows;
        this.maxDestinations = maxDestinations;
        allocateFlows(capacityFor(Math.min(initialFlows, maxFlows)));
        allocateDestinations(capacityFor(Math.min(initialFlows * 4, maxDestinations)));
    }

    private static int capacityFor(final int entries)
    {
        // load factor at most 0.5 at the limit: probes stay short for random scanners
        final long want = Math.max(16L, (long)entries * 2);
        final long cap = Long.highestOneBit(want - 1) << 1;
        if (cap > (1 << 30))
        {
            throw new IllegalArgumentException("table too large: " + entries + " entries");
        }
        return (int)cap;
    }

    private void allocateFlows(final int capacity)
    {
        slots = new long[capacity * STRIDE];
        ordinalOfSlot = new int[capacity];
        mask = capacity - 1;
        resizeAt = capacity / 2;
        if (slotOfOrdinal == null || slotOfOrdinal.length < resizeAt + 1)
        {
            slotOfOrdinal = slotOfOrdinal == null ? new int[resizeAt + 1] : Arrays.copyOf(slotOfOrdinal, resizeAt + 1);
        }
    }

    private void allocateDestinations(final int capacity)
    {
        destinations = new long[capacity];
        destinationMask = capacity - 1;
        destinationResizeAt = capacity / 2;
    }

    /** Packs the non-address key fields. */
    public static long meta(final int protocol, final int port, final int trafficClass, final int fingerprint)
    {
        return ((long)(protocol & 0xff) << 32) | ((long)(port & 0xffff) << 16) | ((trafficClass & 0xff) << 8) | (fingerprint & 0xff);
    }

    private static int hash(final long srcHi, final long srcLo, final long meta, final long victimLo)
    {
        long h = srcHi * 0x9E3779B97F4A7C15L;
        h = (h ^ srcLo) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ meta) * 0x165667B19E3779F9L;
        h = (h ^ victimLo) * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32) ^ (h >>> 17));
    }

    /**
     * Finds or creates the flow of a key and returns its slot, or -1 when the table is full.
     * {@code victimHi/victimLo} are used only when {@code hasVictim}.
     */
    public int findOrCreate(
        final long srcHi, final long srcLo, final long meta, final boolean hasVictim, final long victimHi, final long victimLo)
    {
        final long storedMeta = meta | OCCUPIED | (hasVictim ? HAS_VICTIM : 0);
        final long vHi = hasVictim ? victimHi : 0;
        final long vLo = hasVictim ? victimLo : 0;
        final long[] s = slots;
        int slot = hash(srcHi, srcLo, storedMeta, vLo) & mask;
        while (true)
        {
            final int base = slot * STRIDE;
            final long m = s[base + META];
            if (m == 0)
            {
                break;
            }
            if (m == storedMeta && s[base + SRC_LO] == srcLo && s[base + SRC_HI] == srcHi &&
                s[base + VICTIM_LO] == vLo && s[base + VICTIM_HI] == vHi)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        if (size >= maxFlows)
        {
            return -1;
        }
        if (size >= resizeAt)
        {
            grow();
            return findOrCreate(srcHi, srcLo, meta, hasVictim, victimHi, victimLo);
        }
        final int base = slot * STRIDE;
        s[base + SRC_HI] = srcHi;
        s[base + SRC_LO] = srcLo;
        s[base + META] = storedMeta;
        s[base + VICTIM_HI] = vHi;
        s[base + VICTIM_LO] = vLo;
        s[base + MISC] = 0xff00L; // ttl min 255, ttl max 0
        ordinalOfSlot[slot] = size;
        slotOfOrdinal[size] = slot;
        size++;
        return slot;
    }

    /** Adds one packet to the flow in {@code slot}. */
    public void update(
        final int slot,
        final int wireLength,
        final long timestampNanos,
        final int tcpFlags,
        final int ttl,
        final boolean syn,
        final int window,
        final long optionKinds,
        final int optionCount,
        final int mss,
        final int windowScale)
    {
        final long[] s = slots;
        final int base = slot * STRIDE;
        final long packets = s[base + PACKETS];
        s[base + PACKETS] = packets + 1;
        s[base + BYTES] += wireLength;
        if (packets == 0 || timestampNanos < s[base + FIRST_NS])
        {
            s[base + FIRST_NS] = timestampNanos;
        }
        if (packets == 0 || timestampNanos > s[base + LAST_NS])
        {
            s[base + LAST_NS] = timestampNanos;
        }
        long misc = s[base + MISC] | (tcpFlags & 0xff);
        final int ttlMin = (int)(misc >>> 8) & 0xff;
        final int ttlMax = (int)(misc >>> 16) & 0xff;
        if (ttl < ttlMin)
        {
            misc = (misc & ~0xff00L) | ((long)ttl << 8);
        }
        if (ttl > ttlMax)
        {
            misc = (misc & ~0xff0000L) | ((long)ttl << 16);
        }
        if (syn && (misc & SYN_SEEN) == 0)
        {
            misc |= SYN_SEEN | ((long)(window & 0xffff) << 25) | ((long)((windowScale + 1) & 0x1ff) << 41) |
                ((long)(optionCount & 0xf) << 50);
            s[base + SYN_OPTIONS] = optionKinds;
            s[base + DISTINCT_MSS] = (s[base + DISTINCT_MSS] & 0xffff_ffffL) | ((long)((mss + 1) & 0x1ffff) << 32);
        }
        s[base + MISC] = misc;
    }

    /**
     * Records that the flow in {@code slot} sent to a destination with this hash; counts it if new.
     *
     * @return false if the destination set is full (the count is then a lower bound).
     */
    public boolean addDestination(final int slot, final int destinationHash)
    {
        // Most darknet flows see one destination: keep the first one in the slot and touch the
        // destination set only from the second distinct destination on.
        final long[] s = slots;
        final int base = slot * STRIDE;
        final long distinct = s[base + DISTINCT_MSS] & 0xffff_ffffL;
        if (distinct == 0)
        {
            s[base + FIRST_DESTINATION] = destinationHash;
            s[base + DISTINCT_MSS]++;
            return true;
        }
        if (distinct == 1)
        {
            final int first = (int)s[base + FIRST_DESTINATION];
            if (first == destinationHash)
            {
                return true;
            }
            if (!insertDestination(slot, first))
            {
                return false;
            }
        }
        return insertDestination(slot, destinationHash);
    }

    private boolean insertDestination(final int slot, final int destinationHash)
    {
        final long key = ((long)(ordinalOfSlot[slot] + 1) << 32) | (destinationHash & 0xffff_ffffL);
        final long[] d = destinations;
        int i = (int)DistinctSketch.mix64(key) & destinationMask;
        while (true)
        {
            final long k = d[i];
            if (k == key)
            {
                return true;
            }
            if (k == 0)
            {
                break;
            }
            i = (i + 1) & destinationMask;
        }
        if (destinationSize >= destinationResizeAt)
        {
            if (destinations.length / 2 >= maxDestinations)
            {
                return false;
            }
            growDestinations();
            return insertDestination(slot, destinationHash);
        }
        d[i] = key;
        destinationSize++;
        final int base = slot * STRIDE;
        // the first destination was counted when it was kept in the slot
        if ((slots[base + DISTINCT_MSS] & 0xffff_ffffL) != 1 || (int)slots[base + FIRST_DESTINATION] != destinationHash)
        {
            slots[base + DISTINCT_MSS]++;
        }
        return true;
    }

    private void grow()
    {
        final long[] old = slots;
        final int oldCapacity = mask + 1;
        allocateFlows(oldCapacity * 2);
        final int n = size;
        for (int ordinal = 0; ordinal < n; ordinal++)
        {
            final int oldBase = slotOfOrdinalBeforeGrow(ordinal) * STRIDE;
            int slot = hash(old[oldBase + SRC_HI], old[oldBase + SRC_LO], old[oldBase + META], old[oldBase + VICTIM_LO]) & mask;
            while (slots[slot * STRIDE + META] != 0)
            {
                slot = (slot + 1) & mask;
            }
            System.arraycopy(old, oldBase, slots, slot * STRIDE, STRIDE);
            ordinalOfSlot[slot] = ordinal;
            slotOfOrdinal[ordinal] = slot;
        }
    }

    private int slotOfOrdinalBeforeGrow(final int ordinal)
    {
        return slotOfOrdinal[ordinal];
    }

    private void growDestinations()
    {
        final long[] old = destinations;
        allocateDestinations(old.length * 2);
        for (final long key : old)
        {
            if (key != 0)
            {
                int i = (int)DistinctSketch.mix64(key) & destinationMask;
                while (destinations[i] != 0)
                {
                    i = (i + 1) & destinationMask;
                }
                destinations[i] = key;
            }
        }
    }

    /** Flows in the table. */
    public int size()
    {
        return size;
    }

    /** Slots of the flow table (its capacity). */
    public int capacity()
    {
        return mask + 1;
    }

    /** (flow, destination) pairs recorded. */
    public int destinationPairs()
    {
        return destinationSize;
    }

    /** Empties the table for the next bin, keeping its memory. Cost proportional to the flows, not the capacity, unless most slots were used. */
    public void clear()
    {
        final long[] s = slots;
        for (int ordinal = 0; ordinal < size; ordinal++)
        {
            final int base = slotOfOrdinal[ordinal] * STRIDE;
            Arrays.fill(s, base, base + STRIDE, 0L);
        }
        size = 0;
        if (destinationSize > 0)
        {
            Arrays.fill(destinations, 0L);
            destinationSize = 0;
        }
        grouped = false;
    }

    // ---- read access by ordinal (closed bin) ----

    private int base(final int ordinal)
    {
        return slotOfOrdinal[ordinal] * STRIDE;
    }

    /** Source address high bits of flow {@code ordinal}. */
    public long srcHi(final int ordinal)
    {
        return slots[base(ordinal) + SRC_HI];
    }

    /** Source address low bits. */
    public long srcLo(final int ordinal)
    {
        return slots[base(ordinal) + SRC_LO];
    }

    /** IP protocol. */
    public int protocol(final int ordinal)
    {
        return (int)(slots[base(ordinal) + META] >>> 32) & 0xff;
    }

    /** Port or ICMP type/code. */
    public int port(final int ordinal)
    {
        return (int)(slots[base(ordinal) + META] >>> 16) & 0xffff;
    }

    /** Traffic class id. */
    public int trafficClass(final int ordinal)
    {
        return (int)(slots[base(ordinal) + META] >>> 8) & 0xff;
    }

    /** Fingerprint mask. */
    public int fingerprint(final int ordinal)
    {
        return (int)slots[base(ordinal) + META] & 0xff;
    }

    /** Whether the flow has a victim (ICMP error with a quoted header). */
    public boolean hasVictim(final int ordinal)
    {
        return (slots[base(ordinal) + META] & HAS_VICTIM) != 0;
    }

    /** Victim address high bits. */
    public long victimHi(final int ordinal)
    {
        return slots[base(ordinal) + VICTIM_HI];
    }

    /** Victim address low bits. */
    public long victimLo(final int ordinal)
    {
        return slots[base(ordinal) + VICTIM_LO];
    }

    /** Packets. */
    public long packets(final int ordinal)
    {
        return slots[base(ordinal) + PACKETS];
    }

    /** Wire bytes. */
    public long bytes(final int ordinal)
    {
        return slots[base(ordinal) + BYTES];
    }

    /** First packet time, ns. */
    public long firstNanos(final int ordinal)
    {
        return slots[base(ordinal) + FIRST_NS];
    }

    /** Last packet time, ns. */
    public long lastNanos(final int ordinal)
    {
        return slots[base(ordinal) + LAST_NS];
    }

    /** Union of TCP flags. */
    public int tcpFlags(final int ordinal)
    {
        return (int)slots[base(ordinal) + MISC] & 0xff;
    }

    /** Minimum TTL. */
    public int ttlMin(final int ordinal)
    {
        return (int)(slots[base(ordinal) + MISC] >>> 8) & 0xff;
    }

    /** Maximum TTL. */
    public int ttlMax(final int ordinal)
    {
        return (int)(slots[base(ordinal) + MISC] >>> 16) & 0xff;
    }

    /** Whether a SYN was seen (and the SYN fields are set). */
    public boolean synSeen(final int ordinal)
    {
        return (slots[base(ordinal) + MISC] & SYN_SEEN) != 0;
    }

    /** Window of the first SYN, -1 if none. */
    public int synWindow(final int ordinal)
    {
        final long misc = slots[base(ordinal) + MISC];
        return (misc & SYN_SEEN) == 0 ? -1 : (int)(misc >>> 25) & 0xffff;
    }

    /** Window-scale option of the first SYN, -1 if none. */
    public int synWindowScale(final int ordinal)
    {
        return ((int)(slots[base(ordinal) + MISC] >>> 41) & 0x1ff) - 1;
    }

    /** Number of option kinds of the first SYN. */
    public int synOptionCount(final int ordinal)
    {
        return (int)(slots[base(ordinal) + MISC] >>> 50) & 0xf;
    }

    /** Option kinds of the first SYN, packed (see {@link FlowRecord#optionSignature}). */
    public long synOptionKinds(final int ordinal)
    {
        return slots[base(ordinal) + SYN_OPTIONS];
    }

    /** MSS option of the first SYN, -1 if none. */
    public int synMss(final int ordinal)
    {
        return ((int)(slots[base(ordinal) + DISTINCT_MSS] >>> 32) & 0x1ffff) - 1;
    }

    /** Hash of the first destination of flow {@code ordinal} (the only one when the count is 1). */
    public int firstDestination(final int ordinal)
    {
        return (int)slots[base(ordinal) + FIRST_DESTINATION];
    }

    /** Distinct destinations (exact unless the destination set overflowed). */
    public long distinctDestinations(final int ordinal)
    {
        return slots[base(ordinal) + DISTINCT_MSS] & 0xffff_ffffL;
    }

    /**
     * The destination hashes of flow {@code ordinal}, sorted ascending and unique, are
     * {@code destinationHashes()[destinationFrom(ordinal) .. destinationTo(ordinal))}, except for a
     * flow with a single destination, which is kept in the slot ({@link #firstDestination}). Groups the
     * destination set on first use after a bin closes (a sort, once per bin).
     */
    public int destinationFrom(final int ordinal)
    {
        group();
        return destinationStart[ordinal];
    }

    /** End (exclusive) of the destination hashes of flow {@code ordinal}. */
    public int destinationTo(final int ordinal)
    {
        group();
        return destinationStart[ordinal + 1];
    }

    /** The grouped destination hashes (see {@link #destinationFrom}). */
    public int[] destinationHashes()
    {
        group();
        return hashScratch;
    }

    private void group()
    {
        if (grouped)
        {
            return;
        }
        if (sortedDestinations.length < destinationSize)
        {
            sortedDestinations = new long[destinationSize];
            hashScratch = new int[destinationSize];
        }
        int n = 0;
        for (final long key : destinations)
        {
            if (key != 0)
            {
                // flip the sign bit of the hash so that signed order of the long sorts hashes as signed ints
                sortedDestinations[n++] = key ^ 0x8000_0000L;
            }
        }
        Arrays.sort(sortedDestinations, 0, n);
        if (destinationStart.length < size + 1)
        {
            destinationStart = new int[size + 1];
        }
        int ordinal = 0;
        for (int i = 0; i < n; i++)
        {
            final int o = (int)(sortedDestinations[i] >>> 32) - 1;
            while (ordinal <= o)
            {
                destinationStart[ordinal++] = i;
            }
            hashScratch[i] = (int)sortedDestinations[i] ^ 0x8000_0000;
        }
        while (ordinal <= size)
        {
            destinationStart[ordinal++] = n;
        }
        grouped = true;
    }

    /** A value copy of flow {@code ordinal} (allocates; for sinks off the per-packet path and tests). */
    public FlowRecord toRecord(final int ordinal, final long binStartMicros, final long binLengthMicros, final boolean withSketch)
    {
        byte[] sketch = null;
        if (withSketch)
        {
            final DistinctSketch s = new DistinctSketch();
            final int from = destinationFrom(ordinal);
            final int to = destinationTo(ordinal);
            if (from == to && distinctDestinations(ordinal) == 1)
            {
                s.add(firstDestination(ordinal));
            }
            else
            {
                s.addSorted(destinationHashes(), from, to);
            }
            sketch = s.toBytes();
        }
        final boolean hasVictim = hasVictim(ordinal);
        return new FlowRecord(
            binStartMicros,
            binLengthMicros,
            Addresses.toBytes(srcHi(ordinal), srcLo(ordinal)),
            protocol(ordinal),
            port(ordinal),
            trafficClass(ordinal),
            fingerprint(ordinal),
            hasVictim ? Addresses.toBytes(victimHi(ordinal), victimLo(ordinal)) : null,
            packets(ordinal),
            bytes(ordinal),
            distinctDestinations(ordinal),
            sketch,
            firstNanos(ordinal) / 1000,
            lastNanos(ordinal) / 1000,
            tcpFlags(ordinal),
            ttlMin(ordinal),
            ttlMax(ordinal),
            synWindow(ordinal),
            synSeen(ordinal) ? FlowRecord.optionSignature(synOptionKinds(ordinal), synOptionCount(ordinal), synMss(ordinal), synWindowScale(ordinal)) : "");
    }
}
