package io.nightjar.sensor.metrics;

import io.nightjar.sensor.capture.LiveCapture;
import io.nightjar.sensor.live.LiveRun;
import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.ship.Shipper;
import io.nightjar.sensor.spool.SpoolWriter;
import io.nightjar.wire.metrics.PrometheusText;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.TrafficClass;
import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sensor's metrics in Prometheus text format: packets and bytes by class and anomaly counters
 * (added as each bin closes, so they move once a bin), live capture counters per interface (received,
 * kernel, interface and ring drops: current to 100 ms), flow-table occupancy, spool size, backlog and
 * evictions, and the shipper's batches, acknowledgements, reconnects and ACK latency percentiles.
 *
 * <p>Threads: {@link #onBinClosed} on the pipeline's thread (the only writer of the bin totals,
 * published through an {@link AtomicLongArray}); {@link #render()} on any thread.
 */
public final class SensorMetrics implements BinListener
{
    private static final int CLASS_PACKETS = 0;
    private static final int CLASS_BYTES = CLASS_PACKETS + TrafficClass.COUNT;
    private static final int ANOMALIES = CLASS_BYTES + TrafficClass.COUNT;
    private static final int NON_DARKNET_PACKETS = ANOMALIES + Anomaly.COUNT;
    private static final int NON_DARKNET_BYTES = NON_DARKNET_PACKETS + 1;
    private static final int CAPTURE_DROPS = NON_DARKNET_BYTES + 1;
    private static final int CAPTURE_RECEIVED = CAPTURE_DROPS + 1;
    private static final int CAPTURE_KERNEL_DROPS = CAPTURE_RECEIVED + 1;
    private static final int CAPTURE_INTERFACE_DROPS = CAPTURE_KERNEL_DROPS + 1;
    private static final int CAPTURE_RING_DROPS = CAPTURE_INTERFACE_DROPS + 1;
    private static final int BINS = CAPTURE_RING_DROPS + 1;
    private static final int FLOWS = BINS + 1;
    private static final int LAST_BIN_END_MICROS = FLOWS + 1;
    private static final int SIZE = LAST_BIN_END_MICROS + 1;

    private final AtomicLongArray totals = new AtomicLongArray(SIZE);
    private final long startMillis = System.currentTimeMillis();
    private volatile SpoolWriter spool;
    private volatile Shipper shipper;
    private volatile LiveRun live;

    @Override
    public void onBinClosed(final long binStartNanos, final long binLengthNanos, final BinCounters c, final FlowTable flows)
    {
        for (int i = 0; i < TrafficClass.COUNT; i++)
        {
            add(CLASS_PACKETS + i, c.classPackets[i]);
            add(CLASS_BYTES + i, c.classBytes[i]);
        }
        for (int i = 0; i < Anomaly.COUNT; i++)
        {
            add(ANOMALIES + i, c.anomalies[i]);
        }
        add(NON_DARKNET_PACKETS, c.nonDarknetPackets);
        add(NON_DARKNET_BYTES, c.nonDarknetBytes);
        add(CAPTURE_DROPS, c.captureDrops);
        add(CAPTURE_RECEIVED, c.captureReceived);
        add(CAPTURE_KERNEL_DROPS, c.captureKernelDrops);
        add(CAPTURE_INTERFACE_DROPS, c.captureInterfaceDrops);
        add(CAPTURE_RING_DROPS, c.captureRingDrops);
        add(BINS, 1);
        add(FLOWS, flows.size());
        totals.lazySet(LAST_BIN_END_MICROS, (binStartNanos + binLengthNanos) / 1000);
    }

    private void add(final int index, final long delta)
    {
        if (delta != 0)
        {
            totals.lazySet(index, totals.get(index) + delta);
        }
    }

    /** Reports the spool's size, backlog and evictions from now on. */
    public void spool(final SpoolWriter writer)
    {
        this.spool = writer;
    }

    /** Reports the shipper's counters from now on. */
    public void shipper(final Shipper s)
    {
        this.shipper = s;
    }

    /** Reports live capture counters from now on. */
    public void live(final LiveRun run)
    {
        this.live = run;
    }

    /** Packets of closed bins, per class id (for tests and the summary). */
    public long classPackets(final TrafficClass c)
    {
        return totals.get(CLASS_PACKETS + c.id());
    }

    /** The metrics, Prometheus text format 0.0.4. */
    public String render()
    {
        final PrometheusText t = new PrometheusText();
        t.family("nightjar_sensor_packets_total", "counter", "Packets of closed bins by traffic class.");
        for (final TrafficClass c : TrafficClass.values())
        {
            t.sample("nightjar_sensor_packets_total", totals.get(CLASS_PACKETS + c.id()), "class", c.key());
        }
        t.family("nightjar_sensor_bytes_total", "counter", "Wire bytes of closed bins by traffic class.");
        for (final TrafficClass c : TrafficClass.values())
        {
            t.sample("nightjar_sensor_bytes_total", totals.get(CLASS_BYTES + c.id()), "class", c.key());
        }
        t.family("nightjar_sensor_anomalies_total", "counter", "Malformed or unusual packets by anomaly (closed bins).");
        for (final Anomaly a : Anomaly.values())
        {
            t.sample("nightjar_sensor_anomalies_total", totals.get(ANOMALIES + a.id()), "anomaly", a.key());
        }
        t.single("nightjar_sensor_non_darknet_packets_total", "counter", "Well-formed IP packets to destinations outside the darknet.",
            totals.get(NON_DARKNET_PACKETS));
        t.single("nightjar_sensor_bin_capture_drops_total", "counter", "Capture drops counted into closed bins.",
            totals.get(CAPTURE_DROPS));
        t.single("nightjar_sensor_bin_capture_received_total", "counter", "libpcap ps_recv counted into closed bins.",
            totals.get(CAPTURE_RECEIVED));
        t.single("nightjar_sensor_bin_capture_kernel_drops_total", "counter", "libpcap ps_drop counted into closed bins.",
            totals.get(CAPTURE_KERNEL_DROPS));
        t.single("nightjar_sensor_bin_capture_interface_drops_total", "counter", "libpcap ps_ifdrop counted into closed bins.",
            totals.get(CAPTURE_INTERFACE_DROPS));
        t.single("nightjar_sensor_bin_capture_ring_drops_total", "counter", "Hand-over ring drops counted into closed bins.",
            totals.get(CAPTURE_RING_DROPS));
        t.single("nightjar_sensor_bins_closed_total", "counter", "Time bins closed.", totals.get(BINS));
        t.single("nightjar_sensor_flow_records_total", "counter", "Flow records produced by closed bins.", totals.get(FLOWS));
        t.single("nightjar_sensor_last_bin_end_seconds", "gauge", "End of the last closed bin, Unix time.",
            totals.get(LAST_BIN_END_MICROS) / 1e6);
        t.single("nightjar_sensor_start_time_seconds", "gauge", "Start of this process, Unix time.", startMillis / 1e3);
        renderLive(t);
        renderSpool(t);
        renderShipper(t);
        return t.toString();
    }

    private void renderLive(final PrometheusText t)
    {
        final LiveRun run = live;
        if (run == null)
        {
            return;
        }
        t.single("nightjar_sensor_flow_table_flows", "gauge", "Flows in the open bin's flow table.", run.flowTableSize());
        final var captures = run.captures();
        family(t, "nightjar_sensor_capture_packets_total", "counter", "Packets captured and handed to the pipeline.", captures,
            LiveCapture::captured);
        family(t, "nightjar_sensor_capture_received_total", "counter", "pcap_stats ps_recv: packets the kernel filter accepted.",
            captures, LiveCapture::received);
        family(t, "nightjar_sensor_capture_kernel_drops_total", "counter", "pcap_stats ps_drop: dropped for lack of kernel buffer.",
            captures, LiveCapture::kernelDrops);
        family(t, "nightjar_sensor_capture_interface_drops_total", "counter", "pcap_stats ps_ifdrop: dropped by the interface.",
            captures, LiveCapture::interfaceDrops);
        family(t, "nightjar_sensor_capture_ring_drops_total", "counter", "Captured packets the hand-over ring had no room for.",
            captures, LiveCapture::ringDrops);
        family(t, "nightjar_sensor_capture_ring_used_bytes", "gauge", "Bytes waiting in the hand-over ring.", captures,
            c -> c.ring().usedBytes());
    }

    private static void family(final PrometheusText t, final String name, final String type, final String help,
                               final Iterable<LiveCapture> captures, final java.util.function.ToLongFunction<LiveCapture> value)
    {
        t.family(name, type, help);
        for (final LiveCapture c : captures)
        {
            t.sample(name, value.applyAsLong(c), "interface", c.interfaceName());
        }
    }

    private void renderSpool(final PrometheusText t)
    {
        final SpoolWriter w = spool;
        if (w == null)
        {
            return;
        }
        t.single("nightjar_sensor_spool_bytes", "gauge", "Bytes of spooled documents kept.", w.sizeBytes());
        t.single("nightjar_sensor_spool_backlog_documents", "gauge", "Spool documents not yet acknowledged by the aggregator.", backlog(w));
        t.single("nightjar_sensor_spool_evicted_flow_records_total", "counter", "Flow records evicted by retention (all).",
            w.evictions().flowRecords());
        t.family("nightjar_sensor_spool_evicted_unshipped_flow_records_total", "counter",
                "Flow records evicted before the aggregator acknowledged them (lost to the aggregator).")
            .sample("nightjar_sensor_spool_evicted_unshipped_flow_records_total", w.evictions().unshippedFlowRecords());
    }

    private static long backlog(final SpoolWriter w)
    {
        try
        {
            final var queue = w.queue();
            final long last = queue.lastIndex();
            final long acked = w.mark().acknowledgedPosition();
            if (last < 0)
            {
                return 0;
            }
            final long from = acked <= 0 ? queue.firstIndex() : Math.max(acked + 1, queue.firstIndex());
            return from > last ? 0 : queue.countExcerpts(from, last + 1);
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    private void renderShipper(final PrometheusText t)
    {
        final Shipper s = shipper;
        if (s == null)
        {
            return;
        }
        t.single("nightjar_sensor_batches_sent_total", "counter", "Batches sent to the aggregator (resends included).", s.batchesSent());
        t.single("nightjar_sensor_batches_acknowledged_total", "counter", "Batches the aggregator acknowledged as durable.",
            s.batchesAcknowledged());
        t.single("nightjar_sensor_reconnects_total", "counter", "Reconnections to the aggregator.", s.reconnects());
        t.single("nightjar_sensor_connected", "gauge", "1 while connected to the aggregator.", s.connected() ? 1 : 0);
        final Histogram h = s.ackLatencyMicros().copy();
        t.family("nightjar_sensor_ack_latency_seconds", "summary", "Time from sending a batch to its acknowledgement (HdrHistogram).");
        for (final double q : new double[] {0.5, 0.9, 0.99, 0.999, 1.0})
        {
            t.sample("nightjar_sensor_ack_latency_seconds", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q * 100) / 1e6,
                "quantile", q == 1.0 ? "1" : Double.toString(q));
        }
        t.sample("nightjar_sensor_ack_latency_seconds_count", h.getTotalCount());
        t.sample("nightjar_sensor_ack_latency_seconds_sum", h.getTotalCount() == 0 ? 0 : h.getMean() * h.getTotalCount() / 1e6);
    }
}
