package io.nightjar.sensor.flow;

import io.nightjar.sensor.capture.PacketHandler;
import io.nightjar.sensor.classify.Classifier;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.decode.DecodedPacket;
import io.nightjar.sensor.decode.PacketDecoder;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BackscatterDetail;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;

import java.nio.ByteBuffer;

/**
 * The sensor's per-packet path: decode, classify, fingerprint, then count into the current time
 * bin's {@link BinCounters} and {@link FlowTable}. Bins are aligned to multiples of the bin length
 * since the epoch and advance by packet time, so a live capture and a replay of it give the same
 * bins. A packet from the bin just before the current one (out-of-order capture) is counted in the
 * current bin with the {@link Anomaly#LATE_PACKET} counter; a jump further back in time (the next
 * file of a replay, a clock step) closes the current bin and opens the earlier one.
 *
 * <p>Packets are decoded into a batch of {@value #BATCH}; when it is full, every packet's flow hash
 * is computed, then the flow index entries and the flow rows those packets will update are loaded
 * in two tight loops, so that their cache misses are in flight together instead of one after the
 * other; then the packets are counted in order, exactly as one at a time. A packet is in no bin and
 * no counter until its batch is counted: {@link #advanceTo}, {@link #addCaptureStats} and
 * {@link #finish} count the pending packets first, so bins, {@link #packets()} and drops are exact
 * at every call (a live capture calls {@code advanceTo} when idle).
 *
 * <p>Allocation-free per packet after warm-up; never throws for packet content. Single-threaded:
 * owned by one capture thread, which also receives the {@link BinListener} callbacks.
 */
public final class FlowPipeline implements PacketHandler
{
    /** Packets decoded before their flows are updated together. */
    public static final int BATCH = 32;

    private static final int PROTO_TCP = 6;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_ICMPV6 = 58;
    /** {@link #classes} value of a packet that updates no flow (counted by class or outside the darknet only). */
    private static final int NO_FLOW = -1;

    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket[] batch = new DecodedPacket[BATCH];
    private final int[] classes = new int[BATCH];
    private final int[] flowHashes = new int[BATCH];
    private final long[] metas = new long[BATCH];
    private int pending;
    private long touched;
    private final BinCounters counters = new BinCounters();
    private final Darknet darknet;
    private final long binLengthNanos;
    private final FlowTable table;
    private final BinListener listener;

    private boolean binOpen;
    private long binStartNanos;
    /** The 10-s slot of the last backscatter packet: [slotFromNanos, slotToNanos) of the current bin. */
    private long slotFromNanos;
    private long slotToNanos;
    private int slot;
    private long packets;
    private long binsClosed;

    /**
     * @param darknet        destinations whose traffic is summarised.
     * @param binLengthNanos bin length, ns (positive).
     * @param table          the flow table (owned by this pipeline from now on).
     * @param listener       receives closed bins.
     */
    public FlowPipeline(final Darknet darknet, final long binLengthNanos, final FlowTable table, final BinListener listener)
    {
        if (binLengthNanos <= 0)
        {
            throw new IllegalArgumentException("bin length must be positive: " + binLengthNanos + " ns");
        }
        this.darknet = darknet;
        this.binLengthNanos = binLengthNanos;
        this.table = table;
        this.listener = listener;
        // sub-bin detail of backscatter flows needs bins of whole 10-s slots; other lengths keep only their prefixes
        table.backscatterSlots(BackscatterDetail.slotsPerBin(binLengthNanos));
        for (int i = 0; i < BATCH; i++)
        {
            batch[i] = new DecodedPacket();
        }
    }

    @Override
    public void onPacket(
        final ByteBuffer buffer,
        final int offset,
        final int capturedLength,
        final int wireLength,
        final long timestampNanos,
        final int linkType)
    {
        decoder.decode(buffer, offset, capturedLength, wireLength, linkType, timestampNanos, batch[pending]);
        if (++pending == BATCH)
        {
            countBatch();
        }
    }

    /** Counts the pending packets, in order. */
    private void countBatch()
    {
        final int n = pending;
        if (n == 0)
        {
            return;
        }
        final DecodedPacket[] b = batch;
        final int[] cls = classes;
        final int[] hashes = flowHashes;
        final long[] meta = metas;
        final Darknet d = darknet;
        for (int i = 0; i < n; i++)
        {
            final DecodedPacket p = b[i];
            final int c = Classifier.classify(p);
            cls[i] = c;
            if (c < TrafficClass.MALFORMED.id() && d.contains(p.dstHi, p.dstLo))
            {
                final long m = FlowTable.meta(p.protocol, portOf(p, c), c, Classifier.fingerprint(p, c));
                meta[i] = m;
                hashes[i] = FlowTable.flowHash(p.srcHi, p.srcLo, m, p.hasQuote, p.quotedDstLo);
            }
            else
            {
                hashes[i] = 0;
                meta[i] = NO_FLOW;
            }
        }
        // only loads here: every miss of the batch is in flight at once
        final FlowTable t = table;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += t.touchIndex(hashes[i]);
        }
        sum += t.touchRows(hashes, n);
        touched += sum;
        final int backscatter = TrafficClass.BACKSCATTER.id();
        for (int i = 0; i < n; i++)
        {
            final int flow = count(b[i], cls[i], meta[i], hashes[i]);
            // the sub-bin detail of backscatter flows, out of count() so that its compiled code stays as it was
            if (cls[i] == backscatter && flow >= 0)
            {
                backscatter(t, flow, b[i]);
            }
        }
        pending = 0;
    }

    private static int portOf(final DecodedPacket p, final int cls)
    {
        final int protocol = p.protocol;
        if (cls == TrafficClass.FRAGMENT.id() || cls == TrafficClass.OTHER.id())
        {
            return 0;
        }
        if (protocol == PROTO_ICMP || protocol == PROTO_ICMPV6)
        {
            return (p.icmpType << 8) | p.icmpCode;
        }
        if (protocol == PROTO_TCP && cls == TrafficClass.BACKSCATTER.id())
        {
            return p.srcPort;
        }
        return p.dstPort;
    }

    /** Counts one packet; returns the ordinal of the flow it updated, or -1 if none. */
    private int count(final DecodedPacket p, final int cls, final long meta, final int flowHash)
    {
        final long timestampNanos = p.timestampNanos;
        final int wireLength = p.wireLength;
        packets++;
        final BinCounters c = counters;
        // the common case, a packet of the current bin, without a division (unsigned: no overflow at extreme times)
        if (!binOpen || timestampNanos < binStartNanos || Long.compareUnsigned(timestampNanos - binStartNanos, binLengthNanos) >= 0)
        {
            openOrCloseBin(p, timestampNanos);
        }
        if (c.packets == 0 || timestampNanos < c.firstNanos)
        {
            c.firstNanos = timestampNanos;
        }
        if (c.packets == 0 || timestampNanos > c.lastNanos)
        {
            c.lastNanos = timestampNanos;
        }
        c.packets++;
        if (p.ipVersion == 4)
        {
            c.ipv4Packets++;
        }
        else if (p.ipVersion == 6)
        {
            c.ipv6Packets++;
        }

        final boolean ip = cls < TrafficClass.MALFORMED.id();
        if (ip && meta == NO_FLOW)
        {
            c.nonDarknetPackets++;
            c.nonDarknetBytes += wireLength;
            countAnomalies(c, p.anomalies);
            return -1;
        }
        c.classPackets[cls]++;
        c.classBytes[cls] += wireLength;
        if (!ip)
        {
            countAnomalies(c, p.anomalies);
            return -1;
        }

        final int protocol = p.protocol;
        final FlowTable t = table;
        final int flow = t.findOrCreate(flowHash, p.srcHi, p.srcLo, meta, p.hasQuote, p.quotedDstHi, p.quotedDstLo);
        if (flow < 0)
        {
            p.anomalies |= 1 << Anomaly.FLOW_TABLE_FULL.id();
        }
        else
        {
            final boolean syn = protocol == PROTO_TCP && (p.tcpFlags & 0x02) != 0;
            t.update(flow, wireLength, timestampNanos, p.tcpFlags, p.ttl, syn, p.tcpWindow,
                p.tcpOptionKinds, p.tcpOptionCount, p.tcpMss, p.tcpWindowScale);
            if (!t.addDestination(flow, DistinctSketch.hashAddress(p.dstHi, p.dstLo)))
            {
                p.anomalies |= 1 << Anomaly.DESTINATION_SET_FULL.id();
            }
        }
        countAnomalies(c, p.anomalies);
        return flow;
    }

    private void backscatter(final FlowTable t, final int flow, final DecodedPacket p)
    {
        if (!addBackscatter(t, flow, p, p.timestampNanos) && (p.anomalies & 1 << Anomaly.DESTINATION_SET_FULL.id()) == 0)
        {
            // the packet's anomalies are already counted: count this one alone, once per packet
            counters.anomalies[Anomaly.DESTINATION_SET_FULL.id()]++;
        }
    }

    private boolean addBackscatter(final FlowTable t, final int flow, final DecodedPacket p, final long timestampNanos)
    {
        // packets come mostly in time order: the slot of the previous backscatter packet, without a division
        if (timestampNanos < slotFromNanos || timestampNanos >= slotToNanos)
        {
            final long offset = timestampNanos - binStartNanos;
            if (offset < 0)
            {
                // a late packet (before the bin): slot 0, not remembered
                return t.addBackscatter(flow, 0, BackscatterDetail.prefixHash(p.dstHi, p.dstLo));
            }
            final long s = offset / BackscatterDetail.SLOT_NANOS;
            slot = (int)Math.min(Integer.MAX_VALUE, s);
            slotFromNanos = binStartNanos + s * BackscatterDetail.SLOT_NANOS;
            slotToNanos = slotFromNanos + BackscatterDetail.SLOT_NANOS;
        }
        return t.addBackscatter(flow, slot, BackscatterDetail.prefixHash(p.dstHi, p.dstLo));
    }

    /** A packet outside the current bin (or no bin open): moves to its bin, or marks it late. */
    private void openOrCloseBin(final DecodedPacket p, final long timestampNanos)
    {
        final long bin = Math.floorDiv(timestampNanos, binLengthNanos) * binLengthNanos;
        if (!binOpen)
        {
            openBin(bin);
        }
        else if (bin > binStartNanos)
        {
            closeBin();
            openBin(bin);
        }
        else if (bin < binStartNanos)
        {
            if (binStartNanos - bin <= binLengthNanos)
            {
                // out of order by less than a bin: keep it in the current bin, counted
                p.anomalies |= 1 << Anomaly.LATE_PACKET.id();
            }
            else
            {
                // time went back by more than a bin (next file, clock step): start over from there
                closeBin();
                openBin(bin);
            }
        }
    }

    private static void countAnomalies(final BinCounters c, final int anomalies)
    {
        int a = anomalies;
        while (a != 0)
        {
            final int id = Integer.numberOfTrailingZeros(a);
            c.anomalies[id]++;
            a &= a - 1;
        }
    }

    private void openBin(final long bin)
    {
        binOpen = true;
        binStartNanos = bin;
        slotFromNanos = Long.MAX_VALUE;
        slotToNanos = Long.MIN_VALUE;
    }

    private void closeBin()
    {
        listener.onBinClosed(binStartNanos, binLengthNanos, counters, table);
        binsClosed++;
        counters.clear();
        table.clear();
        binOpen = false;
    }

    /**
     * Adds a live capture's statistics, as differences since the previous call (not cumulative), to
     * the current bin; when no bin is open (an idle interface whose bin closed on the clock) they go
     * into the next bin. The bin's {@code captureDrops} grows by the three drop counts.
     *
     * @param received       libpcap ps_recv since the last call.
     * @param kernelDrops    ps_drop since the last call.
     * @param interfaceDrops ps_ifdrop since the last call.
     * @param ringDrops      hand-over ring rejections since the last call.
     */
    public void addCaptureStats(final long received, final long kernelDrops, final long interfaceDrops, final long ringDrops)
    {
        countBatch();
        final BinCounters c = counters;
        c.captureReceived += received;
        c.captureKernelDrops += kernelDrops;
        c.captureInterfaceDrops += interfaceDrops;
        c.captureRingDrops += ringDrops;
        c.captureDrops += kernelDrops + interfaceDrops + ringDrops;
    }

    /**
     * Closes the current bin if wall-clock or source time {@code nowNanos} has passed its end, so
     * that a silent interface still produces bins. Returns whether a bin was closed.
     */
    public boolean advanceTo(final long nowNanos)
    {
        countBatch();
        if (binOpen && nowNanos >= binStartNanos + binLengthNanos)
        {
            closeBin();
            return true;
        }
        return false;
    }

    /** Closes the current bin, if any: call at the end of the input. */
    public void finish()
    {
        countBatch();
        if (binOpen)
        {
            closeBin();
        }
    }

    /** Packets counted into bins so far (those of a pending batch are not, until it is counted). */
    public long packets()
    {
        return packets;
    }

    /** Bins closed so far. */
    public long binsClosed()
    {
        return binsClosed;
    }

    /** Bin length, ns. */
    public long binLengthNanos()
    {
        return binLengthNanos;
    }

    /** The flow table (for occupancy metrics; read only from the pipeline's thread). */
    public FlowTable table()
    {
        return table;
    }
}
