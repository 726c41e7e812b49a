package io.nightjar.sensor.flow;

/**
 * Receives each time bin when it closes: the spool, the summarize accumulator, the flow CSV writer.
 * Called on the pipeline's thread; the counters and the table are valid only during the call
 * (the pipeline clears them afterwards). A listener may allocate here: this is once per bin, not
 * per packet.
 */
@FunctionalInterface
public interface BinListener
{
    /**
     * @param binStartNanos  start of the bin, ns since the epoch.
     * @param binLengthNanos length of the bin, ns.
     * @param counters       the bin's counters.
     * @param flows          the bin's flows, by ordinal 0 .. flows.size() - 1.
     */
    void onBinClosed(long binStartNanos, long binLengthNanos, BinCounters counters, FlowTable flows);
}
