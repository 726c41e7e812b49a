package io.nightjar.sensor.flow;

import io.nightjar.sensor.capture.PacketHandler;
import io.nightjar.sensor.classify.Classifier;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.decode.DecodedPacket;
import io.nightjar.sensor.decode.PacketDecoder;
import io.nightjar.wire.schema.Anomaly;
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
 * <p>Allocation-free per packet after warm-up; never throws for packet content. Single-threaded:
 * owned by one capture thread, which also receives the {@link BinListener} callbacks.
 */
public final class FlowPipeline implements PacketHandler
{
    private static final int PROTO_TCP = 6;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_ICMPV6 = 58;

    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket packet = new DecodedPacket();
    private final BinCounters counters = new BinCounters();
    private final Darknet darknet;
    private final long binLengthNanos;
    private final FlowTable table;
    private final BinListener listener;

    private boolean binOpen;
    private long binStartNanos;
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
        final DecodedPacket p = packet;
        decoder.decode(buffer, offset, capturedLength, wireLength, linkType, timestampNanos, p);
        packets++;

        final long bin = Math.floorDiv(timestampNanos, binLengthNanos) * binLengthNanos;
        final BinCounters c = counters;
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

        final int cls = Classifier.classify(p);
        final boolean ip = cls < TrafficClass.MALFORMED.id();
        if (ip && !darknet.contains(p.dstHi, p.dstLo))
        {
            c.nonDarknetPackets++;
            c.nonDarknetBytes += wireLength;
            countAnomalies(c, p.anomalies);
            return;
        }
        c.classPackets[cls]++;
        c.classBytes[cls] += wireLength;
        if (!ip)
        {
            countAnomalies(c, p.anomalies);
            return;
        }

        final int fingerprint = Classifier.fingerprint(p, cls);
        final int protocol = p.protocol;
        final int port;
        if (cls == TrafficClass.FRAGMENT.id() || cls == TrafficClass.OTHER.id())
        {
            port = 0;
        }
        else if (protocol == PROTO_ICMP || protocol == PROTO_ICMPV6)
        {
            port = (p.icmpType << 8) | p.icmpCode;
        }
        else if (protocol == PROTO_TCP && cls == TrafficClass.BACKSCATTER.id())
        {
            port = p.srcPort;
        }
        else
        {
            port = p.dstPort;
        }
        final FlowTable t = table;
        final int slot = t.findOrCreate(
            p.srcHi, p.srcLo, FlowTable.meta(protocol, port, cls, fingerprint), p.hasQuote, p.quotedDstHi, p.quotedDstLo);
        if (slot < 0)
        {
            p.anomalies |= 1 << Anomaly.FLOW_TABLE_FULL.id();
        }
        else
        {
            final boolean syn = protocol == PROTO_TCP && (p.tcpFlags & 0x02) != 0;
            t.update(slot, wireLength, timestampNanos, p.tcpFlags, p.ttl, syn, p.tcpWindow,
                p.tcpOptionKinds, p.tcpOptionCount, p.tcpMss, p.tcpWindowScale);
            if (!t.addDestination(slot, DistinctSketch.hashAddress(p.dstHi, p.dstLo)))
            {
                p.anomalies |= 1 << Anomaly.DESTINATION_SET_FULL.id();
            }
        }
        countAnomalies(c, p.anomalies);
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
     * Adds capture drops reported by the source to the current bin (opening none if no bin is open:
     * they then go into the next bin).
     */
    public void addCaptureDrops(final long drops)
    {
        counters.captureDrops += drops;
    }

    /**
     * Closes the current bin if wall-clock or source time {@code nowNanos} has passed its end, so
     * that a silent interface still produces bins. Returns whether a bin was closed.
     */
    public boolean advanceTo(final long nowNanos)
    {
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
        if (binOpen)
        {
            closeBin();
        }
    }

    /** Packets handled so far. */
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
