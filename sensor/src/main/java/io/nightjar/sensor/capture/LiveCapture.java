package io.nightjar.sensor.capture;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Captures one live interface through libpcap (pcap4j) on a dedicated thread and hands every packet
 * to a {@link PacketRing}: the thread only calls {@code pcap_dispatch} (one JNA call per kernel block,
 * not per packet) and copies, so it returns to the interface at once. Stopped with
 * {@code pcap_breakloop}, which wakes a blocked read even on a silent interface (libpcap 1.10 on
 * Linux), so {@link #stop()} returns within a second.
 *
 * <p>Capture statistics ({@code pcap_stats}: received, dropped by the kernel, dropped by the
 * interface) are read on the capture thread after each dispatch, at most every 100 ms, and published
 * for any thread as 64-bit totals since the start (libpcap's counters are 32-bit and wrap; each
 * reading adds its difference modulo 2^32, exact while fewer than 2^32 packets pass between two
 * readings); packets the ring had no room for are counted apart ({@link #ringDrops()}). A dispatch
 * that returned within 100 ms of the last reading leaves the statistics stale, and on a silent
 * interface the next dispatch may block for good (TPACKET_V3: libpcap waits for the kernel's next
 * block), so {@link #refreshStaleStats()}, called by the consumer while it waits, wakes the thread
 * with {@code pcap_breakloop} to take the reading.
 *
 * <p>pcap4j allocates inside its JNA callback (the packet's {@code byte[]}, a header structure and a
 * {@code Timestamp}); from the ring on, nothing is allocated per packet. One capture thread keeps up
 * with about 1-1.5M packets/s here (see {@code benchmarks/README.md}); use one capture per interface.
 *
 * <p>Needs root or the capabilities {@code CAP_NET_RAW} (and {@code CAP_NET_ADMIN} for promiscuous
 * mode and large buffers).
 */
public final class LiveCapture implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);
    private static final long STATS_INTERVAL_NANOS = 100_000_000L;

    private final LiveSettings settings;
    private final PcapHandle handle;
    private final int linkType;
    private final PacketRing ring;
    private final RawPacketListener listener = this::onRawPacket;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean finished;
    private volatile Throwable failure;
    private volatile long received;
    private volatile long kernelDrops;
    private volatile long interfaceDrops;
    private volatile long captured;
    private volatile long lastStatsNanos;
    /** Packets may have arrived since the last reading: set by the capture thread. */
    private volatile boolean statsStale;
    /** When {@link #refreshStaleStats()} last woke the thread: consumer thread only. */
    private long lastWakeNanos;
    /** libpcap's last raw (32-bit) readings: capture thread only. */
    private long rawReceived;
    private long rawKernelDrops;
    private long rawInterfaceDrops;
    private boolean closed;

    private LiveCapture(final LiveSettings settings, final PcapHandle handle, final PacketRing ring)
    {
        this.settings = settings;
        this.handle = handle;
        this.linkType = LinkType.fromDlt(handle.getDlt().value());
        this.ring = ring;
        this.thread = new Thread(this::run, "nightjar-capture-" + settings.interfaceName());
        this.thread.setDaemon(true);
    }

    /**
     * Opens the interface and starts capturing into {@code ring}.
     *
     * @throws IOException naming the interface, with libpcap's reason (no such device, no permission,
     *                     a bad filter).
     */
    public static LiveCapture start(final LiveSettings settings, final PacketRing ring) throws IOException
    {
        final String name = settings.interfaceName();
        final PcapHandle handle;
        try
        {
            handle = new PcapHandle.Builder(name)
                .snaplen(settings.snaplen())
                .promiscuousMode(settings.promiscuous() ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                    : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(settings.timeoutMillis())
                .bufferSize(settings.bufferBytes())
                .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                .build();
        }
        catch (final PcapNativeException ex)
        {
            throw new IOException("--interface " + name + ": libpcap cannot open it: " + ex.getMessage()
                + (String.valueOf(ex.getMessage()).contains("ermi") ? " (capture needs root or CAP_NET_RAW,CAP_NET_ADMIN)" : ""), ex);
        }
        try
        {
            if (settings.bpf() != null && !settings.bpf().isBlank())
            {
                handle.setFilter(settings.bpf(), BpfProgram.BpfCompileMode.OPTIMIZE);
            }
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            handle.close();
            throw new IOException("--bpf '" + settings.bpf() + "' on " + name + ": " + ex.getMessage(), ex);
        }
        final LiveCapture capture = new LiveCapture(settings, handle, ring);
        LOG.info("capture {}: link type {}, snaplen {}, {}, kernel buffer {} MiB, filter {}", name, capture.linkType,
            settings.snaplen(), settings.promiscuous() ? "promiscuous" : "not promiscuous", settings.bufferBytes() >> 20,
            settings.bpf() == null ? "none" : "'" + settings.bpf() + "'");
        capture.thread.start();
        return capture;
    }

    private void run()
    {
        try
        {
            while (running)
            {
                try
                {
                    handle.dispatch(-1, listener);
                }
                catch (final InterruptedException ex)
                {
                    // pcap_breakloop: stop() or a wake-up; the loop condition decides
                }
                final long now = System.nanoTime();
                if (now - lastStatsNanos >= STATS_INTERVAL_NANOS)
                {
                    readStats();
                    lastStatsNanos = now;
                    statsStale = false;
                }
                else
                {
                    statsStale = true;
                }
            }
            drainKernelBuffer();
            readStats();
        }
        catch (final PcapNativeException | NotOpenException | RuntimeException ex)
        {
            failure = ex;
            LOG.error("capture {} failed: {}", settings.interfaceName(), ex.toString());
        }
        finally
        {
            finished = true;
        }
    }

    /** On stop: takes what the kernel already holds (without waiting for more), for at most 500 ms. */
    private void drainKernelBuffer() throws PcapNativeException, NotOpenException
    {
        handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        final long until = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < until)
        {
            try
            {
                if (handle.dispatch(-1, listener) <= 0)
                {
                    return;
                }
            }
            catch (final InterruptedException ex)
            {
                // a breakloop still pending from stop(): read again
            }
        }
    }

    private void readStats() throws PcapNativeException, NotOpenException
    {
        final PcapStat s = handle.getStats();
        received += wrappingDelta(s.getNumPacketsReceived(), rawReceived);
        kernelDrops += wrappingDelta(s.getNumPacketsDropped(), rawKernelDrops);
        interfaceDrops += wrappingDelta(s.getNumPacketsDroppedByIf(), rawInterfaceDrops);
        rawReceived = s.getNumPacketsReceived();
        rawKernelDrops = s.getNumPacketsDropped();
        rawInterfaceDrops = s.getNumPacketsDroppedByIf();
    }

    /** How far a 32-bit libpcap counter moved from {@code previous} to {@code now} (both in [0, 2^32)). */
    static long wrappingDelta(final long now, final long previous)
    {
        return (now - previous) & 0xFFFF_FFFFL;
    }

    private void onRawPacket(final byte[] packet)
    {
        final long nanos = Pcap4jFileSource.timestampNanos(handle);
        final Integer wire = handle.getOriginalLength();
        if (ring.offer(packet, packet.length, wire == null ? packet.length : wire, nanos, linkType))
        {
            captured++;
        }
    }

    /** Asks the capture to stop and waits up to {@code millis} for its thread; true once it has stopped. */
    public boolean stop(final long millis) throws InterruptedException
    {
        running = false;
        try
        {
            handle.breakLoop();
        }
        catch (final NotOpenException ex)
        {
            // already closed
        }
        thread.join(millis);
        return !thread.isAlive();
    }

    /**
     * Wakes the capture thread to read the statistics if they are stale and the last reading is at
     * least 100 ms old (at most once per 100 ms); for the single consumer, while its ring is empty.
     */
    public void refreshStaleStats()
    {
        final long now = System.nanoTime();
        if (statsStale && running && now - lastStatsNanos >= STATS_INTERVAL_NANOS && now - lastWakeNanos >= STATS_INTERVAL_NANOS)
        {
            lastWakeNanos = now;
            try
            {
                handle.breakLoop();
            }
            catch (final NotOpenException ex)
            {
                // closed: nothing to read any more
            }
        }
    }

    /** Whether the capture thread has ended (stopped or failed). */
    public boolean finished()
    {
        return finished;
    }

    /** Why the capture thread ended, if it failed; else null. */
    public Throwable failure()
    {
        return failure;
    }

    /** The interface's name. */
    public String interfaceName()
    {
        return settings.interfaceName();
    }

    /** LINKTYPE_* of the interface. */
    public int linkType()
    {
        return linkType;
    }

    /** The ring this capture fills. */
    public PacketRing ring()
    {
        return ring;
    }

    /** Packets handed to the ring. */
    public long captured()
    {
        return captured;
    }

    /** {@code pcap_stats} ps_recv since the start: packets the filter accepted (Linux: including those dropped). */
    public long received()
    {
        return received;
    }

    /** {@code pcap_stats} ps_drop since the start: packets the kernel dropped for lack of buffer room. */
    public long kernelDrops()
    {
        return kernelDrops;
    }

    /** {@code pcap_stats} ps_ifdrop since the start: packets the interface dropped (0 where the driver does not say). */
    public long interfaceDrops()
    {
        return interfaceDrops;
    }

    /** Packets captured that the ring had no room for. */
    public long ringDrops()
    {
        return ring.rejected();
    }

    /** Every drop: kernel, interface and ring. */
    public long totalDrops()
    {
        return kernelDrops + interfaceDrops + ring.rejected();
    }

    @Override
    public synchronized void close() throws InterruptedException
    {
        if (closed)
        {
            return;
        }
        stop(2_000);
        if (!thread.isAlive())
        {
            closed = true;
            handle.close();
        }
    }
}
