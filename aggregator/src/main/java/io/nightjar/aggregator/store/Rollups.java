package io.nightjar.aggregator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Daily roll-ups of the flow records, so that the dashboard's long-range queries read thousands of
 * rows instead of hundreds of millions, and stay exact:
 * <ul>
 *   <li>{@code port_day}: packets and bytes per (day, sensor, protocol, port, class): additive;</li>
 *   <li>{@code port_src_day}: the distinct (day, sensor, protocol, port, class, source) keys, so that
 *       distinct sources over any set of whole days and sensors is an exact {@code count(DISTINCT)}
 *       over far fewer rows than the records (a scanner seen in every bin of a day is one row);</li>
 *   <li>{@code src_day}: packets and bytes per (day, sensor, source), for countries and ASNs;</li>
 *   <li>{@code port_day_region}, {@code src_day_region}: the same over all sensors (exact regional
 *       distinct sources per day; a source's country and ASN as attributed when the day was built);</li>
 *   <li>{@code port_month_region}, {@code src_month_region}: calendar months over all sensors, built
 *       from the days once they are all clean, for year-long regional rankings;</li>
 *   <li>{@code country_month_region}, {@code asn_month_region}: distinct sources and packets per
 *       source country and ASN per calendar month, over all sensors;</li>
 *   <li>{@code sensor_day}: bins per (day, sensor), first bin, end of last bin and the longest stretch
 *       between bins inside the day, for active-sensor counts and coverage.</li>
 * </ul>
 * A day is marked dirty in the same transaction as any record of it ({@code rollup_days} by the
 * store's first writer lane, {@code rollup_marks} by the others, until the first absorbs them), and
 * rebuilt by the first lane when the lanes are idle (or at least every minute under load), in one
 * transaction that also marks it clean. Readers use a day's roll-up only when it is clean and
 * unmarked, and the records otherwise, so answers never depend on how far the rebuild has come.
 */
public final class Rollups
{
    private Rollups()
    {
    }

    /**
     * Version of the roll-up tables' definitions: a store built by an older version rebuilds every
     * day once (5: addresses as UHUGEINT instead of BLOB).
     */
    static final int VERSION = 5;

    /** Creates the roll-up tables if missing, and marks every day dirty when they were built by another version. */
    static void create(final Statement st) throws SQLException
    {
        st.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
        String built = null;
        try (ResultSet rs = st.executeQuery("SELECT value FROM store_meta WHERE key = 'rollup_version'"))
        {
            if (rs.next())
            {
                built = rs.getString(1);
            }
        }
        if (!Integer.toString(VERSION).equals(built))
        {
            for (final String t : List.of("rollup_days", "rollup_marks", "rollup_months", "port_day", "port_src_day", "src_day", "sensor_day", "port_day_region",
                "src_day_region", "port_month_region", "src_month_region", "country_month_region", "asn_month_region", "rollup_targets"))
            {
                st.execute("DROP TABLE IF EXISTS " + t);
            }
            createTables(st);
            st.execute("INSERT INTO rollup_days SELECT DISTINCT bin_start::DATE, true, NULL FROM bins");
            st.execute("INSERT OR REPLACE INTO store_meta VALUES ('rollup_version', '" + VERSION + "')");
            return;
        }
        createTables(st);
    }

    private static void createTables(final Statement st) throws SQLException
    {
        st.execute("CREATE TABLE IF NOT EXISTS rollup_days (day DATE PRIMARY KEY, dirty BOOLEAN NOT NULL, built TIMESTAMP)");
        // days written by the store's other writer lanes, appended (never conflicting) until the first lane absorbs them
        st.execute("CREATE TABLE IF NOT EXISTS rollup_marks (day DATE NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS port_day (day DATE NOT NULL, sensor_id VARCHAR NOT NULL, protocol UTINYINT NOT NULL,"
            + " port USMALLINT NOT NULL, class UTINYINT NOT NULL, packets BIGINT NOT NULL, bytes BIGINT NOT NULL, sources BIGINT NOT NULL,"
            + " targets BIGINT NOT NULL DEFAULT 0)");
        st.execute("CREATE TABLE IF NOT EXISTS port_src_day (day DATE NOT NULL, sensor_id VARCHAR NOT NULL, protocol UTINYINT NOT NULL,"
            + " port USMALLINT NOT NULL, class UTINYINT NOT NULL, src UHUGEINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS rollup_months (month DATE PRIMARY KEY, dirty BOOLEAN NOT NULL, built TIMESTAMP)");
        st.execute("CREATE TABLE IF NOT EXISTS port_day_region (day DATE NOT NULL, protocol UTINYINT NOT NULL, port USMALLINT NOT NULL,"
            + " class UTINYINT NOT NULL, packets BIGINT NOT NULL, bytes BIGINT NOT NULL, sources BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS src_day_region (day DATE NOT NULL, src UHUGEINT NOT NULL, country VARCHAR, asn UBIGINT,"
            + " packets BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS port_month_region (month DATE NOT NULL, protocol UTINYINT NOT NULL, port USMALLINT NOT NULL,"
            + " class UTINYINT NOT NULL, packets BIGINT NOT NULL, bytes BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS src_month_region (month DATE NOT NULL, src UHUGEINT NOT NULL, country VARCHAR, asn UBIGINT,"
            + " packets BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS country_month_region (month DATE NOT NULL, country VARCHAR NOT NULL, sources BIGINT NOT NULL,"
            + " packets BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS asn_month_region (month DATE NOT NULL, asn UBIGINT NOT NULL, sources BIGINT NOT NULL,"
            + " packets BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS sensor_day (day DATE NOT NULL, sensor_id VARCHAR NOT NULL, bins BIGINT NOT NULL,"
            + " first_bin BIGINT NOT NULL, last_bin_end BIGINT NOT NULL, max_gap_us BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS src_day (day DATE NOT NULL, sensor_id VARCHAR NOT NULL, src UHUGEINT NOT NULL,"
            + " packets BIGINT NOT NULL, bytes BIGINT NOT NULL)");
    }

    /** Marks days (epoch days) dirty, in the caller's transaction. */
    static void markDirty(final Connection c, final Collection<Long> epochDays) throws SQLException
    {
        insertDays(c, "INSERT OR REPLACE INTO rollup_days VALUES (DATE '1970-01-01' + ?::INTEGER, true, NULL)", epochDays);
    }

    /**
     * Marks days dirty from a writer lane other than the first: appended to {@code rollup_marks}, which
     * no two transactions can conflict on (two lanes upserting one {@code rollup_days} row would), until
     * {@link #absorbMarks} moves them. Readers count a marked day as dirty.
     */
    static void mark(final Connection c, final Collection<Long> epochDays) throws SQLException
    {
        insertDays(c, "INSERT INTO rollup_marks VALUES (DATE '1970-01-01' + ?::INTEGER)", epochDays);
    }

    /** Runs {@code sql}, whose one parameter is an epoch day, for each of {@code epochDays} in one batch. */
    private static void insertDays(final Connection c, final String sql, final Collection<Long> epochDays) throws SQLException
    {
        if (epochDays.isEmpty())
        {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql))
        {
            for (final long d : epochDays)
            {
                ps.setLong(1, d);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Moves the marks that this transaction sees into {@code rollup_days} (first lane only, in the
     * caller's transaction). Marks committed later stay for the next call, so a day rebuilt from a
     * snapshot without their rows is dirty again afterwards.
     */
    static void absorbMarks(final Connection c) throws SQLException
    {
        try (Statement st = c.createStatement())
        {
            st.execute("INSERT OR REPLACE INTO rollup_days SELECT DISTINCT day, true, NULL FROM rollup_marks");
            st.execute("DELETE FROM rollup_marks");
        }
    }

    /** Dirty days, oldest first, as epoch days. */
    static List<Long> dirtyDays(final Connection c) throws SQLException
    {
        final List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT day - DATE '1970-01-01' FROM rollup_days WHERE dirty ORDER BY day"))
        {
            while (rs.next())
            {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /**
     * Fills {@code port_day.targets} of one day: the distinct darknet destinations of each (sensor,
     * protocol, port) in the probe classes ({@code tcp_scan}, {@code udp_probe}), merged from the
     * records' destination sketches (exact up to 1024, HyperLogLog beyond), for surging ports.
     */
    private static void targets(final Connection c, final String range) throws SQLException
    {
        try (Statement st = c.createStatement())
        {
            st.execute("CREATE TABLE IF NOT EXISTS rollup_targets (sensor_id VARCHAR, protocol INTEGER, port INTEGER, class INTEGER, targets BIGINT)");
            st.execute("DELETE FROM rollup_targets");
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sensor_id, protocol, port, class, destination_sketch, destinations FROM flows WHERE " + range
                 + " AND class IN (" + io.nightjar.wire.schema.TrafficClass.TCP_SCAN.id() + ", " + io.nightjar.wire.schema.TrafficClass.UDP_PROBE.id()
                 + ") ORDER BY sensor_id, protocol, port, class");
             org.duckdb.DuckDBAppender out = ((org.duckdb.DuckDBConnection)c).createAppender(org.duckdb.DuckDBConnection.DEFAULT_SCHEMA, "rollup_targets"))
        {
            final TargetMerger m = new TargetMerger(out);
            while (rs.next())
            {
                m.add(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getBytes(5), rs.getLong(6));
            }
            m.flush();
        }
    }

    /** Merges consecutive records of one (sensor, protocol, port, class) into one distinct-target count. */
    static final class TargetMerger
    {
        private final org.duckdb.DuckDBAppender out;
        private String sensor;
        private int protocol = -1;
        private int port = -1;
        private int cls = -1;
        private final TargetCount targets = new TargetCount();

        TargetMerger(final org.duckdb.DuckDBAppender out)
        {
            this.out = out;
        }

        void add(final String s, final int proto, final int p, final int c, final byte[] sketch, final long destinations) throws SQLException
        {
            if (!s.equals(sensor) || proto != protocol || p != port || c != cls)
            {
                flush();
                sensor = s;
                protocol = proto;
                port = p;
                cls = c;
                targets.reset();
            }
            targets.add(sketch, destinations);
        }

        void flush() throws SQLException
        {
            if (sensor == null)
            {
                return;
            }
            out.beginRow();
            out.append(sensor);
            out.append(protocol);
            out.append(port);
            out.append(cls);
            out.append(targets.count());
            out.endRow();
            sensor = null;
        }
    }

    /** Dirty months whose days are all clean, oldest first, as the epoch day of their first day. */
    static List<Long> dirtyMonths(final Connection c) throws SQLException
    {
        final List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT month - DATE '1970-01-01' FROM rollup_months m WHERE dirty AND NOT EXISTS (SELECT 1 FROM rollup_days d"
                 + " WHERE d.dirty AND d.day >= m.month AND d.day < m.month + INTERVAL 1 MONTH) ORDER BY month"))
        {
            while (rs.next())
            {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** Rebuilds one month's regional roll-ups from its days' and marks it clean, in the caller's transaction. */
    static void rebuildMonth(final Connection c, final long monthEpochDay) throws SQLException
    {
        final String month = "(DATE '1970-01-01' + " + monthEpochDay + "::INTEGER)";
        final String days = "day >= " + month + " AND day < " + month + " + INTERVAL 1 MONTH";
        try (Statement st = c.createStatement())
        {
            st.execute("DELETE FROM port_month_region WHERE month = " + month);
            st.execute("DELETE FROM src_month_region WHERE month = " + month);
            st.execute("DELETE FROM country_month_region WHERE month = " + month);
            st.execute("DELETE FROM asn_month_region WHERE month = " + month);
            st.execute("INSERT INTO port_month_region SELECT " + month + ", protocol, port, class, sum(packets), sum(bytes) FROM port_day_region WHERE "
                + days + " GROUP BY ALL");
            st.execute("INSERT INTO src_month_region SELECT " + month + ", src, any_value(country), any_value(asn), sum(packets) FROM src_day_region WHERE "
                + days + " GROUP BY src");
            st.execute("INSERT INTO country_month_region SELECT " + month + ", coalesce(country, '??'), count(*), sum(packets) FROM src_month_region"
                + " WHERE month = " + month + " GROUP BY ALL");
            st.execute("INSERT INTO asn_month_region SELECT " + month + ", coalesce(asn, 0), count(*), sum(packets) FROM src_month_region"
                + " WHERE month = " + month + " GROUP BY ALL");
            st.execute("UPDATE rollup_months SET dirty = false, built = now() WHERE month = " + month);
        }
    }

    /** Rebuilds one day's roll-ups and marks it clean, in the caller's transaction. */
    static void rebuild(final Connection c, final long epochDay) throws SQLException
    {
        final String day = "(DATE '1970-01-01' + " + epochDay + "::INTEGER)";
        final String range = "bin_start >= " + day + "::TIMESTAMP AND bin_start < (" + day + " + 1)::TIMESTAMP";
        try (Statement st = c.createStatement())
        {
            for (final String t : List.of("port_day", "port_src_day", "src_day", "sensor_day", "port_day_region", "src_day_region"))
            {
                st.execute("DELETE FROM " + t + " WHERE day = " + day);
            }
            targets(c, range);
            st.execute("INSERT INTO port_day SELECT g.d, g.sensor_id, g.protocol, g.port, g.class, g.p, g.b, g.s, coalesce(t.targets, 0) FROM ("
                + "SELECT " + day + " AS d, sensor_id, protocol, port, class, sum(packets) AS p, sum(bytes) AS b, count(DISTINCT src) AS s"
                + " FROM flows WHERE " + range + " GROUP BY ALL) g LEFT JOIN rollup_targets t ON t.sensor_id = g.sensor_id AND t.protocol = g.protocol"
                + " AND t.port = g.port AND t.class = g.class");
            st.execute("DELETE FROM rollup_targets");
            st.execute("INSERT INTO port_src_day SELECT DISTINCT " + day + ", sensor_id, protocol, port, class, src FROM flows WHERE " + range);
            st.execute("INSERT INTO src_day SELECT " + day + ", sensor_id, src, sum(packets), sum(bytes) FROM flows WHERE " + range + " GROUP BY ALL");
            st.execute("INSERT INTO sensor_day SELECT " + day + ", sensor_id, count(*), min(s), max(e), coalesce(max(next - e), 0) FROM ("
                + "SELECT sensor_id, epoch_us(bin_start) AS s, epoch_us(bin_start) + bin_length_us AS e,"
                + " lead(epoch_us(bin_start)) OVER (PARTITION BY sensor_id ORDER BY bin_start) AS next FROM bins WHERE " + range + ") GROUP BY sensor_id");
            st.execute("INSERT INTO port_day_region SELECT " + day + ", protocol, port, class, sum(packets), sum(bytes), count(DISTINCT src)"
                + " FROM flows WHERE " + range + " GROUP BY ALL");
            st.execute("INSERT INTO src_day_region SELECT " + day + ", f.src, any_value(s.country), any_value(s.asn), sum(f.packets)"
                + " FROM flows f LEFT JOIN sources s ON s.src = f.src WHERE " + range.replace("bin_start", "f.bin_start") + " GROUP BY f.src");
            st.execute("UPDATE rollup_days SET dirty = false, built = now() WHERE day = " + day);
            st.execute("INSERT OR REPLACE INTO rollup_months VALUES (date_trunc('month', " + day + ")::DATE, true, NULL)");
        }
    }
}
