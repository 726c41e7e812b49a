package io.nightjar.sensor.summary;

import io.nightjar.wire.events.DosAttack;
import io.nightjar.wire.events.DosAttackDetector;
import io.nightjar.wire.events.ScanEvent;
import io.nightjar.wire.events.ScanEventDetector;
import io.nightjar.wire.schema.TrafficClass;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The scan events and DoS attacks of one summarised capture: the shared detectors
 * ({@link ScanEventDetector}, {@link DosAttackDetector}) fed with every closed bin's flow records,
 * one sensor ("local"). Results are sorted: scan events by packets (most first), DoS attacks by
 * packets (most first), ties by start and address.
 *
 * <p>Single-threaded: the {@link RunSummary}'s thread (the summary agent's, or the pipeline's).
 */
public final class EventSummary
{
    /** Sensor id the events of a summarised capture carry. */
    public static final String SENSOR = "local";

    private final ScanEventDetector.Params scanParams;
    private final ScanEventDetector scans;
    private final DosAttackDetector dos;
    /** Indexes of the scan-class flows of a bin, fed to the scan detector 32 at a time. */
    private final int[] scanBatch = new int[32];
    /** Sum of the prefetching loads' values, kept so that they are not optimised away. */
    private long touched;
    private final List<ScanEvent> scanEvents = new ArrayList<>();
    private final List<DosAttack> dosAttacks = new ArrayList<>();
    private final long darknetIpv4Addresses;
    private long endMicros = Long.MIN_VALUE;
    private boolean finished;

    /**
     * @param darknetIpv4Addresses the darknet's IPv4 addresses (1 .. 2^32), for the scan rate's scale.
     */
    public EventSummary(final ScanEventDetector.Params scanParams, final DosAttackDetector.Params dosParams, final long darknetIpv4Addresses)
    {
        this.scanParams = scanParams;
        this.darknetIpv4Addresses = darknetIpv4Addresses;
        this.scans = new ScanEventDetector(scanParams, darknetIpv4Addresses, scanEvents::add);
        this.dos = new DosAttackDetector(dosParams, dosAttacks::add);
    }

    /** Default thresholds (ORION; Moore et al. / CAIDA RSDoS). */
    public static EventSummary withDefaults(final long darknetIpv4Addresses)
    {
        return new EventSummary(ScanEventDetector.Params.defaults(), DosAttackDetector.Params.defaults(), darknetIpv4Addresses);
    }

    /** The classes whose flows feed the scan detector (their destinations are copied into the snapshot). */
    int scanClassMask()
    {
        return scanParams.classMask();
    }

    /** Feeds one closed bin (copied with event detail). */
    void add(final BinSnapshot b)
    {
        final long bin = b.binStartNanos / 1000;
        final int mask = scanParams.classMask();
        final int[] batch = scanBatch;
        int n = 0;
        for (int f = 0; f < b.flows; f++)
        {
            final int key = b.classFingerprintPort[f];
            final int cls = key >>> 24;
            if ((mask & (1 << cls)) != 0)
            {
                batch[n++] = f;
                if (n == batch.length)
                {
                    addScans(b, bin, batch, n);
                    n = 0;
                }
            }
            else if (cls == TrafficClass.BACKSCATTER.id())
            {
                dos.add(bin, b.srcHi[f], b.srcLo[f], b.protocol[f], key & 0xffff, cls, b.hasVictim[f],
                    b.victimHi[f], b.victimLo[f], b.packets[f], b.firstMicros[f], b.lastMicros[f], b.slotPackets[f], b.prefixes[f], SENSOR);
            }
        }
        addScans(b, bin, batch, n);
        endMicros = Math.max(endMicros, (b.binStartNanos + b.binLengthNanos) / 1000);
        scans.advanceTo(endMicros);
        dos.advanceTo(endMicros);
    }

    /**
     * Feeds the scan detector the flows {@code batch[0 .. n)} of {@code b}: first only the loads of
     * their open-event table slots, then of their open events, then the records, so that the
     * batch's cache misses overlap (JFR put half of this thread's samples in the table's probe).
     */
    private void addScans(final BinSnapshot b, final long bin, final int[] batch, final int n)
    {
        final ScanEventDetector d = scans;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final int f = batch[i];
            sum += d.prefetchKey(b.srcHi[f], b.srcLo[f], b.protocol[f], b.classFingerprintPort[f] & 0xffff, b.classFingerprintPort[f] >>> 24);
        }
        for (int i = 0; i < n; i++)
        {
            final int f = batch[i];
            sum += d.prefetchEvent(b.srcHi[f], b.srcLo[f], b.protocol[f], b.classFingerprintPort[f] & 0xffff, b.classFingerprintPort[f] >>> 24);
        }
        touched += sum;
        for (int i = 0; i < n; i++)
        {
            final int f = batch[i];
            final int key = b.classFingerprintPort[f];
            d.add(bin, b.srcHi[f], b.srcLo[f], b.protocol[f], key & 0xffff, key >>> 24, (key >>> 16) & 0xff, b.packets[f],
                b.firstMicros[f], b.lastMicros[f], b.destinations, b.destinationStart[f], b.destinationStart[f + 1], SENSOR);
        }
    }

    /** Ends the run: every open event is finished. Idempotent. */
    public void finish()
    {
        if (!finished)
        {
            finished = true;
            scans.finish();
            dos.finish();
            scanEvents.sort(Comparator.comparingLong(ScanEvent::packets).reversed()
                .thenComparingLong(ScanEvent::startMicros).thenComparing(ScanEvent::srcText).thenComparingInt(ScanEvent::port));
            dosAttacks.sort(Comparator.comparingLong(DosAttack::packets).reversed()
                .thenComparingLong(DosAttack::startMicros).thenComparing(DosAttack::victimText).thenComparingInt(DosAttack::protocol));
        }
    }

    /** Scan events found (after {@link #finish()}). */
    public List<ScanEvent> scanEvents()
    {
        return scanEvents;
    }

    /** DoS attacks found (after {@link #finish()}). */
    public List<DosAttack> dosAttacks()
    {
        return dosAttacks;
    }

    /** The darknet size the scan rates were scaled by. */
    public long darknetIpv4Addresses()
    {
        return darknetIpv4Addresses;
    }
}
