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
        for (int f = 0; f < b.flows; f++)
        {
            final int key = b.classFingerprintPort[f];
            final int cls = key >>> 24;
            final int port = key & 0xffff;
            if ((mask & (1 << cls)) != 0)
            {
                scans.add(bin, b.srcHi[f], b.srcLo[f], b.protocol[f], port, cls, (key >>> 16) & 0xff, b.packets[f],
                    b.firstMicros[f], b.lastMicros[f], b.destinations, b.destinationStart[f], b.destinationStart[f + 1], SENSOR);
            }
            else if (cls == TrafficClass.BACKSCATTER.id())
            {
                dos.add(bin, b.srcHi[f], b.srcLo[f], b.protocol[f], port, cls, b.hasVictim[f],
                    b.victimHi[f], b.victimLo[f], b.packets[f], b.firstMicros[f], b.lastMicros[f], b.slotPackets[f], b.prefixes[f], SENSOR);
            }
        }
        endMicros = Math.max(endMicros, (b.binStartNanos + b.binLengthNanos) / 1000);
        scans.advanceTo(endMicros);
        dos.advanceTo(endMicros);
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
