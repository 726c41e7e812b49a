package io.nightjar.aggregator.ingest;

import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the ingest path, updated by connections and the store writer and read by the
 * metrics endpoint and the logs.
 */
public final class IngestMetrics
{
    /** Connections accepted (TCP). */
    public final LongAdder connections = new LongAdder();
    /** Connections closed after a protocol or authentication error. */
    public final LongAdder rejectedConnections = new LongAdder();
    /** BATCH frames received and read. */
    public final LongAdder batchesReceived = new LongAdder();
    /** Batches that were already applied (acknowledged, not applied again). */
    public final LongAdder duplicateBatches = new LongAdder();
    /** Flow records applied to the store. */
    public final LongAdder flowRecordsStored = new LongAdder();
    /** Transactions committed. */
    public final LongAdder groupsCommitted = new LongAdder();
    /** Transactions that failed and were rolled back. */
    public final LongAdder storeFailures = new LongAdder();
    /** Times a connection stopped reading because the writer's queue was full. */
    public final LongAdder pauses = new LongAdder();
    /** Commit durations (group apply + commit), microseconds. */
    public final Recorder commitMicros = new Recorder(3);

    void recordGroup(final long flowRows, final long duplicates, final long nanos)
    {
        groupsCommitted.increment();
        flowRecordsStored.add(flowRows);
        duplicateBatches.add(duplicates);
        commitMicros.recordValue(Math.max(0, nanos / 1000));
    }
}
