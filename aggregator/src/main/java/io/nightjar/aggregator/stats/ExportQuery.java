package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.ApiException;
import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.aggregator.privacy.SourceAnonymizer;
import io.nightjar.aggregator.store.StoredAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code /api/v1/export}: writes the stored flow records (or bin summaries) of a scope as
 * Hive-partitioned files by day ({@code day=2024-06-01/...}) under {@code DATA/export/NAME/},
 * Parquet (default) or CSV, so that Spark, Trino or DuckDB can read the archive when one
 * aggregator is no longer enough. Addresses are written as text (IPv4 dotted, IPv6 as eight full groups)
 * beside the raw 16 bytes, sketches are left out. A member-state token exports only its own
 * sensors' records.
 *
 * <p>With {@code anonymize=cryptopan} (only when the aggregator has a Crypto-PAn key) every address
 * written, {@code src} and the ICMP-error {@code victim} alike, is replaced by its Crypto-PAn image
 * under the deployment's key ({@link SourceAnonymizer}): the source's text and 16-byte columns, the
 * victim's text column (the only one the export has for it). The victim is a third party's address
 * (the target of a spoofed attack) and is anonymised with the same mapping rather than dropped, so
 * that a victim seen as a backscatter source elsewhere still matches.
 * Bin summaries hold no address and are written as they are. The distinct addresses of the scope are
 * read in order, anonymised in Java (sorted input shares the Crypto-PAn work of common prefixes) and
 * appended to a temporary table that the {@code COPY} joins; every statement reads one snapshot, so
 * no row can miss its mapping. (DuckDB's Java scalar functions were not used: they are called from
 * DuckDB's worker threads per row, while the cipher and its cache belong to one thread at a time.)
 */
public final class ExportQuery
{
    /** Parameters. */
    public static final Set<String> PARAMETERS = Params.with(Scope.PARAMETERS, "what", "to_format", "anonymize");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final StatsContext ctx;
    private final Path exportRoot;
    private final SourceAnonymizer anonymizer;

    /** Exports of {@code ctx} into {@code exportRoot}; {@code anonymizer} (null: none) serves {@code anonymize=cryptopan}. */
    public ExportQuery(final StatsContext ctx, final Path exportRoot, final SourceAnonymizer anonymizer)
    {
        this.ctx = ctx;
        this.exportRoot = exportRoot;
        this.anonymizer = anonymizer;
    }

    /** Runs the export. */
    public Map<String, Object> run(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final Scope scope = Scope.resolve(p, SensorCatalog.load(c), 7, true);
            final String what = p.choice("what", "flows", "flows", "bins");
            final String format = p.choice("to_format", "parquet", "parquet", "csv");
            final boolean anonymize = p.choice("anonymize", "none", "none", "cryptopan").equals("cryptopan");
            if (anonymize && anonymizer == null)
            {
                throw new ApiException(400, "anonymize", "parameter 'anonymize': this aggregator has no Crypto-PAn key"
                    + " (start it with --anonymize-key FILE)");
            }
            final String name = what + "-" + STAMP.format(Instant.now()) + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
            final Path dir = exportRoot.resolve(name).toAbsolutePath();
            Files.createDirectories(dir.getParent());
            final String columns = what.equals("flows")
                ? "sensor_id, bin_start, bin_length_us, nj_addr(src) AS src_text, " + StoredAddress.blob("src") + " AS src, protocol, port, class, fingerprint,"
                + " nj_addr(victim) AS victim_text, packets, bytes, destinations, first_ts, last_ts,"
                + " tcp_flags, ttl_min, ttl_max, syn_window, syn_options"
                : "*";
            // bins have no protocol, port or class: their rows are filtered by time and sensor only
            final Scope rows = what.equals("flows") ? scope : scope.withoutTrafficFilters();
            final String where = rows.where("");
            // one snapshot for the count, the address mapping and the rows written
            c.setAutoCommit(false);
            final long count;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + what + " WHERE " + where))
            {
                rows.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery())
                {
                    rs.next();
                    count = rs.getLong(1);
                }
            }
            if (count == 0)
            {
                throw new ApiException(404, "from", "no " + what + " stored in this scope");
            }
            String from = what + " WHERE " + where;
            long addresses = 0;
            if (anonymize && what.equals("flows"))
            {
                addresses = AnonymizedAddresses.load(c, rows, anonymizer);
                from = AnonymizedAddresses.flows(rows);
            }
            final String select = "SELECT " + columns + ", strftime(bin_start, '%Y-%m-%d') AS day FROM " + from;
            final String copy = "COPY (" + select
                + ") TO '" + dir.toString().replace("'", "''") + "' (FORMAT " + (format.equals("parquet") ? "PARQUET" : "CSV, HEADER")
                + ", PARTITION_BY (day))";
            try (var st = c.createStatement())
            {
                st.execute(Addresses.MACRO);
            }
            try (PreparedStatement ps = c.prepareStatement(copy))
            {
                rows.bind(ps, 1);
                ps.execute();
            }
            c.commit();
            final List<String> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(dir))
            {
                s.filter(Files::isRegularFile).forEach(f -> files.add(dir.relativize(f).toString()));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("export written but not listable: " + ex.getMessage(), ex);
            }
            files.sort(String::compareTo);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("api", "v1");
            m.put("query", scope.describe());
            m.put("directory", dir.toString());
            m.put("format", format);
            m.put("what", what);
            m.put("rows", count);
            m.put("anonymize", anonymize ? "cryptopan" : "none");
            if (anonymize)
            {
                m.put("key_id", anonymizer.keyId());
                m.put("addresses_anonymized", addresses);
            }
            m.put("files", files);
            return m;
        }
    }

    /** The SQL macro turning a stored address (UHUGEINT) into text: dotted IPv4, or eight groups of four hex digits. */
    static final class Addresses
    {
        static final String MACRO = "CREATE OR REPLACE TEMP MACRO nj_addr(a) AS CASE WHEN a IS NULL THEN NULL WHEN "
            + io.nightjar.aggregator.stats.StatsContext.ipv4("a") + " THEN concat_ws('.', " + octet(24) + ", " + octet(16) + ", " + octet(8) + ", "
            + octet(0) + ") ELSE rtrim(regexp_replace(printf('%032x', a), '(.{4})', '\\1:', 'g'), ':') END";

        private static String octet(final int shift)
        {
            return "((a >> " + shift + ") & 255)::INTEGER";
        }

        private Addresses()
        {
        }
    }
}
