package io.nightjar.sensor.summary;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.wire.schema.TrafficClass;

import java.util.Arrays;

/**
 * A closed bin as {@link RunSummary} reads it: a copy of its counters and, per flow in ordinal
 * order, the columns the summary needs (source, class, port, fingerprint, packets) and, when the
 * summary detects events ({@link EventSummary}), what the detectors need (protocol, first and last
 * packet, the destination hashes of scan flows, the victim and sub-bin detail of backscatter
 * flows). Copying is a sequential pass over the table, so that the summary can count a bin on
 * another thread while the pipeline fills the next one. The arrays grow with the largest bin and
 * are then reused.
 *
 * <p>Not thread-safe: filled by one thread, then handed over (through a queue, which orders the
 * writes before the reads) to the one that reads it.
 */
final class BinSnapshot
{
    final BinCounters counters = new BinCounters();
    long binStartNanos;
    long binLengthNanos;
    long[] srcHi = new long[0];
    long[] srcLo = new long[0];
    long[] packets = new long[0];
    /** Traffic class id in bits 24-31, fingerprint mask in 16-23, port in 0-15. */
    int[] classFingerprintPort = new int[0];
    int flows;

    // event detail (only when withEvents)
    boolean withEvents;
    int[] protocol = new int[0];
    long[] firstMicros = new long[0];
    long[] lastMicros = new long[0];
    /** Destination hashes of flow f (scan classes only) are destinations[destinationStart[f] .. destinationStart[f + 1]). */
    int[] destinationStart = new int[1];
    int[] destinations = new int[0];
    /** Backscatter flows: victim (or null arrays' entries unused), slot packets and prefix sketch bytes; null for others. */
    long[] victimHi = new long[0];
    long[] victimLo = new long[0];
    boolean[] hasVictim = new boolean[0];
    byte[][] slotPackets = new byte[0][];
    byte[][] prefixes = new byte[0][];

    /** Copies the counters and flows of a closed bin, without event detail. */
    void copyOf(final BinCounters c, final FlowTable t)
    {
        copyOf(0, 0, c, t, false, 0);
    }

    /** Copies the counters and flows of a closed bin; with {@code events}, also the detail of the flows whose class is in {@code scanClassMask} or backscatter. */
    void copyOf(final long binStart, final long binLength, final BinCounters c, final FlowTable t, final boolean events, final int scanClassMask)
    {
        binStartNanos = binStart;
        binLengthNanos = binLength;
        counters.copyFrom(c);
        final int n = t.size();
        if (srcHi.length < n)
        {
            final int length = Math.max(n, srcHi.length * 2);
            srcHi = Arrays.copyOf(srcHi, length);
            srcLo = Arrays.copyOf(srcLo, length);
            packets = Arrays.copyOf(packets, length);
            classFingerprintPort = Arrays.copyOf(classFingerprintPort, length);
        }
        for (int f = 0; f < n; f++)
        {
            srcHi[f] = t.srcHi(f);
            srcLo[f] = t.srcLo(f);
            packets[f] = t.packets(f);
            classFingerprintPort[f] = (t.trafficClass(f) << 24) | (t.fingerprint(f) << 16) | t.port(f);
        }
        flows = n;
        withEvents = events;
        if (events)
        {
            copyEventDetail(t, n, scanClassMask);
        }
    }

    private void copyEventDetail(final FlowTable t, final int n, final int scanClassMask)
    {
        if (protocol.length < n)
        {
            final int length = Math.max(n, protocol.length * 2);
            protocol = Arrays.copyOf(protocol, length);
            firstMicros = Arrays.copyOf(firstMicros, length);
            lastMicros = Arrays.copyOf(lastMicros, length);
            destinationStart = Arrays.copyOf(destinationStart, length + 1);
            victimHi = Arrays.copyOf(victimHi, length);
            victimLo = Arrays.copyOf(victimLo, length);
            hasVictim = Arrays.copyOf(hasVictim, length);
            slotPackets = Arrays.copyOf(slotPackets, length);
            prefixes = Arrays.copyOf(prefixes, length);
        }
        final int backscatter = TrafficClass.BACKSCATTER.id();
        int at = 0;
        for (int f = 0; f < n; f++)
        {
            protocol[f] = t.protocol(f);
            firstMicros[f] = t.firstNanos(f) / 1000;
            lastMicros[f] = t.lastNanos(f) / 1000;
            destinationStart[f] = at;
            final int cls = t.trafficClass(f);
            if ((scanClassMask & (1 << cls)) != 0)
            {
                final long d = t.distinctDestinations(f);
                if (at + d > destinations.length)
                {
                    destinations = Arrays.copyOf(destinations, (int)Math.max(at + d, destinations.length * 2L));
                }
                if (d == 1 && t.destinationFrom(f) == t.destinationTo(f))
                {
                    destinations[at++] = t.firstDestination(f);
                }
                else
                {
                    final int from = t.destinationFrom(f);
                    final int to = t.destinationTo(f);
                    System.arraycopy(t.destinationHashes(), from, destinations, at, to - from);
                    at += to - from;
                }
            }
            if (cls == backscatter)
            {
                hasVictim[f] = t.hasVictim(f);
                victimHi[f] = t.victimHi(f);
                victimLo[f] = t.victimLo(f);
                slotPackets[f] = t.slotPacketsBytes(f);
                prefixes[f] = t.destinationPrefixesBytes(f);
            }
            else
            {
                slotPackets[f] = null;
                prefixes[f] = null;
            }
        }
        destinationStart[n] = at;
    }
}
