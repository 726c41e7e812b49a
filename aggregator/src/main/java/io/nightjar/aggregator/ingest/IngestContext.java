package io.nightjar.aggregator.ingest;

import io.nightjar.aggregator.config.SensorRegistry;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What every connection of one ingest server shares: the allow-list, the store writer, the live
 * sessions, metrics and the Arrow allocator for reading batches.
 */
record IngestContext(SensorRegistry registry, StoreWriter writer, Sessions sessions, IngestMetrics metrics,
                     BufferAllocator allocator, int idleTimeoutSeconds)
{
}
