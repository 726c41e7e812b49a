package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/tools}: probing sources (those with {@code tcp_scan}, {@code udp_probe} or
 * {@code icmp_probe} traffic) per scanner tool, and their probe packets. A source is attributed
 * to a tool by the sensor's rule applied over the whole range: at least 10 of its packets in the
 * rule's scope matched the tool's fingerprint and at least 90% of them did (ZMap's scope: IPv4
 * probes of the three classes; Masscan's and Mirai's: IPv4 TCP SYN). A source that satisfies
 * several rules counts for each; {@code unattributed} counts the probing sources that satisfy none.
 */
public final class ToolsQuery
{
    /** Parameters. */
    public static final Set<String> PARAMETERS = Scope.PARAMETERS;
    private static final int PROBES_MASK = (1 << TrafficClass.TCP_SCAN.id()) | (1 << TrafficClass.UDP_PROBE.id()) | (1 << TrafficClass.ICMP_PROBE.id());

    private final StatsContext ctx;

    /** Tools over {@code ctx}. */
    public ToolsQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * SQL selecting, per probing source of {@code scope}, {@code src}, {@code probe_packets} and one
     * boolean column per tool ({@code zmap}, {@code masscan}, {@code mirai}); bind with {@code scope}.
     */
    static String attributionSql(final Scope scope)
    {
        return attributionSql(scope, "");
    }

    /** {@link #attributionSql(Scope)} with an extra SQL condition on the flow rows ("" for none). */
    static String attributionSql(final Scope scope, final String andWhere)
    {
        final StringBuilder sb = new StringBuilder("SELECT src, sum(packets)::BIGINT AS probe_packets");
        for (final ScannerTool t : ScannerTool.all())
        {
            final String inScope = t == ScannerTool.ZMAP ? "class IN (" + TrafficClass.TCP_SCAN.id() + ", " + TrafficClass.UDP_PROBE.id() + ", "
                + TrafficClass.ICMP_PROBE.id() + ")" : "class = " + TrafficClass.TCP_SCAN.id();
            final String scopeSum = "coalesce(sum(packets) FILTER (WHERE ipv4 AND " + inScope + "), 0)";
            final String matchSum = "coalesce(sum(packets) FILTER (WHERE ipv4 AND " + inScope + " AND (fingerprint & " + t.bit() + ") <> 0), 0)";
            sb.append(", (").append(matchSum).append(" >= ").append(ScannerTool.MIN_MATCHING_PACKETS).append(" AND ").append(matchSum)
                .append(" >= ").append(ScannerTool.MIN_MATCHING_SHARE).append(" * ").append(scopeSum).append(") AS ").append(t.key());
        }
        sb.append(" FROM (SELECT *, ").append(StatsContext.SRC_IS_IPV4).append(" AS ipv4 FROM flows WHERE ").append(scope.where(""))
            .append(" AND (1 << class) & ").append(PROBES_MASK).append(" <> 0").append(andWhere).append(") GROUP BY src");
        return sb.toString();
    }

    /** Runs the query. */
    public Map<String, Object> run(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, false);
            final StringBuilder sql = new StringBuilder("WITH a AS (").append(attributionSql(scope)).append(") SELECT ");
            for (final ScannerTool t : ScannerTool.all())
            {
                sql.append("count(*) FILTER (WHERE ").append(t.key()).append("), coalesce(sum(probe_packets) FILTER (WHERE ").append(t.key())
                    .append("), 0)::BIGINT, ");
            }
            final StringBuilder none = new StringBuilder("NOT (");
            for (final ScannerTool t : ScannerTool.all())
            {
                none.append(t.ordinal() == 0 ? "" : " OR ").append(t.key());
            }
            none.append(')');
            sql.append("count(*) FILTER (WHERE ").append(none).append("), coalesce(sum(probe_packets) FILTER (WHERE ").append(none)
                .append("), 0)::BIGINT FROM a");
            final List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString()))
            {
                scope.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    rs.next();
                    int col = 1;
                    for (final ScannerTool t : ScannerTool.all())
                    {
                        rows.add(Rows.row("tool", t.key(), "sources", rs.getLong(col++), "packets", rs.getLong(col++)));
                    }
                    rows.add(Rows.row("tool", "unattributed", "sources", rs.getLong(col++), "packets", rs.getLong(col)));
                }
            }
            final Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("rule", "at least " + ScannerTool.MIN_MATCHING_PACKETS + " packets in the rule's scope match the fingerprint, and at least "
                + Math.round(ScannerTool.MIN_MATCHING_SHARE * 100) + "% of them");
            return ctx.answer(c, scope, extra, rows);
        }
    }
}
