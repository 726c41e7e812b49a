package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;
import io.nightjar.aggregator.api.QueryParams;

import java.util.HashSet;
import java.util.Set;

/** Parameter sets and checks shared by the statistics. */
final class Params
{
    private Params()
    {
    }

    /** {@code base} plus {@code more}. */
    static Set<String> with(final Set<String> base, final String... more)
    {
        final Set<String> s = new HashSet<>(base);
        s.addAll(Set.of(more));
        return Set.copyOf(s);
    }

    /** Refuses a series of more than {@link VolumeQuery#MAX_STEPS} steps. */
    static void checkSteps(final Scope scope, final Step step)
    {
        final long steps = (scope.toMicros() - scope.fromMicros()) / 1_000_000L / step.nominalSeconds();
        if (steps > VolumeQuery.MAX_STEPS)
        {
            throw new ApiException(400, "step", "parameter 'step': " + step.key() + " over this range gives " + steps
                + " steps (at most " + VolumeQuery.MAX_STEPS + "); use a longer step");
        }
    }

    /** The {@code limit} parameter (1..1000). */
    static int limit(final QueryParams p, final int otherwise)
    {
        return (int)p.integer("limit", otherwise, 1, 1000);
    }
}
