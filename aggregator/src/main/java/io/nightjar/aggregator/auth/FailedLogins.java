package io.nightjar.aggregator.auth;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts failed authentications per client address and blocks an address that failed
 * {@code maxFailures} times within {@code windowMillis} until that window has passed (the API
 * answers it with 429). Thread-safe; memory is bounded by forgetting addresses whose failures
 * are all older than the window.
 */
public final class FailedLogins
{
    private final int maxFailures;
    private final long windowMillis;
    private final Map<String, Deque<Long>> failures = new HashMap<>();

    /** Blocks after {@code maxFailures} failures within {@code windowMillis}. */
    public FailedLogins(final int maxFailures, final long windowMillis)
    {
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
    }

    /** Records a failure of {@code address} at {@code nowMillis}. */
    public synchronized void fail(final String address, final long nowMillis)
    {
        final Deque<Long> d = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        d.addLast(nowMillis);
        trim(d, nowMillis);
        if (failures.size() > 100_000)
        {
            failures.values().removeIf(q ->
            {
                trim(q, nowMillis);
                return q.isEmpty();
            });
        }
    }

    /** Whether {@code address} is blocked at {@code nowMillis}. */
    public synchronized boolean blocked(final String address, final long nowMillis)
    {
        final Deque<Long> d = failures.get(address);
        if (d == null)
        {
            return false;
        }
        trim(d, nowMillis);
        if (d.isEmpty())
        {
            failures.remove(address);
            return false;
        }
        return d.size() >= maxFailures;
    }

    private void trim(final Deque<Long> d, final long nowMillis)
    {
        while (!d.isEmpty() && d.peekFirst() <= nowMillis - windowMillis)
        {
            d.removeFirst();
        }
        while (d.size() > maxFailures)
        {
            d.removeFirst();
        }
    }
}
