package io.nightjar.wire.events;

import java.util.List;
import java.util.TreeSet;

/**
 * The distinct sensor ids of one open event: most events are seen by one sensor, so the first id
 * is kept in a field and a set is made only for a second one. Package-private helper of the
 * detectors; single-threaded.
 */
final class SensorSet
{
    private String first;
    private TreeSet<String> more;

    void add(final String id)
    {
        if (id == null || id.equals(first))
        {
            return;
        }
        if (first == null)
        {
            first = id;
            return;
        }
        if (more == null)
        {
            more = new TreeSet<>();
            more.add(first);
        }
        more.add(id);
    }

    void addAll(final SensorSet o)
    {
        if (o.more != null)
        {
            o.more.forEach(this::add);
        }
        else
        {
            add(o.first);
        }
    }

    /** The ids, sorted. */
    List<String> toList()
    {
        if (more != null)
        {
            return List.copyOf(more);
        }
        return first == null ? List.of() : List.of(first);
    }
}
