package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.store.FlowStore;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every statistic needs: the store to read (each request on its own reader connection, one
 * consistent snapshot) and the data attribution text that answers carry. Builds the answer
 * envelope ({@code api}, {@code query}, {@code coverage}, {@code attribution}, {@code rows}).
 */
public final class StatsContext
{
    /** SQL: whether column {@code src} holds an IPv4-mapped address. */
    public static final String SRC_IS_IPV4 = ipv4("src");

    /** SQL: whether an address column (UHUGEINT) holds an IPv4-mapped address ({@code ::ffff:0:0/96}, a range of numbers). */
    public static String ipv4(final String column)
    {
        return "(" + column + " BETWEEN " + 0xFFFF_0000_0000L + "::UHUGEINT AND " + 0xFFFF_FFFF_FFFFL + "::UHUGEINT)";
    }

    private final FlowStore store;
    private final String attribution;

    /** Statistics over {@code store}, whose answers credit {@code attribution} (may be empty). */
    public StatsContext(final FlowStore store, final String attribution)
    {
        this.store = store;
        this.attribution = attribution == null ? "" : attribution;
    }

    /** A new reader connection (the caller closes it). */
    public Connection reader() throws SQLException
    {
        return store.openReader();
    }

    /** The attribution text. */
    public String attribution()
    {
        return attribution;
    }

    /** The answer envelope around {@code rows}, with the scope's coverage. */
    public Map<String, Object> answer(final Connection c, final Scope scope, final Map<String, Object> extraQuery,
                                      final List<Map<String, Object>> rows) throws SQLException
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("api", "v1");
        final Map<String, Object> q = scope.describe();
        if (extraQuery != null)
        {
            q.putAll(extraQuery);
        }
        m.put("query", q);
        m.put("coverage", Coverage.describe(scope, Coverage.gaps(c, scope)));
        m.put("attribution", attribution);
        m.put("rows", rows);
        return m;
    }
}
