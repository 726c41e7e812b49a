package io.nightjar.aggregator.store;

import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.aggregator.enrich.Enrichment;
import io.nightjar.wire.arrow.BatchSchemas;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.math.BigInteger;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The store's {@code sources} table: each source address once, with its country (ISO alpha-2 or
 * NULL), ASN (UBIGINT, 0 = unknown) and AS organisation (or NULL) from the {@link Enricher}:
 *
 * <pre>
 * sources  (src UHUGEINT PRIMARY KEY, country VARCHAR, asn UBIGINT, as_name VARCHAR)
 * geo_meta (key VARCHAR PRIMARY KEY, value VARCHAR)   -- geo_version, and while re-attributing:
 *                                                      -- reattribute_version, reattribute_after (hex src)
 * </pre>
 *
 * <p>{@link #attributeNew} runs inside the writer's transaction, after the group's flow rows are
 * inserted, so a source and the rows that brought it commit (or roll back) together. The group's
 * sources are read from its own Arrow batches (the {@code src} buffer, no copy) and checked against
 * a bounded in-memory set of known sources ({@link KnownSources}, 32 MB); only the ones it lacks are
 * looked up and inserted, with {@code INSERT OR IGNORE} so that a source the set forgot is not
 * added twice. (An ANTI JOIN of the group against {@code sources} gives the same answer but scans
 * the whole table every group: 55-120 ms per 190k-row group at 1M sources, growing with the table.)
 *
 * <p>{@code geo_meta.geo_version} records which geo data ({@link Enricher#version()}) attributed the
 * rows. When the aggregator starts with other data, the existing sources are re-attributed in
 * the background by {@link #reattributeStep}, chunk by chunk in source order, each chunk its own
 * transaction with its position, so a restart resumes where it stopped.
 *
 * <p>The store's further writer lanes ({@link FlowStore#lane()}) each have a table of their own
 * ({@link #lane}) that writes their new sources, attributed, to {@code sources_pending} instead (two
 * transactions inserting one key into {@code sources} would conflict, and one would fail at
 * commit); the first lane moves them into {@code sources} with {@link #movePending()}.
 *
 * <p>Single writer: every method runs on its lane's writer thread.
 */
public final class SourceTable
{
    private static final Logger LOG = LoggerFactory.getLogger(SourceTable.class);

    static final String CREATE_SOURCES = "CREATE TABLE IF NOT EXISTS sources (src UHUGEINT PRIMARY KEY, country VARCHAR, asn UBIGINT, as_name VARCHAR)";
    static final String CREATE_GEO_META = "CREATE TABLE IF NOT EXISTS geo_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)";
    /** New sources of the writer lanes after the first, attributed, until the first lane moves them into {@code sources}. */
    static final String CREATE_PENDING = "CREATE TABLE IF NOT EXISTS sources_pending (src UHUGEINT NOT NULL, country VARCHAR, asn UBIGINT,"
        + " as_name VARCHAR)";

    /** Arrow layout of the rows handed to DuckDB (the table's columns in order). */
    static final Schema SCHEMA = new Schema(List.of(
        new Field("src", new FieldType(false, new ArrowType.FixedSizeBinary(16), null, StoredAddress.UHUGEINT_EXTENSION), null),
        new Field("country", new FieldType(true, ArrowType.Utf8.INSTANCE, null), null),
        new Field("asn", new FieldType(false, new ArrowType.Int(64, false), null), null),
        new Field("as_name", new FieldType(true, ArrowType.Utf8.INSTANCE, null), null)));

    private final FlowStore store;
    private final DuckDBConnection db;
    private final Enricher enricher;
    private final int chunkRows;
    /** What {@link #attributeNew} runs over the view of its attributed sources. */
    private final String insertNew;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** Copy of a batch's src column (16 bytes per row). */
    private byte[] raw = new byte[0];
    /** Sources in the table or in the current transaction (bounded: 2^21 slots, 32 MB). */
    private final KnownSources known = new KnownSources(21);
    private String reattributeAfter;
    private long reattributed;
    private long toReattribute;
    private long attributed;
    private long attributeNanos;
    private long findNanos;
    private long lookupNanos;

    /**
     * Binds the table to {@code enricher}; if the stored rows were attributed by other geo data,
     * schedules their re-attribution (logged).
     *
     * @param chunkRows sources re-attributed per {@link #reattributeStep} (and per transaction).
     */
    public SourceTable(final FlowStore store, final Enricher enricher, final int chunkRows) throws SQLException
    {
        if (!store.isFirstLane())
        {
            throw new IllegalArgumentException("the sources table of a further writer lane is SourceTable.lane");
        }
        this.store = store;
        this.db = store.writerConnection();
        this.enricher = enricher;
        this.chunkRows = chunkRows;
        // sources the bounded set forgot are in the table already: the primary key ignores them
        this.insertNew = "INSERT OR IGNORE INTO sources SELECT * FROM attributed_sources";
        final String stored = meta("geo_version");
        final String pendingVersion = meta("reattribute_version");
        final long count = count();
        if (enricher.version().equals(stored) && pendingVersion == null)
        {
            db.commit();
            return;
        }
        if (enricher.isEmpty() && count > 0)
        {
            // Started without geo data (missing files, --no-geo): keep what better data attributed before;
            // new sources are stored unknown and get attributed when the data is back.
            LOG.warn("geo: no geo data loaded; the {} stored sources keep their attribution ({}), new sources are stored unknown"
                + " until a start with geo data re-attributes them", count, stored == null ? "none" : stored);
            if (stored != null && !stored.startsWith("partial:"))
            {
                setMeta("geo_version", "partial:" + stored);
            }
            db.commit();
            return;
        }
        if (count == 0)
        {
            setMeta("geo_version", enricher.version());
            deleteMeta("reattribute_version");
            deleteMeta("reattribute_after");
            db.commit();
            return;
        }
        toReattribute = count;
        if (enricher.version().equals(pendingVersion))
        {
            reattributeAfter = meta("reattribute_after");
            if (reattributeAfter == null)
            {
                reattributeAfter = "";
            }
            LOG.info("geo: resuming the re-attribution of {} sources with {} (after source {})", count, enricher.version(),
                reattributeAfter.isEmpty() ? "-" : reattributeAfter);
        }
        else
        {
            reattributeAfter = "";
            setMeta("reattribute_version", enricher.version());
            setMeta("reattribute_after", "");
            LOG.info("geo: the {} stored sources were attributed with other geo data ({}); re-attributing them in the background with {}",
                count, stored == null ? "unknown" : stored, enricher.version());
        }
        db.commit();
    }

    /** The sources of a further writer lane: its new sources go to {@code sources_pending}; it re-attributes nothing. */
    private SourceTable(final FlowStore lane, final Enricher enricher)
    {
        this.store = lane;
        this.db = lane.writerConnection();
        this.enricher = enricher;
        this.chunkRows = 0;
        this.insertNew = "INSERT INTO sources_pending SELECT * FROM attributed_sources";
    }

    /** The source upkeep of {@code lane}, a writer lane other than the first, with the first lane's geo data. */
    public static SourceTable lane(final FlowStore lane, final Enricher enricher)
    {
        if (lane.isFirstLane())
        {
            throw new IllegalArgumentException("the first writer lane's sources table is new SourceTable(...)");
        }
        return new SourceTable(lane, enricher);
    }

    /** The geo data this table attributes with. */
    public Enricher enricher()
    {
        return enricher;
    }

    /**
     * First lane, in the current transaction: moves the pending sources of the other lanes that this
     * transaction sees into {@code sources} (each once; a source already there keeps its row).
     *
     * @return sources moved into the table.
     */
    int movePending() throws SQLException
    {
        try (Statement st = db.createStatement())
        {
            final int moved = st.executeUpdate("INSERT OR IGNORE INTO sources SELECT src, any_value(country), any_value(asn), any_value(as_name)"
                + " FROM sources_pending GROUP BY src");
            st.execute("DELETE FROM sources_pending");
            return moved;
        }
    }

    /** The geo data version that attributed every stored source, or null while re-attributing. */
    public String storedVersion() throws SQLException
    {
        return reattributeAfter == null ? meta("geo_version") : null;
    }

    /** Whether stored sources still wait for re-attribution. */
    public boolean reattributing()
    {
        return reattributeAfter != null;
    }

    /** Sources looked up and offered by {@link #attributeNew} since start. */
    public long attributed()
    {
        return attributed;
    }

    /** Time spent in {@link #attributeNew} since start (finding, looking up and inserting new sources), ns. */
    public long attributeNanos()
    {
        return attributeNanos;
    }

    /** Of {@link #attributeNanos()}: finding the new sources (reading the group's addresses, the known-source set), ns. */
    public long findNanos()
    {
        return findNanos;
    }

    /** Of {@link #attributeNanos()}: the geo lookups, ns. */
    public long lookupNanos()
    {
        return lookupNanos;
    }

    /**
     * Inserts the sources of {@code flowBatches} (record batches of {@link BatchSchemas#FLOWS}, just
     * inserted into {@code flows}) that {@code sources} does not hold yet, with their attribution, in
     * the current transaction (the caller commits, or rolls back and calls {@link #rolledBack()}).
     *
     * @return sources looked up and offered to the table (new ones, and any the bounded set of
     *         known sources had forgotten, which the primary key then ignores).
     */
    public int attributeNew(final List<ArrowRecordBatch> flowBatches) throws SQLException
    {
        if (flowBatches.isEmpty())
        {
            return 0;
        }
        final long start = System.nanoTime();
        final List<byte[]> fresh = new ArrayList<>();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchSchemas.FLOWS, store.allocator()))
        {
            final VectorLoader loader = new VectorLoader(root);
            final FixedSizeBinaryVector src = (FixedSizeBinaryVector)root.getVector("src");
            final KnownSources seen = known;
            for (final ArrowRecordBatch b : flowBatches)
            {
                loader.load(b);
                final int rows = root.getRowCount();
                if (raw.length < rows * 16)
                {
                    raw = new byte[rows * 16];
                }
                // one bulk copy out of the Arrow buffer, then plain array reads (no per-access bounds check on the buffer)
                src.getDataBuffer().getBytes(0, raw, 0, rows * 16);
                final boolean nulls = src.getNullCount() > 0;
                final byte[] r = raw;
                for (int i = 0; i < rows; i++)
                {
                    // the halves in native byte order: a set key only
                    if ((!nulls || !src.isNull(i)) && seen.add((long)LONGS.get(r, i * 16), (long)LONGS.get(r, i * 16 + 8)))
                    {
                        fresh.add(Arrays.copyOfRange(r, i * 16, i * 16 + 16));
                    }
                }
            }
        }
        findNanos += System.nanoTime() - start;
        if (!fresh.isEmpty())
        {
            write(fresh, insertNew);
            attributed += fresh.size();
        }
        attributeNanos += System.nanoTime() - start;
        return fresh.size();
    }

    /**
     * The writer rolled its transaction back: forget the sources it added (they may not be in the
     * table), so that they are attributed again when they come back.
     */
    public void rolledBack()
    {
        known.clear();
    }

    /**
     * Re-attributes the next chunk of stored sources (in source order) with the current geo data
     * and commits it with its position; the last chunk records the new {@code geo_version}.
     *
     * @return sources re-attributed (0 when there was nothing left).
     */
    public int reattributeStep() throws SQLException
    {
        if (reattributeAfter == null)
        {
            return 0;
        }
        final List<byte[]> chunk = new ArrayList<>(chunkRows);
        // the position is the hex of the last source done (32 digits), empty before the first chunk
        final BigInteger from = reattributeAfter.isEmpty() ? BigInteger.ZERO : new BigInteger(reattributeAfter, 16).add(BigInteger.ONE);
        if (from.bitLength() <= 128)
        {
            try (PreparedStatement ps = db.prepareStatement("SELECT src FROM sources WHERE src >= " + StoredAddress.literal(from)
                + " ORDER BY src LIMIT ?"))
            {
                ps.setInt(1, chunkRows);
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        chunk.add(StoredAddress.read(rs, 1));
                    }
                }
            }
        }
        if (!chunk.isEmpty())
        {
            write(chunk, "UPDATE sources SET country = a.country, asn = a.asn, as_name = a.as_name FROM attributed_sources a"
                + " WHERE sources.src = a.src");
            reattributeAfter = hex(chunk.get(chunk.size() - 1));
            reattributed += chunk.size();
        }
        if (chunk.size() < chunkRows)
        {
            setMeta("geo_version", enricher.version());
            deleteMeta("reattribute_version");
            deleteMeta("reattribute_after");
            db.commit();
            LOG.info("geo: re-attributed {} sources with {}", reattributed, enricher.version());
            reattributeAfter = null;
        }
        else
        {
            setMeta("reattribute_after", reattributeAfter);
            db.commit();
            LOG.info("geo: re-attributing sources: {} of about {} done", reattributed, toReattribute);
        }
        return chunk.size();
    }

    /** Looks up {@code addresses} and runs {@code sql} over them as the view {@code attributed_sources}. */
    private void write(final List<byte[]> addresses, final String sql) throws SQLException
    {
        final BufferAllocator allocator = store.allocator();
        final VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        try (root)
        {
            final FixedSizeBinaryVector src = (FixedSizeBinaryVector)root.getVector(0);
            final VarCharVector country = (VarCharVector)root.getVector(1);
            final UInt8Vector asn = (UInt8Vector)root.getVector(2);
            final VarCharVector asName = (VarCharVector)root.getVector(3);
            final long start = System.nanoTime();
            final int n = addresses.size();
            src.allocateNew(n);
            country.allocateNew(n * 2L, n);
            asn.allocateNew(n);
            asName.allocateNew(n * 16L, n);
            for (int i = 0; i < n; i++)
            {
                final byte[] a = addresses.get(i);
                final Enrichment e = enricher.lookup(a);
                StoredAddress.set(src, i, a);
                if (e.country() == null)
                {
                    country.setNull(i);
                }
                else
                {
                    country.setSafe(i, e.country().getBytes(StandardCharsets.US_ASCII));
                }
                asn.set(i, e.asn());
                if (e.asName() == null)
                {
                    asName.setNull(i);
                }
                else
                {
                    asName.setSafe(i, e.asName().getBytes(StandardCharsets.UTF_8));
                }
            }
            root.setRowCount(n);
            lookupNanos += System.nanoTime() - start;
            try (ArrowReader reader = new RootReader(allocator, root);
                 ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator))
            {
                Data.exportArrayStream(allocator, reader, stream);
                db.registerArrowStream("attributed_sources", stream);
                try (Statement st = db.createStatement())
                {
                    st.executeUpdate(sql);
                    st.execute("DROP VIEW IF EXISTS attributed_sources");
                }
            }
            catch (final IOException ex)
            {
                throw new SQLException("cannot stream attributed sources: " + ex, ex);
            }
        }
    }

    private long count() throws SQLException
    {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sources"))
        {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String meta(final String key) throws SQLException
    {
        try (PreparedStatement ps = db.prepareStatement("SELECT value FROM geo_meta WHERE key = ?"))
        {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery())
            {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private void setMeta(final String key, final String value) throws SQLException
    {
        try (PreparedStatement ps = db.prepareStatement("INSERT OR REPLACE INTO geo_meta VALUES (?, ?)"))
        {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }

    private void deleteMeta(final String key) throws SQLException
    {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM geo_meta WHERE key = ?"))
        {
            ps.setString(1, key);
            ps.executeUpdate();
        }
    }

    private static String hex(final byte[] b)
    {
        final StringBuilder sb = new StringBuilder(b.length * 2);
        for (final byte x : b)
        {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    /** One already-filled root as a one-batch Arrow stream (does not own the root). */
    private static final class RootReader extends ArrowReader
    {
        private final VectorSchemaRoot source;
        private boolean done;

        RootReader(final BufferAllocator allocator, final VectorSchemaRoot source)
        {
            super(allocator);
            this.source = source;
        }

        @Override
        public boolean loadNextBatch() throws IOException
        {
            if (done)
            {
                return false;
            }
            done = true;
            final VectorSchemaRoot target = getVectorSchemaRoot();
            for (int i = 0; i < source.getFieldVectors().size(); i++)
            {
                source.getVector(i).makeTransferPair(target.getVector(i)).transfer();
            }
            target.setRowCount(source.getRowCount());
            return true;
        }

        @Override
        public long bytesRead()
        {
            return 0;
        }

        @Override
        protected void closeReadSource()
        {
        }

        @Override
        protected Schema readSchema()
        {
            return SCHEMA;
        }
    }
}
