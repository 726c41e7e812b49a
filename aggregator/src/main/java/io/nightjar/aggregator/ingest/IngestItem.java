package io.nightjar.aggregator.ingest;

import io.nightjar.wire.arrow.DecodedBatch;
import io.nightjar.wire.frame.Frames;
import io.nightjar.wire.frame.Heartbeat;

/** What a connection hands to the store's writer lanes, in arrival order (per sensor). */
sealed interface IngestItem
{
    /** Bytes this item holds while queued (for back-pressure). */
    long sizeBytes();

    /** The sensor it came from (its connection's authenticated id). */
    String sensorId();

    /** A sensor said HELLO: answer with its durable progress once everything queued before is applied. */
    record Hello(SensorSession session, String sensorId, String spoolId) implements IngestItem
    {
        @Override
        public long sizeBytes()
        {
            return 0;
        }
    }

    /** A read and checked BATCH. */
    record Batch(SensorSession session, String sensorId, Frames.BatchHeader header, DecodedBatch data, long wireBytes) implements IngestItem
    {
        @Override
        public long sizeBytes()
        {
            return wireBytes;
        }
    }

    /** A HEARTBEAT to record. */
    record Beat(String sensorId, long receivedMicros, Heartbeat heartbeat) implements IngestItem
    {
        @Override
        public long sizeBytes()
        {
            return 0;
        }
    }
}
