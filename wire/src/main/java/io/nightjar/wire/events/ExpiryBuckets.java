package io.nightjar.wire.events;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The open items of a detector (DoS attacks; the scan detector uses {@link SliceLists}) by the slice of data time their last
 * packet falls in ({@code bucketMicros} wide), each slice an intrusive doubly-linked list through
 * the items' {@link Node} fields: moving an item to a later slice, or removing it, is O(1) and
 * allocates nothing, and an expiry pass visits only the slices that began more than the gap ago,
 * not every open item. One thread (the detector's).
 *
 * @param <N> the item type, which carries its links by extending {@link Node}.
 */
final class ExpiryBuckets<N extends ExpiryBuckets.Node>
{
    /** The links an item carries: its slice (or none) and its neighbours there. */
    static class Node
    {
        long bucket = Long.MIN_VALUE;
        Bucket in;
        Node prevInBucket;
        Node nextInBucket;

        /** Back to unlinked, for reuse (the item must not be in a slice). */
        final void resetNode()
        {
            bucket = Long.MIN_VALUE;
            in = null;
            prevInBucket = null;
            nextInBucket = null;
        }
    }

    /** One slice: index = last packet µs / width. */
    static final class Bucket
    {
        final long index;
        Node head;

        Bucket(final long index)
        {
            this.index = index;
        }

        void link(final Node a)
        {
            a.in = this;
            a.prevInBucket = null;
            a.nextInBucket = head;
            if (head != null)
            {
                head.prevInBucket = a;
            }
            head = a;
        }
    }

    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    private final long bucketMicros;
    /** The slice {@link #place} used last (most records of a bin end in the same one), or null. */
    private Bucket lastBucket;

    /** Slices {@code bucketMicros} wide (at least 1). */
    ExpiryBuckets(final long bucketMicros)
    {
        this.bucketMicros = Math.max(1, bucketMicros);
    }

    /** Links {@code a} into the slice of {@code lastMicros}, if that changed. */
    void place(final N a, final long lastMicros)
    {
        final long b = Math.floorDiv(lastMicros, bucketMicros);
        if (b != a.bucket)
        {
            a.bucket = b;
            remove(a);
            Bucket to = lastBucket;
            if (to == null || to.index != b)
            {
                to = buckets.get(b);
                if (to == null)
                {
                    to = new Bucket(b);
                    buckets.put(b, to);
                }
                lastBucket = to;
            }
            to.link(a);
        }
    }

    /** Unlinks {@code a} from its slice, if it is in one (its {@code bucket} stays, so placing it there again relinks it only if moved). */
    void remove(final Node a)
    {
        final Bucket b = a.in;
        if (b == null)
        {
            return;
        }
        if (a.prevInBucket != null)
        {
            a.prevInBucket.nextInBucket = a.nextInBucket;
        }
        else
        {
            b.head = a.nextInBucket;
        }
        if (a.nextInBucket != null)
        {
            a.nextInBucket.prevInBucket = a.prevInBucket;
        }
        a.in = null;
        a.prevInBucket = null;
        a.nextInBucket = null;
    }

    /**
     * Unlinks and hands to {@code ended} every item whose last packet ({@code last}) is more than
     * {@code gapMicros} before {@code nowMicros}; visits only the slices that began more than the gap
     * ago, and drops the slices it empties.
     */
    @SuppressWarnings("unchecked")
    void expire(final long nowMicros, final long gapMicros, final ToLongFunction<N> last, final Consumer<N> ended)
    {
        for (final Iterator<Map.Entry<Long, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); )
        {
            final Bucket bucket = it.next().getValue();
            // items linked here have their last packet in [index * width, (index + 1) * width)
            if (nowMicros - bucket.index * bucketMicros <= gapMicros)
            {
                break;
            }
            for (Node n = bucket.head; n != null; )
            {
                final Node next = n.nextInBucket;
                final N a = (N)n;
                if (nowMicros - last.applyAsLong(a) > gapMicros)
                {
                    remove(a);
                    ended.accept(a);
                }
                n = next;
            }
            if (bucket.head == null)
            {
                it.remove();
                if (lastBucket == bucket)
                {
                    lastBucket = null;
                }
            }
        }
    }

    /** Forgets every slice (the items' links are left to the caller, which drops the items). */
    void clear()
    {
        buckets.clear();
        lastBucket = null;
    }
}
