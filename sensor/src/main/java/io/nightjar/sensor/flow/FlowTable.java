package io.nightjar.sensor.flow;

import io.nightjar.sensor.collections.AlignedMemory;
import io.nightjar.sensor.collections.DistinctLongLog;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.BackscatterDetail;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.sketch.DistinctSketch;

import java.util.Arrays;
import java.util.Objects;

/**
 * The flow records of the current time bin, in two parts:
 * <ul>
 *   <li>an <b>index</b>: a primitive open-addressing hash table (linear probing, power-of-two
 *       capacity, load at most 0.5) of {@code int} entries, each the flow's ordinal + 1 in the low
 *       bits (as many as {@code maxFlows} needs) and the top bits of the key's hash above them (a tag).
 *       4 bytes a slot, so it stays in the cache far longer than the records, and a probe compares
 *       tags before it touches a record;</li>
 *   <li>the <b>records</b>, by ordinal (order of creation): a 64-byte hot row (key, counters, TTLs,
 *       flags, first destination) touched by every packet, off the heap and aligned so that it is
 *       one cache line, and a 32-byte cold row (victim, first-SYN
 *       fields) touched only by ICMP errors and first SYNs. New flows are appended, so creating one
 *       costs no random miss.</li>
 * </ul>
 * Distinct destinations per flow are exact: a flow's first destination is kept in its hot row; from
 * the second distinct one on, (flow, destination hash) pairs are appended to a
 * {@link DistinctLongLog}, deduplicated by sorting when the bin's counts are read.
 *
 * <p>Backscatter flows also get a <b>detail row</b> ({@link BackscatterDetail}) in a side array,
 * touched only by backscatter packets and found from spare bits of the flow's hot row (just updated,
 * so in the cache): their packets per 10-s slot of the bin and the prefixes (/16, /48) of their
 * destinations (the flow's last prefix in the row; each change of prefix appended to a second log,
 * deduplicated when read). Other packets never touch it; at most {@link #MAX_DETAIL_ROWS} flows
 * per bin get one (then {@link #addBackscatter} returns false).
 *
 * <p>Nothing is allocated per packet: the arrays grow (by doubling) only while they are smaller than
 * their limits, i.e. during warm-up; past {@code maxFlows} new keys are refused and counted by the
 * caller. A closed bin lists flows by ordinal, so output is deterministic.
 *
 * <p>Single writer: the capture thread that owns the pipeline. Readers of a closed bin run on the
 * same thread, inside the bin-closed callback, before {@link #clear()}.
 */
public final class FlowTable
{
    // Hot row, byte offsets of its longs (one cache line).
    private static final int SRC_HI = 0;
    private static final int SRC_LO = 8;
    private static final int META = 16;
    private static final int PACKETS = 24;
    private static final int BYTES = 32;
    private static final int FIRST_NS = 40;
    private static final int LAST_NS = 48;
    private static final int MISC = 56;
    private static final int HOT = 64;
    // Cold row, in longs.
    private static final int VICTIM_HI = 0;
    private static final int VICTIM_LO = 1;
    private static final int SYN_OPTIONS = 2;
    private static final int SYN_MISC = 3;
    private static final int COLD = 4;

    private static final long OCCUPIED = 1L << 63;
    private static final long HAS_VICTIM = 1L << 62;
    // MISC bits: 0-7 flags union, 8-15 ttl min, 16-23 ttl max, 24 syn seen, 25 first destination
    // set, 26 further destinations in the log, 32-63 first destination hash.
    private static final long SYN_SEEN = 1L << 24;
    private static final long HAS_DESTINATION = 1L << 25;
    private static final long MORE_DESTINATIONS = 1L << 26;
    // SYN_MISC bits: 0-15 window, 16-24 window scale + 1, 25-28 option count, 32-48 mss + 1.

    private final int maxFlows;

    private final int ordinalMask;
    private int[] index;
    private int mask;
    private int resizeAt;
    private AlignedMemory hot;
    private long[] cold;
    private int size;

    private final DistinctLongLog destinations;

    private int[] destinationStart = new int[0];
    private int[] hashScratch = new int[0];
    private boolean grouped;

    // Backscatter detail: bits 40-61 of a flow's META hold its detail row + 1 (0: none), so that the
    // row is found from the hot row the packet has just updated, without another miss. A detail row is
    // DETAIL_HEAD ints (last prefix hash, flags) then slots ints of slot packets.
    private static final int DETAIL_PREFIX = 0;
    private static final int DETAIL_FLAGS = 1;
    private static final int DETAIL_HEAD = 2;
    private static final int HAS_PREFIX = 1;
    private static final int MORE_PREFIXES = 2;
    private int slots;
    private static final int DETAIL_SHIFT = 40;
    private static final long DETAIL_MASK = ((1L << 22) - 1) << DETAIL_SHIFT;
    /** Most backscatter flows with detail per bin (22 bits of META). */
    public static final int MAX_DETAIL_ROWS = (1 << 22) - 1;
    private int[] details = new int[0];
    private int detailRows;
    private final DistinctLongLog prefixes;
    private int[] prefixStart = new int[0];
    private int[] prefixScratch = new int[0];
    private boolean prefixesGrouped;

    /**
     * @param initialFlows    expected flows per bin (rounded up to a power of two, doubled for load).
     * @param maxFlows        hard limit of flows per bin.
     * @param maxDestinations hard limit of (flow, destination) pairs per bin kept beyond each flow's first.
     */
    public FlowTable(final int initialFlows, final int maxFlows, final int maxDestinations)
    {
        if (maxFlows < 1 || initialFlows < 1 || maxDestinations < 1)
        {
            throw new IllegalArgumentException("flow table sizes must be positive");
        }
        if (maxFlows > (Integer.MAX_VALUE - 64) / HOT)
        {
            throw new IllegalArgumentException("at most " + (Integer.MAX_VALUE - 64) / HOT + " flows per bin: " + maxFlows);
        }
        this.maxFlows = maxFlows;
        ordinalMask = (int)(Long.highestOneBit(maxFlows) * 2 - 1);
        final int capacity = capacityFor(Math.min(initialFlows, maxFlows));
        index = new int[capacity];
        mask = capacity - 1;
        resizeAt = capacity / 2;
        final int rows = Math.min(resizeAt, maxFlows);
        hot = allocateRows(rows);
        cold = new long[rows * COLD];
        destinations = new DistinctLongLog(Math.min(initialFlows * 4, maxDestinations), maxDestinations);
        prefixes = new DistinctLongLog(1024, maxDestinations);
    }

    /**
     * Sets the slots per bin of backscatter detail ({@link BackscatterDetail#slotsPerBin}; 0: slot
     * packets are not kept, destination prefixes still are). Call before the first packet.
     */
    public void backscatterSlots(final int slotsPerBin)
    {
        if (slotsPerBin < 0 || slotsPerBin > BackscatterDetail.MAX_SLOTS)
        {
            throw new IllegalArgumentException("slots per bin out of range: " + slotsPerBin);
        }
        if (size > 0)
        {
            throw new IllegalStateException("backscatter slots must be set while the table is empty");
        }
        slots = slotsPerBin;
    }

    /** Slots per bin of backscatter detail (0: none). */
    public int backscatterSlots()
    {
        return slots;
    }

    /**
     * Records the backscatter detail of one packet of flow {@code ordinal}: its slot in the bin
     * (clamped to the bin: a late packet goes to slot 0) and its destination's prefix hash
     * ({@link BackscatterDetail#prefixHash}). Only for backscatter packets; no allocation once warm.
     *
     * @return false if the prefix could not be recorded (the destination limit was reached).
     */
    public boolean addBackscatter(final int ordinal, final int slot, final int prefixHash)
    {
        final int at = base(ordinal) + META;
        final long meta = hot.getLong(at);
        int row = (int)((meta & DETAIL_MASK) >>> DETAIL_SHIFT) - 1;
        final int stride = DETAIL_HEAD + slots;
        if (row < 0)
        {
            if (detailRows == MAX_DETAIL_ROWS)
            {
                return false;
            }
            row = detailRows++;
            if ((row + 1) * stride > details.length)
            {
                details = Arrays.copyOf(details, Math.max((row + 1) * stride, details.length * 2));
            }
            Arrays.fill(details, row * stride, (row + 1) * stride, 0);
            hot.putLong(at, meta | (long)(row + 1) << DETAIL_SHIFT);
        }
        final int base = row * stride;
        if (slots > 0)
        {
            details[base + DETAIL_HEAD + Math.max(0, Math.min(slot, slots - 1))]++;
        }
        final int flags = details[base + DETAIL_FLAGS];
        if ((flags & HAS_PREFIX) == 0)
        {
            details[base + DETAIL_FLAGS] = flags | HAS_PREFIX;
            details[base + DETAIL_PREFIX] = prefixHash;
            return true;
        }
        final int last = details[base + DETAIL_PREFIX];
        if (last == prefixHash)
        {
            return true;
        }
        if ((flags & MORE_PREFIXES) == 0)
        {
            if (!prefixes.add(pair(row, last)))
            {
                return false;
            }
            details[base + DETAIL_FLAGS] = flags | MORE_PREFIXES;
        }
        details[base + DETAIL_PREFIX] = prefixHash;
        prefixesGrouped = false;
        return prefixes.add(pair(row, prefixHash));
    }

    /** Whether flow {@code ordinal} has backscatter detail. */
    public boolean hasBackscatterDetail(final int ordinal)
    {
        return detailRow(ordinal) >= 0;
    }

    private int detailRow(final int ordinal)
    {
        return (int)((hot.getLong(base(ordinal) + META) & DETAIL_MASK) >>> DETAIL_SHIFT) - 1;
    }

    /** Packets of flow {@code ordinal} in slot {@code slot} of the bin (0 without detail). */
    public int slotPackets(final int ordinal, final int slot)
    {
        final int row = detailRow(ordinal);
        return row < 0 ? 0 : details[row * (DETAIL_HEAD + slots) + DETAIL_HEAD + slot];
    }

    /** The serialised slot packets of flow {@code ordinal} ({@link BackscatterDetail}), or null without detail or slots (allocates). */
    public byte[] slotPacketsBytes(final int ordinal)
    {
        final int row = detailRow(ordinal);
        if (row < 0 || slots == 0)
        {
            return null;
        }
        return BackscatterDetail.encodeSlots(details, row * (DETAIL_HEAD + slots) + DETAIL_HEAD, slots);
    }

    /** The serialised {@link DistinctSketch} of flow {@code ordinal}'s destination prefixes, or null without detail (allocates). */
    public byte[] destinationPrefixesBytes(final int ordinal)
    {
        final int row = detailRow(ordinal);
        if (row < 0)
        {
            return null;
        }
        final DistinctSketch s = new DistinctSketch();
        final int base = row * (DETAIL_HEAD + slots);
        if ((details[base + DETAIL_FLAGS] & MORE_PREFIXES) == 0)
        {
            s.add(details[base + DETAIL_PREFIX]);
        }
        else
        {
            groupPrefixes();
            s.addSorted(prefixScratch, prefixStart[row], prefixStart[row + 1]);
        }
        return s.toBytes();
    }

    private void groupPrefixes()
    {
        if (prefixesGrouped)
        {
            return;
        }
        final int n = prefixes.compact();
        final long[] pairs = prefixes.values();
        if (prefixScratch.length < n)
        {
            prefixScratch = new int[Math.max(n, prefixScratch.length * 2)];
        }
        if (prefixStart.length < detailRows + 1)
        {
            prefixStart = new int[Math.max(detailRows + 1, prefixStart.length * 2)];
        }
        int row = 0;
        for (int i = 0; i < n; i++)
        {
            final int r = (int)(pairs[i] >>> 32) - 1;
            while (row <= r)
            {
                prefixStart[row++] = i;
            }
            prefixScratch[i] = (int)pairs[i] ^ 0x8000_0000;
        }
        while (row <= detailRows)
        {
            prefixStart[row++] = n;
        }
        prefixesGrouped = true;
    }

    private static AlignedMemory allocateRows(final int rows)
    {
        // off the heap, so that rows can be aligned to cache lines: one miss per row, not two
        return new AlignedMemory((long)rows * HOT);
    }

    /** Byte offset of flow {@code ordinal}'s hot row; checks that the flow exists (the rows' accesses are unchecked). */
    private int base(final int ordinal)
    {
        return Objects.checkIndex(ordinal, size) * HOT;
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

    /** Packs the non-address key fields. */
    public static long meta(final int protocol, final int port, final int trafficClass, final int fingerprint)
    {
        return ((long)(protocol & 0xff) << 32) | ((long)(port & 0xffff) << 16) | ((trafficClass & 0xff) << 8) | (fingerprint & 0xff);
    }

    /** The index hash of a flow key (as {@link #findOrCreate} computes it); for {@link #touch}. */
    public static int flowHash(final long srcHi, final long srcLo, final long meta, final boolean hasVictim, final long victimLo)
    {
        return hash(srcHi, srcLo, meta | OCCUPIED | (hasVictim ? HAS_VICTIM : 0), hasVictim ? victimLo : 0);
    }

    private static int hash(final long srcHi, final long srcLo, final long storedMeta, final long victimLo)
    {
        long h = srcHi * 0x9E3779B97F4A7C15L;
        h = (h ^ srcLo) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ storedMeta) * 0x165667B19E3779F9L;
        h = (h ^ victimLo) * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32) ^ (h >>> 17));
    }

    /**
     * Loads the index entry a key with this {@link #flowHash} starts probing at; returns it only so
     * that the load is not optimised away. Lets a caller start the cache misses of several packets
     * before it needs any of them ({@link #touchRows} next).
     */
    public int touchIndex(final int flowHash)
    {
        return index[flowHash & mask];
    }

    /**
     * Loads the rows (one cache line each) that {@link #findOrCreate} will update for the first
     * {@code n} of these {@link #flowHash}es: the row of the flow whose index entry matches a hash's
     * tag, probing past other flows' entries as {@code findOrCreate} will (the index lines are in the
     * cache after {@link #touchIndex}), or, for a key that is not in the table, the row that the
     * next new flow will be appended to (a new flow's row is a miss like any other: about a third of
     * the packets of darknet traffic start a flow). A hash of 0 stands for a packet that updates no
     * flow and is skipped. Returns a value only so that the loads are not optimised away.
     */
    public long touchRows(final int[] flowHashes, final int n)
    {
        final int[] idx = index;
        final AlignedMemory rows = hot;
        final int ordinals = ordinalMask;
        final int m = mask;
        final int rowLimit = (int)(rows.bytes() / HOT);
        int next = size;
        long sum = 0;
        for (int k = 0; k < n; k++)
        {
            final int h = flowHashes[k];
            if (h == 0)
            {
                continue;
            }
            final int tag = h & ~ordinals;
            int i = h & m;
            int e;
            int ordinal = -1;
            while ((e = idx[i]) != 0)
            {
                if ((e & ~ordinals) == tag)
                {
                    ordinal = (e & ordinals) - 1;
                    break;
                }
                i = (i + 1) & m;
            }
            if (ordinal < 0 && next < rowLimit)
            {
                // a key not seen yet in this bin: its flow will be appended
                ordinal = next++;
            }
            if (ordinal >= 0)
            {
                sum += rows.getLong((long)ordinal * HOT);
            }
        }
        return sum;
    }

    /**
     * Finds or creates the flow of a key and returns its ordinal, or -1 when the table is full.
     * {@code victimHi/victimLo} are used only when {@code hasVictim}.
     */
    public int findOrCreate(
        final long srcHi, final long srcLo, final long meta, final boolean hasVictim, final long victimHi, final long victimLo)
    {
        final long storedMeta = meta | OCCUPIED | (hasVictim ? HAS_VICTIM : 0);
        return findOrCreate(hash(srcHi, srcLo, storedMeta, hasVictim ? victimLo : 0), srcHi, srcLo, meta, hasVictim, victimHi, victimLo);
    }

    /** {@link #findOrCreate(long, long, long, boolean, long, long)} with the key's {@link #flowHash} already computed. */
    public int findOrCreate(
        final int h, final long srcHi, final long srcLo, final long meta, final boolean hasVictim, final long victimHi, final long victimLo)
    {
        final long storedMeta = meta | OCCUPIED | (hasVictim ? HAS_VICTIM : 0);
        final long vHi = hasVictim ? victimHi : 0;
        final long vLo = hasVictim ? victimLo : 0;
        final int[] idx = index;
        final AlignedMemory rows = hot;
        final int ordinals = ordinalMask;
        final int tag = h & ~ordinals;
        int i = h & mask;
        while (true)
        {
            final int e = idx[i];
            if (e == 0)
            {
                break;
            }
            if ((e & ~ordinals) == tag)
            {
                final int ordinal = (e & ordinals) - 1;
                final int base = ordinal * HOT;
                if ((rows.getLong(base + META) & ~DETAIL_MASK) == storedMeta && rows.getLong(base + SRC_LO) == srcLo && rows.getLong(base + SRC_HI) == srcHi &&
                    (!hasVictim || cold[ordinal * COLD + VICTIM_LO] == vLo && cold[ordinal * COLD + VICTIM_HI] == vHi))
                {
                    return ordinal;
                }
            }
            i = (i + 1) & mask;
        }
        if (size >= maxFlows)
        {
            return -1;
        }
        if (size >= resizeAt)
        {
            grow();
            return findOrCreate(h, srcHi, srcLo, meta, hasVictim, victimHi, victimLo);
        }
        final int ordinal = size++;
        idx[i] = tag | (ordinal + 1);
        final int base = ordinal * HOT;
        rows.putLong(base + SRC_HI, srcHi);
        rows.putLong(base + SRC_LO, srcLo);
        rows.putLong(base + META, storedMeta);
        rows.putLong(base + MISC, 0xff00L); // ttl min 255, ttl max 0
        if (hasVictim)
        {
            cold[ordinal * COLD + VICTIM_HI] = vHi;
            cold[ordinal * COLD + VICTIM_LO] = vLo;
        }
        return ordinal;
    }

    /** Adds one packet to the flow {@code ordinal}. */
    public void update(
        final int ordinal,
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
        final AlignedMemory s = hot;
        final int base = base(ordinal);
        final long packets = s.getLong(base + PACKETS);
        s.putLong(base + PACKETS, packets + 1);
        s.putLong(base + BYTES, s.getLong(base + BYTES) + wireLength);
        if (packets == 0 || timestampNanos < s.getLong(base + FIRST_NS))
        {
            s.putLong(base + FIRST_NS, timestampNanos);
        }
        if (packets == 0 || timestampNanos > s.getLong(base + LAST_NS))
        {
            s.putLong(base + LAST_NS, timestampNanos);
        }
        long misc = s.getLong(base + MISC) | (tcpFlags & 0xff);
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
            misc |= SYN_SEEN;
            cold[ordinal * COLD + SYN_OPTIONS] = optionKinds;
            cold[ordinal * COLD + SYN_MISC] = (window & 0xffff) | ((long)((windowScale + 1) & 0x1ff) << 16) |
                ((long)(optionCount & 0xf) << 25) | ((long)((mss + 1) & 0x1ffff) << 32);
        }
        s.putLong(base + MISC, misc);
    }

    /**
     * Records that the flow {@code ordinal} sent to a destination with this hash.
     *
     * @return false if the destination could not be recorded (the destination limit was reached:
     *         the flow's count is then a lower bound).
     */
    public boolean addDestination(final int ordinal, final int destinationHash)
    {
        // Most darknet flows see one destination: keep the first one in the row and use the log only
        // from the second distinct destination on.
        final AlignedMemory s = hot;
        final int base = base(ordinal);
        final long misc = s.getLong(base + MISC);
        if ((misc & HAS_DESTINATION) == 0)
        {
            s.putLong(base + MISC, misc | HAS_DESTINATION | ((long)destinationHash << 32));
            return true;
        }
        final int first = (int)(misc >>> 32);
        if (first == destinationHash)
        {
            return true;
        }
        if ((misc & MORE_DESTINATIONS) == 0)
        {
            if (!destinations.add(pair(ordinal, first)))
            {
                return false;
            }
            s.putLong(base + MISC, misc | MORE_DESTINATIONS);
        }
        grouped = false;
        return destinations.add(pair(ordinal, destinationHash));
    }

    private static long pair(final int ordinal, final int destinationHash)
    {
        // flip the hash's sign bit so that the pairs' order sorts hashes as signed ints
        return ((long)(ordinal + 1) << 32) | ((destinationHash ^ 0x8000_0000) & 0xffff_ffffL);
    }

    private void grow()
    {
        final int capacity = (mask + 1) * 2;
        index = new int[capacity];
        mask = capacity - 1;
        resizeAt = capacity / 2;
        final int rows = Math.min(resizeAt, maxFlows);
        final AlignedMemory old = hot;
        hot = allocateRows(rows);
        hot.copyFrom(old, (long)size * HOT);
        old.free();
        cold = Arrays.copyOf(cold, rows * COLD);
        for (int ordinal = 0; ordinal < size; ordinal++)
        {
            final int base = ordinal * HOT;
            final long m = hot.getLong(base + META) & ~DETAIL_MASK;
            final long vLo = (m & HAS_VICTIM) != 0 ? cold[ordinal * COLD + VICTIM_LO] : 0;
            final int h = hash(hot.getLong(base + SRC_HI), hot.getLong(base + SRC_LO), m, vLo);
            int i = h & mask;
            while (index[i] != 0)
            {
                i = (i + 1) & mask;
            }
            index[i] = (h & ~ordinalMask) | (ordinal + 1);
        }
    }

    /** Flows in the table. */
    public int size()
    {
        return size;
    }

    /** Entries of the flow index (its capacity). */
    public int capacity()
    {
        return mask + 1;
    }

    /** Distinct (flow, destination) pairs of the flows with more than one destination (sorts the pairs once per bin). */
    public int destinationPairs()
    {
        return destinations.compact();
    }

    /** Empties the table for the next bin, keeping its memory. */
    public void clear()
    {
        if (size * 8L >= index.length)
        {
            Arrays.fill(index, 0);
        }
        else
        {
            clearIndexEntries();
        }
        hot.zero(0, (long)size * HOT);
        Arrays.fill(cold, 0, size * COLD, 0L);
        if (detailRows > 0)
        {
            // the rows' META (detail bits included) are zeroed with the hot rows above
            detailRows = 0;
            prefixes.clear();
        }
        prefixesGrouped = false;
        size = 0;
        destinations.clear();
        grouped = false;
    }

    private void clearIndexEntries()
    {
        // few flows in a large index: find each flow's entry from its key instead of zeroing it all
        for (int ordinal = 0; ordinal < size; ordinal++)
        {
            final int base = ordinal * HOT;
            final long m = hot.getLong(base + META) & ~DETAIL_MASK;
            final long vLo = (m & HAS_VICTIM) != 0 ? cold[ordinal * COLD + VICTIM_LO] : 0;
            int i = hash(hot.getLong(base + SRC_HI), hot.getLong(base + SRC_LO), m, vLo) & mask;
            while ((index[i] & ordinalMask) != ordinal + 1)
            {
                i = (i + 1) & mask;
            }
            index[i] = 0;
        }
    }

    // ---- read access by ordinal (closed bin) ----

    /** Source address high bits of flow {@code ordinal}. */
    public long srcHi(final int ordinal)
    {
        return hot.getLong(base(ordinal) + SRC_HI);
    }

    /** Source address low bits. */
    public long srcLo(final int ordinal)
    {
        return hot.getLong(base(ordinal) + SRC_LO);
    }

    /** IP protocol. */
    public int protocol(final int ordinal)
    {
        return (int)(hot.getLong(base(ordinal) + META) >>> 32) & 0xff;
    }

    /** Port or ICMP type/code. */
    public int port(final int ordinal)
    {
        return (int)(hot.getLong(base(ordinal) + META) >>> 16) & 0xffff;
    }

    /** Traffic class id. */
    public int trafficClass(final int ordinal)
    {
        return (int)(hot.getLong(base(ordinal) + META) >>> 8) & 0xff;
    }

    /** Fingerprint mask. */
    public int fingerprint(final int ordinal)
    {
        return (int)hot.getLong(base(ordinal) + META) & 0xff;
    }

    /** Whether the flow has a victim (ICMP error with a quoted header). */
    public boolean hasVictim(final int ordinal)
    {
        return (hot.getLong(base(ordinal) + META) & HAS_VICTIM) != 0;
    }

    /** Victim address high bits. */
    public long victimHi(final int ordinal)
    {
        return cold[ordinal * COLD + VICTIM_HI];
    }

    /** Victim address low bits. */
    public long victimLo(final int ordinal)
    {
        return cold[ordinal * COLD + VICTIM_LO];
    }

    /** Packets. */
    public long packets(final int ordinal)
    {
        return hot.getLong(base(ordinal) + PACKETS);
    }

    /** Wire bytes. */
    public long bytes(final int ordinal)
    {
        return hot.getLong(base(ordinal) + BYTES);
    }

    /** First packet time, ns. */
    public long firstNanos(final int ordinal)
    {
        return hot.getLong(base(ordinal) + FIRST_NS);
    }

    /** Last packet time, ns. */
    public long lastNanos(final int ordinal)
    {
        return hot.getLong(base(ordinal) + LAST_NS);
    }

    /** Union of TCP flags. */
    public int tcpFlags(final int ordinal)
    {
        return (int)hot.getLong(base(ordinal) + MISC) & 0xff;
    }

    /** Minimum TTL. */
    public int ttlMin(final int ordinal)
    {
        return (int)(hot.getLong(base(ordinal) + MISC) >>> 8) & 0xff;
    }

    /** Maximum TTL. */
    public int ttlMax(final int ordinal)
    {
        return (int)(hot.getLong(base(ordinal) + MISC) >>> 16) & 0xff;
    }

    /** Whether a SYN was seen (and the SYN fields are set). */
    public boolean synSeen(final int ordinal)
    {
        return (hot.getLong(base(ordinal) + MISC) & SYN_SEEN) != 0;
    }

    /** Window of the first SYN, -1 if none. */
    public int synWindow(final int ordinal)
    {
        return synSeen(ordinal) ? (int)cold[ordinal * COLD + SYN_MISC] & 0xffff : -1;
    }

    /** Window-scale option of the first SYN, -1 if none. */
    public int synWindowScale(final int ordinal)
    {
        return ((int)(cold[ordinal * COLD + SYN_MISC] >>> 16) & 0x1ff) - 1;
    }

    /** Number of option kinds of the first SYN. */
    public int synOptionCount(final int ordinal)
    {
        return (int)(cold[ordinal * COLD + SYN_MISC] >>> 25) & 0xf;
    }

    /** Option kinds of the first SYN, packed (see {@link FlowRecord#optionSignature}). */
    public long synOptionKinds(final int ordinal)
    {
        return cold[ordinal * COLD + SYN_OPTIONS];
    }

    /** MSS option of the first SYN, -1 if none. */
    public int synMss(final int ordinal)
    {
        return ((int)(cold[ordinal * COLD + SYN_MISC] >>> 32) & 0x1ffff) - 1;
    }

    /** Hash of the first destination of flow {@code ordinal} (the only one when the count is 1). */
    public int firstDestination(final int ordinal)
    {
        return (int)(hot.getLong(base(ordinal) + MISC) >>> 32);
    }

    /** Distinct destinations (exact unless the destination limit was reached); sorts the bin's pairs on first use. */
    public long distinctDestinations(final int ordinal)
    {
        final long misc = hot.getLong(base(ordinal) + MISC);
        if ((misc & MORE_DESTINATIONS) != 0)
        {
            return destinationTo(ordinal) - destinationFrom(ordinal);
        }
        return (misc & HAS_DESTINATION) != 0 ? 1 : 0;
    }

    /**
     * The destination hashes of flow {@code ordinal}, sorted ascending and unique, are
     * {@code destinationHashes()[destinationFrom(ordinal) .. destinationTo(ordinal))}, except for a
     * flow with a single destination, which is kept in the row ({@link #firstDestination}). Groups the
     * pairs on first use after a bin closes (a sort, once per bin).
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
        final int n = destinations.compact();
        final long[] pairs = destinations.values();
        if (hashScratch.length < n)
        {
            hashScratch = new int[Math.max(n, hashScratch.length * 2)];
        }
        if (destinationStart.length < size + 1)
        {
            destinationStart = new int[Math.max(size + 1, destinationStart.length * 2)];
        }
        int ordinal = 0;
        for (int i = 0; i < n; i++)
        {
            final int o = (int)(pairs[i] >>> 32) - 1;
            while (ordinal <= o)
            {
                destinationStart[ordinal++] = i;
            }
            hashScratch[i] = (int)pairs[i] ^ 0x8000_0000;
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
            synSeen(ordinal) ? FlowRecord.optionSignature(synOptionKinds(ordinal), synOptionCount(ordinal), synMss(ordinal), synWindowScale(ordinal)) : "",
            slotPacketsBytes(ordinal),
            destinationPrefixesBytes(ordinal));
    }
}
