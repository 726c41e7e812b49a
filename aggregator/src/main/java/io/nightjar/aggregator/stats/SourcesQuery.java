package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.aggregator.store.StoredAddress;
import io.nightjar.wire.schema.ScannerTool;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who sends: the top sources (detail: a member-state token sees its own sensors' sources), and
 * the top source countries and ASNs (regional aggregates), each with exact distinct sources and
 * packets. Country and ASN come from the {@code sources} table the store's writer fills from the
 * geolocation data; a source without data counts as country {@code ??} and ASN 0.
 */
public final class SourcesQuery
{
    /** Parameters of {@code /api/v1/sources/top}. */
    public static final Set<String> TOP_PARAMETERS = Params.with(Scope.PARAMETERS, "by", "limit");
    /** Parameters of {@code /api/v1/countries/top} and {@code /api/v1/asns/top}. */
    public static final Set<String> GROUP_PARAMETERS = Params.with(Scope.PARAMETERS, "limit");

    private final StatsContext ctx;

    /** Source statistics over {@code ctx}. */
    public SourcesQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /** {@code /api/v1/sources/top}. */
    public Map<String, Object> top(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, true);
            final String by = p.choice("by", "packets", "packets", "ports");
            final int limit = Params.limit(p, 10);
            final StringBuilder tools = new StringBuilder();
            for (final ScannerTool t : ScannerTool.all())
            {
                tools.append(tools.length() == 0 ? "" : " || ").append("CASE WHEN a.").append(t.key()).append(" THEN '+").append(t.key())
                    .append("' ELSE '' END");
            }
            final String sql = "WITH top AS (SELECT src, sum(packets)::BIGINT AS packets, sum(bytes)::BIGINT AS bytes,"
                + " count(DISTINCT (protocol, port)) AS ports, count(DISTINCT sensor_id) AS sensors, epoch_us(min(first_ts)) AS first,"
                + " epoch_us(max(last_ts)) AS last FROM flows WHERE " + scope.where("") + " GROUP BY src ORDER BY "
                + (by.equals("packets") ? "packets DESC, ports DESC" : "ports DESC, packets DESC") + ", src LIMIT " + limit + "),"
                + " a AS (" + ToolsQuery.attributionSql(scope, " AND src IN (SELECT src FROM top)") + ")"
                + " SELECT top.src, s.country, s.asn, s.as_name, top.packets, top.bytes, top.ports, top.sensors, top.first, top.last, "
                + tools + " FROM top LEFT JOIN sources s ON s.src = top.src LEFT JOIN a ON a.src = top.src ORDER BY "
                + (by.equals("packets") ? "top.packets DESC, top.ports DESC" : "top.ports DESC, top.packets DESC") + ", top.src";
            final List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                final int next = scope.bind(ps, 1);
                scope.bind(ps, next);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        final String tool = rs.getString(11);
                        final long asn = rs.getLong(3);
                        rows.add(Rows.row("src", Rows.address(StoredAddress.read(rs, 1)), "country", rs.getString(2), "asn", rs.wasNull() ? null : asn,
                            "as_name", rs.getString(4), "packets", rs.getLong(5), "bytes", rs.getLong(6), "ports", rs.getLong(7),
                            "sensors", rs.getLong(8), "first", Times.iso(rs.getLong(9)), "last", Times.iso(rs.getLong(10)),
                            "tool", tool == null || tool.isEmpty() ? null : tool.substring(1)));
                    }
                }
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("by", by);
            extra.put("limit", limit);
            return ctx.answer(c, scope, extra, rows);
        }
    }

    /** {@code /api/v1/countries/top}. */
    public Map<String, Object> countries(final QueryParams p) throws Exception
    {
        return grouped(p, "country");
    }

    /** {@code /api/v1/asns/top}. */
    public Map<String, Object> asns(final QueryParams p) throws Exception
    {
        return grouped(p, "asn");
    }

    private Map<String, Object> grouped(final QueryParams p, final String name) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, false);
            final int limit = Params.limit(p, 10);
            final boolean asn = name.equals("asn");
            final boolean traffic = scope.protocol() != null || scope.port() != null || scope.trafficClass() != null;
            // src_day has no protocol, port or class: with such a filter the records are read
            final Union u = Union.plan(c, scope, !traffic);
            final String group = asn ? "coalesce(asn, 0)" : "coalesce(country, '??')";
            final long month = traffic ? -1 : u.exactlyOneMonth();
            final String sql = month >= 0
                ? "SELECT " + name + ", NULL, sources, packets FROM " + name + "_month_region WHERE month = DATE '1970-01-01' + " + month
                + "::INTEGER ORDER BY sources DESC, packets DESC, " + name + " LIMIT " + limit
                : "SELECT " + group + " AS k, NULL, count(DISTINCT src) AS sources, sum(packets)::BIGINT AS packets FROM ("
                + u.sql(Tables.SOURCES, "src, packets, country, asn", true, "") + ") GROUP BY k ORDER BY sources DESC, packets DESC, k LIMIT " + limit;
            final List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql))
            {
                if (month < 0)
                {
                    u.bind(ps, Tables.SOURCES, 1, true);
                }
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        if (asn)
                        {
                            rows.add(Rows.row("asn", rs.getLong(1), "as_name", null, "sources", rs.getLong(3), "packets", rs.getLong(4)));
                        }
                        else
                        {
                            rows.add(Rows.row("country", rs.getString(1), "sources", rs.getLong(3), "packets", rs.getLong(4)));
                        }
                    }
                }
            }
            if (asn && !rows.isEmpty())
            {
                final java.util.StringJoiner in = new java.util.StringJoiner(", ", "(", ")");
                rows.forEach(r -> in.add(r.get("asn").toString()));
                final Map<Long, String> names = new java.util.HashMap<>();
                try (var st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT asn, any_value(as_name) FROM sources WHERE asn IN " + in + " GROUP BY asn"))
                {
                    while (rs.next())
                    {
                        names.put(rs.getLong(1), rs.getString(2));
                    }
                }
                rows.forEach(r -> r.put("as_name", names.get((Long)r.get("asn"))));
            }
            return ctx.answer(c, scope, Map.of("limit", limit, "rollups", u.usesRollups()), rows);
        }
    }
}
