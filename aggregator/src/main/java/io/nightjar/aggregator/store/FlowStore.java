package io.nightjar.aggregator.store;

import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.frame.Heartbeat;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregator's embedded store: a DuckDB database file in the data directory (chosen for
 * analysts' SQL, columnar scans and Parquet export). Tables {@code flows} and {@code bins} follow
 * the wire's Arrow schemas column for column; {@code sensor_progress} holds each sensor's highest
 * applied batch, written in the same transaction as the rows (exactly-once); {@code heartbeats}
 * and {@code sensors} hold health and configured metadata; {@code sources} the country and ASN of
 * every source address, written with the rows that first brought it ({@link SourceTable}).
 *
 * <p>One writer per connection: the write methods and {@link #commit()} of a store run on one
 * writer thread only. The store {@link #open}ed is the first writer lane; {@link #lane()} gives
 * further lanes (their own connection to the same database), which the ingest writer gives
 * sensors of their own, so that their transactions never write the same rows: they mark days
 * dirty in {@code rollup_marks} and new sources in {@code sources_pending}, which the first lane
 * absorbs ({@link #absorbLanes}). Readers take their own connection with {@link #openReader()}
 * and see committed data.
 */
public final class FlowStore implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FlowStore.class);
    /** File name of the database inside the data directory. */
    public static final String FILE_NAME = "nightjar.duckdb";

    private static final String UPSERT_PROGRESS = "INSERT OR REPLACE INTO sensor_progress VALUES (?, ?, ?, ?, ?, now())";
    private static final String INSERT_HEARTBEAT = "INSERT INTO heartbeats VALUES (?, make_timestamp(?), make_timestamp(?),"
        + " ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? = 0 THEN NULL ELSE make_timestamp(?) END)";

    private final Path file;
    private final BufferAllocator allocator;
    private final DuckDBConnection writer;
    private final PreparedStatement upsertProgress;
    private final PreparedStatement insertHeartbeat;
    /** Whether this is the first lane (the one that writes {@code rollup_days} and {@code sources}). */
    private final boolean first;

    private FlowStore(final Path file, final BufferAllocator allocator) throws SQLException
    {
        this.file = file;
        this.allocator = allocator;
        this.first = true;
        this.writer = (DuckDBConnection)DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
        try (Statement st = writer.createStatement())
        {
            settings(st);
            st.execute(Ddl.createTable("flows", BatchSchemas.FLOWS));
            st.execute(Ddl.createTable("bins", BatchSchemas.BINS));
            // a store created by an older schema version gets the new columns, its rows kept
            for (final String alter : Ddl.addMissingColumns("flows", BatchSchemas.FLOWS))
            {
                st.execute(alter);
            }
            for (final String alter : Ddl.addMissingColumns("bins", BatchSchemas.BINS))
            {
                st.execute(alter);
            }
            st.execute("CREATE TABLE IF NOT EXISTS sensor_progress (sensor_id VARCHAR PRIMARY KEY, sequence BIGINT NOT NULL,"
                + " position BIGINT NOT NULL, batches BIGINT NOT NULL, spool_id VARCHAR NOT NULL, updated TIMESTAMP NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS heartbeats (sensor_id VARCHAR NOT NULL, received TIMESTAMP NOT NULL,"
                + " sensor_clock TIMESTAMP NOT NULL, packets BIGINT, malformed BIGINT, kernel_drops BIGINT, interface_drops BIGINT,"
                + " spool_documents BIGINT, spool_bytes BIGINT, evicted_records BIGINT, evicted_bins BIGINT, last_bin TIMESTAMP)");
            st.execute("CREATE TABLE IF NOT EXISTS sensors (sensor_id VARCHAR PRIMARY KEY, country VARCHAR, organisation VARCHAR,"
                + " darknet_addresses BIGINT)");
            // stores written before addresses were UHUGEINT (16-byte BLOBs): converted in place, once
            AddressMigration.run(st);
            Rollups.create(st);
            // each sensor's first and last stored bin start (µs) and last bin length, kept by the writer with the bins
            st.execute("CREATE TABLE IF NOT EXISTS sensor_span (sensor_id VARCHAR PRIMARY KEY, first_bin BIGINT NOT NULL, last_bin BIGINT NOT NULL,"
                + " bin_length_us BIGINT NOT NULL)");
            st.execute("INSERT INTO sensor_span SELECT sensor_id, epoch_us(min(bin_start)), epoch_us(max(bin_start)), arg_max(bin_length_us, bin_start)"
                + " FROM bins WHERE NOT EXISTS (SELECT 1 FROM sensor_span) GROUP BY sensor_id");
            // Source attribution (country, ASN), one row per source, filled by the writer from the geolocation data
            // (SourceTable), and which geo data attributed them.
            st.execute(SourceTable.CREATE_SOURCES);
            st.execute(SourceTable.CREATE_GEO_META);
            st.execute(SourceTable.CREATE_PENDING);
        }
        writer.setAutoCommit(false);
        this.upsertProgress = writer.prepareStatement(UPSERT_PROGRESS);
        this.insertHeartbeat = writer.prepareStatement(INSERT_HEARTBEAT);
        writer.commit();
    }

    /** A further writer lane over the database of {@code first}: its own connection and statements. */
    private FlowStore(final FlowStore first) throws SQLException
    {
        this.file = first.file;
        this.allocator = first.allocator;
        this.first = false;
        this.writer = (DuckDBConnection)first.writer.duplicate();
        try (Statement st = writer.createStatement())
        {
            settings(st);
        }
        writer.setAutoCommit(false);
        this.upsertProgress = writer.prepareStatement(UPSERT_PROGRESS);
        this.insertHeartbeat = writer.prepareStatement(INSERT_HEARTBEAT);
        writer.commit();
    }

    /** DuckDB settings the operator gave ({@code -Dnightjar.duckdb.settings=a=1;b=2}), applied after the store's own. */
    private static String operatorSettings()
    {
        return System.getProperty("nightjar.duckdb.settings", "");
    }

    /** Whether the operator set DuckDB's {@code threads} (then the store never changes it). */
    public static boolean threadsSetByOperator()
    {
        return operatorSettings().matches("(?i).*\\bthreads\\s*=.*");
    }

    /** The writer connection's settings (some are the connection's own, so every lane sets them). */
    private static void settings(final Statement st) throws SQLException
    {
        // Checkpoints (rewriting the WAL into compressed column segments) are heavy: not on every
        // commit past DuckDB's 16 MB default, but at 1 GB or when the writer is idle (checkpoint()).
        st.execute("SET checkpoint_threshold = '1GB'");
        // Lets DuckDB write an INSERT's row groups on several threads instead of one, in whatever
        // order they finish: no query depends on the rows' physical order (every ranking and export
        // has its ORDER BY). benchmarks/insert-ceiling.sh: 1.1-1.8M rows/s against 0.55-0.88M.
        st.execute("SET preserve_insertion_order = false");
        // addresses reach DuckDB as Arrow extension-typed UHUGEINT columns (StoredAddress)
        st.execute(StoredAddress.ARROW_SETTING);
        for (final String setting : operatorSettings().split(";"))
        {
            if (!setting.isBlank())
            {
                st.execute("SET " + setting);
            }
        }
    }

    /**
     * A further writer lane: a connection of its own to this store's database, for sensors that no
     * other lane writes for (the caller closes it before this store).
     */
    public FlowStore lane()
    {
        try
        {
            return new FlowStore(this);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot open a writer lane on " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Whether this is the first writer lane (the store {@link #open} returned). */
    public boolean isFirstLane()
    {
        return first;
    }

    /**
     * First lane only, in the current transaction: moves the days the other lanes marked dirty into
     * {@code rollup_days} and their new sources into {@code sources} ({@code sources} null: the
     * table is not kept). What other lanes commit meanwhile stays for the next call.
     */
    public void absorbLanes(final SourceTable sources) throws SQLException
    {
        if (!first)
        {
            throw new IllegalStateException("only the first writer lane absorbs the others' marks");
        }
        Rollups.absorbMarks(writer);
        if (sources != null)
        {
            sources.movePending();
        }
    }

    /**
     * Opens (or creates) the store in {@code dataDirectory}.
     *
     * @throws IllegalStateException naming the file if the database cannot be opened (for example
     *                               because another process holds it).
     */
    public static FlowStore open(final Path dataDirectory, final BufferAllocator allocator)
    {
        try
        {
            Files.createDirectories(dataDirectory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create data directory " + dataDirectory, ex);
        }
        final Path file = dataDirectory.resolve(FILE_NAME);
        try
        {
            final FlowStore store = new FlowStore(file, allocator);
            LOG.info("store: opened {}", file);
            return store;
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot open store " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The writer connection, for {@link SourceTable} (writer thread only). */
    DuckDBConnection writerConnection()
    {
        return writer;
    }

    /** The allocator for Arrow streams handed to DuckDB. */
    BufferAllocator allocator()
    {
        return allocator;
    }

    /** The database file. */
    public Path file()
    {
        return file;
    }

    /** Every sensor's applied progress, as committed. */
    public Map<String, Progress> progress() throws SQLException
    {
        final Map<String, Progress> out = new HashMap<>();
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT sensor_id, sequence, position, batches, spool_id FROM sensor_progress"))
        {
            while (rs.next())
            {
                out.put(rs.getString(1), new Progress(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5)));
            }
        }
        writer.commit();
        return out;
    }

    /**
     * Inserts record batches of {@link BatchSchemas#FLOWS} or {@link BatchSchemas#BINS} in the
     * current transaction, through DuckDB's Arrow stream scan (no row-by-row copy).
     */
    public void insert(final Schema schema, final List<ArrowRecordBatch> batches) throws SQLException
    {
        if (batches.isEmpty())
        {
            return;
        }
        final String table = schema.equals(BatchSchemas.FLOWS) ? "flows" : "bins";
        final String view = "incoming_" + table;
        // one pass over the batches: the days they touch (and, for bins, each sensor's span)
        final java.util.Set<Long> days = table.equals("flows") ? days(schema, batches) : updateSpans(schema, batches);
        if (first)
        {
            Rollups.markDirty(writer, days);
        }
        else
        {
            Rollups.mark(writer, days);
        }
        try (ConcatenatingReader reader = new ConcatenatingReader(allocator, schema, batches);
             ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator))
        {
            Data.exportArrayStream(allocator, reader, stream);
            writer.registerArrowStream(view, stream);
            try (Statement st = writer.createStatement())
            {
                st.executeUpdate("INSERT INTO " + table + " SELECT * FROM " + view);
                st.execute("DROP VIEW IF EXISTS " + view);
            }
        }
        catch (final IOException ex)
        {
            throw new SQLException("cannot stream batches into " + table + ": " + ex, ex);
        }
    }

    /** The distinct UTC days (epoch days) of the batches' bin starts. */
    private java.util.Set<Long> days(final Schema schema, final List<ArrowRecordBatch> batches)
    {
        final java.util.Set<Long> days = new java.util.TreeSet<>();
        try (org.apache.arrow.vector.VectorSchemaRoot root = org.apache.arrow.vector.VectorSchemaRoot.create(schema, allocator))
        {
            final org.apache.arrow.vector.VectorLoader loader = new org.apache.arrow.vector.VectorLoader(root);
            for (final ArrowRecordBatch b : batches)
            {
                loader.load(b);
                final org.apache.arrow.vector.TimeStampMicroVector v = (org.apache.arrow.vector.TimeStampMicroVector)root.getVector("bin_start");
                long last = Long.MIN_VALUE;
                for (int i = 0; i < root.getRowCount(); i++)
                {
                    final long d = Math.floorDiv(v.get(i), 86_400_000_000L);
                    if (d != last)
                    {
                        days.add(d);
                        last = d;
                    }
                }
            }
        }
        return days;
    }

    /**
     * Extends each sensor's first/last stored bin ({@code sensor_span}) by the bin batches, in the
     * current transaction; returns the distinct UTC days (epoch days) of their bin starts.
     */
    private java.util.Set<Long> updateSpans(final Schema schema, final List<ArrowRecordBatch> batches) throws SQLException
    {
        final java.util.Set<Long> days = new java.util.TreeSet<>();
        final Map<String, long[]> spans = new HashMap<>();
        try (org.apache.arrow.vector.VectorSchemaRoot root = org.apache.arrow.vector.VectorSchemaRoot.create(schema, allocator))
        {
            final org.apache.arrow.vector.VectorLoader loader = new org.apache.arrow.vector.VectorLoader(root);
            for (final ArrowRecordBatch b : batches)
            {
                loader.load(b);
                final org.apache.arrow.vector.VarCharVector ids = (org.apache.arrow.vector.VarCharVector)root.getVector("sensor_id");
                final org.apache.arrow.vector.TimeStampMicroVector start = (org.apache.arrow.vector.TimeStampMicroVector)root.getVector("bin_start");
                final org.apache.arrow.vector.BigIntVector length = (org.apache.arrow.vector.BigIntVector)root.getVector("bin_length_us");
                for (int i = 0; i < root.getRowCount(); i++)
                {
                    days.add(Math.floorDiv(start.get(i), 86_400_000_000L));
                    final long[] span = spans.computeIfAbsent(new String(ids.get(i), java.nio.charset.StandardCharsets.UTF_8),
                        k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
                    span[0] = Math.min(span[0], start.get(i));
                    if (start.get(i) >= span[1])
                    {
                        span[1] = start.get(i);
                        span[2] = length.get(i);
                    }
                }
            }
        }
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO sensor_span VALUES (?, ?, ?, ?) ON CONFLICT (sensor_id) DO UPDATE SET"
            + " first_bin = least(sensor_span.first_bin, excluded.first_bin), bin_length_us = CASE WHEN excluded.last_bin >= sensor_span.last_bin"
            + " THEN excluded.bin_length_us ELSE sensor_span.bin_length_us END, last_bin = greatest(sensor_span.last_bin, excluded.last_bin)"))
        {
            for (final Map.Entry<String, long[]> e : spans.entrySet())
            {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue()[0]);
                ps.setLong(3, e.getValue()[1]);
                ps.setLong(4, e.getValue()[2]);
                ps.executeUpdate();
            }
        }
        return days;
    }

    /** Days whose roll-ups are out of date, oldest first (epoch days); writer thread only. */
    public List<Long> dirtyDays() throws SQLException
    {
        final List<Long> days = Rollups.dirtyDays(writer);
        writer.commit();
        return days;
    }

    /** Months whose regional roll-ups are out of date and whose days are all clean (epoch day of the 1st); writer thread only. */
    public List<Long> dirtyMonths() throws SQLException
    {
        final List<Long> months = Rollups.dirtyMonths(writer);
        writer.commit();
        return months;
    }

    /** Rebuilds one month's regional roll-ups and commits; writer thread only. */
    public void rebuildMonth(final long monthEpochDay) throws SQLException
    {
        committed(c -> Rollups.rebuildMonth(c, monthEpochDay));
    }

    /** Rebuilds one day's roll-ups and commits; writer thread only. */
    public void rebuildRollup(final long epochDay) throws SQLException
    {
        committed(c -> Rollups.rebuild(c, epochDay));
    }

    /** Work on the writer connection that must commit whole or roll back. */
    @FunctionalInterface
    private interface WriterWork
    {
        void run(Connection c) throws SQLException;
    }

    private void committed(final WriterWork work) throws SQLException
    {
        try
        {
            work.run(writer);
            writer.commit();
        }
        catch (final SQLException ex)
        {
            rollback();
            throw ex;
        }
    }

    /** Records the progress of every sensor of a group in the current transaction, one statement for all. */
    public void setProgress(final Map<String, Progress> progress) throws SQLException
    {
        if (progress.size() <= 1)
        {
            for (final Map.Entry<String, Progress> e : progress.entrySet())
            {
                setProgress(e.getKey(), e.getValue());
            }
            return;
        }
        // one statement for the whole group: a single-row upsert takes a millisecond or two in DuckDB
        final StringBuilder sql = new StringBuilder("INSERT OR REPLACE INTO sensor_progress VALUES ");
        for (int i = 0; i < progress.size(); i++)
        {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, now())");
        }
        try (PreparedStatement ps = writer.prepareStatement(sql.toString()))
        {
            int i = 1;
            for (final Map.Entry<String, Progress> e : progress.entrySet())
            {
                ps.setString(i++, e.getKey());
                ps.setLong(i++, e.getValue().sequence());
                ps.setLong(i++, e.getValue().position());
                ps.setLong(i++, e.getValue().batches());
                ps.setString(i++, e.getValue().spoolId());
            }
            ps.executeUpdate();
        }
    }

    /** Records one sensor's progress in the current transaction (see {@link #setProgress(Map)}). */
    public void setProgress(final String sensorId, final Progress p) throws SQLException
    {
        upsertProgress.setString(1, sensorId);
        upsertProgress.setLong(2, p.sequence());
        upsertProgress.setLong(3, p.position());
        upsertProgress.setLong(4, p.batches());
        upsertProgress.setString(5, p.spoolId());
        upsertProgress.executeUpdate();
    }

    /** Records a heartbeat in the current transaction. */
    public void insertHeartbeat(final String sensorId, final long receivedMicros, final Heartbeat h) throws SQLException
    {
        int i = 1;
        insertHeartbeat.setString(i++, sensorId);
        insertHeartbeat.setLong(i++, receivedMicros);
        insertHeartbeat.setLong(i++, h.clockMicros());
        insertHeartbeat.setLong(i++, h.packets());
        insertHeartbeat.setLong(i++, h.malformed());
        insertHeartbeat.setLong(i++, h.kernelDrops());
        insertHeartbeat.setLong(i++, h.interfaceDrops());
        insertHeartbeat.setLong(i++, h.spoolDocuments());
        insertHeartbeat.setLong(i++, h.spoolBytes());
        insertHeartbeat.setLong(i++, h.evictedRecords());
        insertHeartbeat.setLong(i++, h.evictedBins());
        insertHeartbeat.setLong(i++, h.lastBinMicros());
        insertHeartbeat.setLong(i, h.lastBinMicros());
        insertHeartbeat.executeUpdate();
    }

    /** Replaces the configured sensor metadata (committed at once). */
    public void replaceSensors(final List<SensorRow> sensors) throws SQLException
    {
        try (Statement st = writer.createStatement())
        {
            st.execute("DELETE FROM sensors");
        }
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO sensors VALUES (?, ?, ?, ?)"))
        {
            for (final SensorRow s : sensors)
            {
                ps.setString(1, s.id());
                ps.setString(2, s.country());
                ps.setString(3, s.organisation());
                ps.setLong(4, s.darknetAddresses());
                ps.executeUpdate();
            }
        }
        writer.commit();
    }

    /** Writes the WAL into the database file (the writer calls it when idle). */
    public void checkpoint() throws SQLException
    {
        writer.commit();
        try (Statement st = writer.createStatement())
        {
            st.execute("CHECKPOINT");
        }
        writer.commit();
    }

    /** DuckDB's thread count (a setting of the whole database); between transactions only (it commits). */
    public int threads() throws SQLException
    {
        final int threads;
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery("SELECT current_setting('threads')"))
        {
            rs.next();
            threads = Integer.parseInt(rs.getString(1));
        }
        writer.commit();
        return threads;
    }

    /**
     * Sets DuckDB's thread count for the whole database (every connection's statements from now on);
     * between transactions only (it commits, so that no snapshot stays open on the writer).
     */
    public void setThreads(final int threads) throws SQLException
    {
        try (Statement st = writer.createStatement())
        {
            st.execute("SET threads = " + threads);
        }
        writer.commit();
    }

    /** Bytes of the write-ahead log file (0 when there is none). */
    public long walBytes()
    {
        try
        {
            return Files.size(file.resolveSibling(file.getFileName() + ".wal"));
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /** Commits the current transaction (durable when this returns). */
    public void commit() throws SQLException
    {
        writer.commit();
    }

    /** Rolls the current transaction back. */
    public void rollback()
    {
        try
        {
            writer.rollback();
        }
        catch (final SQLException ex)
        {
            LOG.error("store: rollback failed", ex);
        }
    }

    /** A new read-only-by-convention connection for queries (the caller closes it). */
    public Connection openReader() throws SQLException
    {
        return writer.duplicate();
    }

    @Override
    public void close()
    {
        try
        {
            upsertProgress.close();
            insertHeartbeat.close();
            writer.close();
        }
        catch (final SQLException ex)
        {
            LOG.warn("store: close failed", ex);
        }
    }

    /** A configured sensor as stored in the {@code sensors} table. */
    public record SensorRow(String id, String country, String organisation, long darknetAddresses)
    {
    }
}
