package io.nightjar.wire.frame;

/**
 * A sensor's health as sent in HEARTBEAT frames (every few seconds) and kept by the aggregator.
 *
 * @param clockMicros      the sensor's wall clock when sent, µs since the epoch (the aggregator derives skew).
 * @param packets          packets captured since the sensor started.
 * @param malformed        malformed packets since start.
 * @param kernelDrops      packets dropped by the kernel / capture buffer since start.
 * @param interfaceDrops   packets dropped by the interface since start.
 * @param spoolDocuments   documents in the spool not yet acknowledged (backlog).
 * @param spoolBytes       bytes of documents in the spool.
 * @param evictedRecords   flow records evicted from the spool unshipped, since the spool was created.
 * @param evictedBins      bins evicted from the spool unshipped, since the spool was created.
 * @param lastBinMicros    start of the last bin closed into the spool, µs (0 = none).
 */
public record Heartbeat(long clockMicros, long packets, long malformed, long kernelDrops, long interfaceDrops,
                        long spoolDocuments, long spoolBytes, long evictedRecords, long evictedBins, long lastBinMicros)
{
    /** Number of fields this version sends. */
    public static final int FIELDS = 10;

    long[] toArray()
    {
        return new long[] {clockMicros, packets, malformed, kernelDrops, interfaceDrops, spoolDocuments, spoolBytes,
            evictedRecords, evictedBins, lastBinMicros};
    }

    static Heartbeat fromArray(final long[] v)
    {
        return new Heartbeat(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }
}
