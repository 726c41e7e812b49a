package io.nightjar.sensor.live;

/**
 * Turns the captures' cumulative statistics (received, kernel, interface and ring drops, as
 * {@link io.nightjar.sensor.capture.LiveCapture} publishes them) into differences since the previous
 * reading, per capture, so that each bin gets what happened while it was open. A counter that went
 * backwards (an interface's driver reset its drop count) adds nothing and is read from its new value
 * on. Single thread: the pipeline's.
 */
public final class CaptureStatsDeltas
{
    /** Entries of a delta: received, kernel drops, interface drops, ring drops. */
    public static final int FIELDS = 4;

    private final long[] last;

    /** For {@code captures} captures, all counters starting at 0. */
    public CaptureStatsDeltas(final int captures)
    {
        this.last = new long[captures * FIELDS];
    }

    /**
     * Adds to {@code out} (received, kernel, interface, ring) how far capture {@code capture}'s totals
     * moved since its previous reading, and remembers them. Returns whether anything moved.
     */
    public boolean add(final int capture, final long received, final long kernelDrops, final long interfaceDrops, final long ringDrops,
                       final long[] out)
    {
        final int base = capture * FIELDS;
        boolean moved = false;
        moved |= step(base, 0, received, out);
        moved |= step(base, 1, kernelDrops, out);
        moved |= step(base, 2, interfaceDrops, out);
        moved |= step(base, 3, ringDrops, out);
        return moved;
    }

    private boolean step(final int base, final int field, final long total, final long[] out)
    {
        final long delta = total - last[base + field];
        last[base + field] = total;
        if (delta > 0)
        {
            out[field] += delta;
            return true;
        }
        return false;
    }
}
