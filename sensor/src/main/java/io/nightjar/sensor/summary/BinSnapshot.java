package io.nightjar.sensor.summary;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.FlowTable;

import java.util.Arrays;

/**
 * A closed bin as {@link RunSummary} reads it: a copy of its counters and, per flow in ordinal
 * order, the columns the summary needs (source, class, port, fingerprint, packets). Copying is a
 * sequential pass over the table, so that the summary can count a bin on another thread while the
 * pipeline fills the next one. The arrays grow with the largest bin and are then reused.
 *
 * <p>Not thread-safe: filled by one thread, then handed over (through a queue, which orders the
 * writes before the reads) to the one that reads it.
 */
final class BinSnapshot
{
    final BinCounters counters = new BinCounters();
    long[] srcHi = new long[0];
    long[] srcLo = new long[0];
    long[] packets = new long[0];
    /** Traffic class id in bits 24-31, fingerprint mask in 16-23, port in 0-15. */
    int[] classFingerprintPort = new int[0];
    int flows;

    /** Copies the counters and flows of a closed bin. */
    void copyOf(final BinCounters c, final FlowTable t)
    {
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
    }
}
