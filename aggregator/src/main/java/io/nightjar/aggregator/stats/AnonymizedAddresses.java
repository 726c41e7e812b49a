package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.privacy.SourceAnonymizer;
import io.nightjar.aggregator.store.StoredAddress;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The address mapping of an anonymised export: the temporary table {@code nj_anon (a UHUGEINT, b UHUGEINT)}
 * of every distinct source and victim address of a scope's flow records ({@code a}) and its
 * Crypto-PAn image ({@code b}), and the flow rows with their addresses replaced through it. Used by
 * {@link ExportQuery} on the request's own reader connection, inside its transaction.
 */
final class AnonymizedAddresses
{
    static final String TABLE = "nj_anon";

    private AnonymizedAddresses()
    {
    }

    /** Fills the mapping table of {@code rows}' addresses; answers how many distinct addresses it holds. */
    static long load(final Connection c, final Scope rows, final SourceAnonymizer anonymizer) throws SQLException
    {
        try (Statement st = c.createStatement())
        {
            st.execute("CREATE OR REPLACE TEMP TABLE " + TABLE + " (a UHUGEINT, b UHUGEINT)");
        }
        long n = 0;
        // sorted, so that consecutive addresses share their Crypto-PAn prefix work
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT a FROM (SELECT unnest([src, victim]) AS a FROM flows WHERE "
            + rows.where("") + ") WHERE a IS NOT NULL ORDER BY a");
             DuckDBAppender out = c.unwrap(DuckDBConnection.class).createAppender("temp", "main", TABLE))
        {
            rows.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    final byte[] a = StoredAddress.read(rs, 1);
                    out.beginRow();
                    out.append(StoredAddress.number(a));
                    out.append(StoredAddress.number(anonymizer.anonymizeStored(a)));
                    out.endRow();
                    n++;
                }
            }
            out.flush();
        }
        return n;
    }

    /**
     * A relation named {@code flows}, for {@code FROM}: the flow rows of {@code rows} (bound as
     * {@link Scope#bind}) with {@code src} and {@code victim} replaced by their images. An inner join
     * for the source: a row without a mapping is left out, never written with its original address.
     */
    static String flows(final Scope rows)
    {
        return "(SELECT f.* REPLACE (s.b AS src, v.b AS victim) FROM flows f JOIN " + TABLE + " s ON f.src = s.a LEFT JOIN " + TABLE
            + " v ON f.victim = v.a WHERE " + rows.where("f.") + ") AS flows";
    }
}
