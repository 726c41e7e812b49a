package io.nightjar.sensor.flow;

import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.CaptureStats;
import io.nightjar.wire.schema.TrafficClass;

import java.util.Arrays;

/**
 * The running counters of the current time bin (packets and bytes per class, anomalies, traffic
 * outside the darknet, capture statistics). Plain fields, single writer: the pipeline's thread.
 */
public final class BinCounters
{
    /** Packets per traffic class id (darknet traffic, plus malformed and non-IP). */
    public final long[] classPackets = new long[TrafficClass.COUNT];
    /** Wire bytes per traffic class id. */
    public final long[] classBytes = new long[TrafficClass.COUNT];
    /** Count per anomaly id. */
    public final long[] anomalies = new long[Anomaly.COUNT];
    /** Well-formed IP packets to destinations outside the darknet. */
    public long nonDarknetPackets;
    /** Their wire bytes. */
    public long nonDarknetBytes;
    /** Packets with an IPv4 header. */
    public long ipv4Packets;
    /** Packets with an IPv6 header. */
    public long ipv6Packets;
    /** Packets lost by the capture during the bin: kernel, interface and ring drops together. */
    public long captureDrops;
    /** Live capture: libpcap ps_recv added during the bin (packets the kernel filter accepted). */
    public long captureReceived;
    /** Live capture: libpcap ps_drop added during the bin. */
    public long captureKernelDrops;
    /** Live capture: libpcap ps_ifdrop added during the bin. */
    public long captureInterfaceDrops;
    /** Live capture: packets the hand-over ring rejected during the bin. */
    public long captureRingDrops;
    /** First packet time, ns (valid when packets() &gt; 0). */
    public long firstNanos;
    /** Last packet time, ns. */
    public long lastNanos;
    /** Packets seen in the bin. */
    public long packets;

    /** Resets every counter. */
    public void clear()
    {
        Arrays.fill(classPackets, 0);
        Arrays.fill(classBytes, 0);
        Arrays.fill(anomalies, 0);
        nonDarknetPackets = 0;
        nonDarknetBytes = 0;
        ipv4Packets = 0;
        ipv6Packets = 0;
        captureDrops = 0;
        captureReceived = 0;
        captureKernelDrops = 0;
        captureInterfaceDrops = 0;
        captureRingDrops = 0;
        firstNanos = 0;
        lastNanos = 0;
        packets = 0;
    }

    /** Makes this a copy of {@code other} (no allocation). */
    public void copyFrom(final BinCounters other)
    {
        System.arraycopy(other.classPackets, 0, classPackets, 0, classPackets.length);
        System.arraycopy(other.classBytes, 0, classBytes, 0, classBytes.length);
        System.arraycopy(other.anomalies, 0, anomalies, 0, anomalies.length);
        nonDarknetPackets = other.nonDarknetPackets;
        nonDarknetBytes = other.nonDarknetBytes;
        ipv4Packets = other.ipv4Packets;
        ipv6Packets = other.ipv6Packets;
        captureDrops = other.captureDrops;
        captureReceived = other.captureReceived;
        captureKernelDrops = other.captureKernelDrops;
        captureInterfaceDrops = other.captureInterfaceDrops;
        captureRingDrops = other.captureRingDrops;
        firstNanos = other.firstNanos;
        lastNanos = other.lastNanos;
        packets = other.packets;
    }

    /** An immutable copy as the wire's bin summary. */
    public BinSummary toSummary(final long binStartNanos, final long binLengthNanos, final long flows)
    {
        return new BinSummary(
            binStartNanos / 1000,
            binLengthNanos / 1000,
            classPackets.clone(),
            classBytes.clone(),
            anomalies.clone(),
            nonDarknetPackets,
            nonDarknetBytes,
            ipv4Packets,
            ipv6Packets,
            captureDrops,
            new CaptureStats(captureReceived, captureKernelDrops, captureInterfaceDrops, captureRingDrops),
            flows,
            packets == 0 ? 0 : firstNanos / 1000,
            packets == 0 ? 0 : lastNanos / 1000);
    }
}
