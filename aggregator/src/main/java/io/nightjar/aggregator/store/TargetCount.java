package io.nightjar.aggregator.store;

import io.nightjar.wire.sketch.DistinctSketch;

/**
 * The distinct darknet destinations ("targets") of a run of flow records of one key, merged from
 * their destination sketches (exact up to 1024, HyperLogLog beyond); a record without a sketch
 * counts as at least its own exact per-bin count. The daily roll-up's {@code targets} and the
 * surging-ports query over records both count with it, so the two paths agree.
 */
public final class TargetCount
{
    private DistinctSketch merged;
    private long unsketched;

    /** Adds one record: its serialised sketch (or null) and its exact destinations in its bin. */
    public void add(final byte[] sketch, final long destinations)
    {
        if (sketch == null)
        {
            unsketched = Math.max(unsketched, destinations);
        }
        else if (merged == null)
        {
            merged = DistinctSketch.fromBytes(sketch);
        }
        else
        {
            merged.merge(DistinctSketch.fromBytes(sketch));
        }
    }

    /** The distinct targets so far. */
    public long count()
    {
        return Math.max(merged == null ? 0 : merged.estimate(), unsketched);
    }

    /** Starts a new key. */
    public void reset()
    {
        merged = null;
        unsketched = 0;
    }
}
