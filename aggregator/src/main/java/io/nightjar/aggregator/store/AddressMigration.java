package io.nightjar.aggregator.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts a store written before addresses were kept as UHUGEINT ({@link StoredAddress}): the
 * 16-byte BLOB columns {@code flows.src}, {@code flows.victim} and {@code sources.src} become the
 * numbers of the same bytes, every row kept. Runs when the store opens, before the roll-ups (whose
 * version change rebuilds them from the converted rows); does nothing on a current store.
 */
final class AddressMigration
{
    private static final Logger LOG = LoggerFactory.getLogger(AddressMigration.class);

    private AddressMigration()
    {
    }

    static void run(final Statement st) throws SQLException
    {
        final long start = System.nanoTime();
        final List<String> done = new ArrayList<>();
        for (final String column : new String[] {"src", "victim"})
        {
            if (isBlob(st, "flows", column))
            {
                st.execute("ALTER TABLE flows ALTER " + column + " TYPE UHUGEINT USING " + StoredAddress.fromBlob(column));
                done.add("flows." + column);
            }
        }
        if (isBlob(st, "sources", "src"))
        {
            // DuckDB cannot change the type of a primary-key column: a new table, then the swap
            st.execute("CREATE TABLE sources_converted (src UHUGEINT PRIMARY KEY, country VARCHAR, asn UBIGINT, as_name VARCHAR)");
            st.execute("INSERT INTO sources_converted SELECT " + StoredAddress.fromBlob("src") + ", country, asn, as_name FROM sources");
            st.execute("DROP TABLE sources");
            st.execute("ALTER TABLE sources_converted RENAME TO sources");
            done.add("sources.src");
        }
        if (!done.isEmpty())
        {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM flows"))
            {
                rs.next();
                LOG.info("store: addresses converted from 16-byte BLOB to UHUGEINT ({}; {} flow records) in {} ms", String.join(", ", done), rs.getLong(1),
                    (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    private static boolean isBlob(final Statement st, final String table, final String column) throws SQLException
    {
        try (ResultSet rs = st.executeQuery("SELECT data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = '" + table
            + "' AND column_name = '" + column + "'"))
        {
            return rs.next() && rs.getString(1).equals("BLOB");
        }
    }
}
