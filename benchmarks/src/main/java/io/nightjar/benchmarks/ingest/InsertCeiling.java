package io.nightjar.benchmarks.ingest;

import io.nightjar.aggregator.store.StoredAddress;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.DecodedBatch;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.arrow.IpcStreams;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The ceiling under the aggregator's ingest: DuckDB alone inserting 327,680 realistic flow records
 * (40 decoded Arrow batches of 8,192, as the store writer gets them) into a table of the flows
 * schema in a file database, with no network, TLS, roll-up marks or progress rows. Variants: the
 * store's own statement ({@code INSERT ... SELECT * FROM} the Arrow stream), the same split over two
 * streams with {@code UNION ALL}, staged through a temporary table, only scanning the stream
 * ({@code count(*)}), and without the BLOB columns or with constant strings, to see which columns cost;
 * {@code FIXED} stores the source as two UBIGINT halves (IPv4-mapped values made by arithmetic in
 * the statement) instead of the 16-byte BLOB.
 * Four rounds; compare the rounds' ratios (the machine is shared). Options (system properties, or
 * {@code CEILING_OPTS} for the script): {@code ceiling.settings} (DuckDB settings, {@code ;}-separated),
 * {@code ceiling.compression} (per-column choices, e.g. {@code src:uncompressed}), {@code ceiling.rounds},
 * {@code ceiling.only} (only the variants that, without their spaces, start with one of these {@code |}-separated prefixes, e.g. {@code SELECT*FROMv|FIXED}). Prints the database's size at the end.
 *
 * <pre>benchmarks/insert-ceiling.sh</pre>
 */
public final class InsertCeiling
{
    private InsertCeiling()
    {
    }

    /** The batches as one Arrow stream, as the store's ConcatenatingReader presents them. */
    static final class Concat extends ArrowReader
    {
        final Schema schema;
        final Iterator<ArrowRecordBatch> it;
        Concat(final RootAllocator a, final Schema s, final List<ArrowRecordBatch> b)
        {
            super(a);
            schema = s;
            it = b.iterator();
        }
        @Override public boolean loadNextBatch() throws java.io.IOException { if (!it.hasNext()) return false; new VectorLoader(getVectorSchemaRoot()).load(it.next()); return true; }
        @Override public long bytesRead() { return 0; }
        @Override protected void closeReadSource() { }
        @Override protected Schema readSchema() { return schema; }
    }

    /** {@code schema} with {@code extension} on its address fields ({@code src}, {@code victim}). */
    static Schema withAddressExtension(final Schema schema, final Map<String, String> extension)
    {
        final List<Field> fields = new ArrayList<>();
        for (final Field f : schema.getFields())
        {
            fields.add(f.getName().equals("src") || f.getName().equals("victim")
                ? new Field(f.getName(), new FieldType(f.isNullable(), f.getType(), null, extension), null) : f);
        }
        return new Schema(fields);
    }

    /** Runs the variants four times and prints each one's time. */
    public static void main(final String[] args) throws Exception
    {
        final RootAllocator alloc = new RootAllocator();
        final List<DecodedBatch> decoded = new ArrayList<>();
        final List<byte[]> streams = new ArrayList<>();
        final Random rnd = new Random(1);
        for (int b = 0; b < 40; b++)
        {
            try (FlowBatchBuilder fb = new FlowBatchBuilder("s" + (b % 16), alloc))
            {
                for (int i = 0; i < 8192; i++)
                {
                    final byte[] src = new byte[16];
                    src[10] = (byte)0xff; src[11] = (byte)0xff;
                    final int v4 = rnd.nextInt(1 << 20) * 4093;
                    src[12] = (byte)(v4 >>> 24); src[13] = (byte)(v4 >>> 16); src[14] = (byte)(v4 >>> 8); src[15] = (byte)v4;
                    final long packets = 1 + rnd.nextInt(20);
                    fb.add(new FlowRecord(1_717_200_000_000_000L, 60_000_000L, src, 6, 23 + rnd.nextInt(10), TrafficClass.TCP_SCAN.id(), 0, null,
                        packets, packets * 60, Math.min(packets, 256), null, 1_717_200_000_000_000L + i, 1_717_200_000_000_000L + i + 1000, 2, 40, 60, 1024,
                        "M1460,N,W7"));
                }
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                fb.writeTo(out);
                streams.add(out.toByteArray());
                decoded.add(IpcStreams.read(new ByteArrayInputStream(out.toByteArray()), BatchSchemas.FLOWS, alloc));
            }
        }
        final List<ArrowRecordBatch> all = new ArrayList<>();
        decoded.forEach(d -> all.addAll(d.batches()));
        // variants UUID and UHUGE: the same rows with the addresses typed by an Arrow extension, so
        // that DuckDB stores a fixed 16-byte value; UUID keeps the network byte order (DuckDB orders
        // UUIDs as their bytes), UHUGEINT wants the 128-bit number little-endian (reversed here, once)
        final Schema uuidSchema = withAddressExtension(BatchSchemas.FLOWS, Map.of("ARROW:extension:name", "arrow.uuid", "ARROW:extension:metadata", ""));
        final Schema uhugeSchema = withAddressExtension(BatchSchemas.FLOWS, StoredAddress.UHUGEINT_EXTENSION);
        final List<ArrowRecordBatch> reversed = new ArrayList<>();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchSchemas.FLOWS, alloc))
        {
            for (final byte[] stream : streams)
            {
                // a second decoding, so that the reversed buffers are not the other variants'
                for (final ArrowRecordBatch b : IpcStreams.read(new ByteArrayInputStream(stream), BatchSchemas.FLOWS, alloc).batches())
                {
                    new VectorLoader(root).load(b);
                    for (final String name : List.of("src", "victim"))
                    {
                        final org.apache.arrow.memory.ArrowBuf data = ((FixedSizeBinaryVector)root.getVector(name)).getDataBuffer();
                        for (int i = 0; i < root.getRowCount(); i++)
                        {
                            final long hi = data.getLong(i * 16L);
                            final long lo = data.getLong(i * 16L + 8);
                            data.setLong(i * 16L, Long.reverseBytes(lo));
                            data.setLong(i * 16L + 8, Long.reverseBytes(hi));
                        }
                    }
                    reversed.add(b);
                }
            }
        }
        Class.forName("org.duckdb.DuckDBDriver");
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("nightjar-insert-ceiling");
        try
        {
            try (DuckDBConnection c = (DuckDBConnection)DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("ceiling.db")); Statement st = c.createStatement())
            {
                st.execute("SET checkpoint_threshold='1GB'");
                for (final String setting : System.getProperty("ceiling.settings", "").split(";"))
                {
                    if (!setting.isBlank())
                    {
                        st.execute("SET " + setting);
                    }
                }
                final String cols = "sensor_id VARCHAR NOT NULL, bin_start TIMESTAMP NOT NULL, bin_length_us BIGINT, src BLOB, protocol UTINYINT, port USMALLINT, class UTINYINT, fingerprint UTINYINT, victim BLOB, packets BIGINT, bytes BIGINT, destinations BIGINT, destination_sketch BLOB, first_ts TIMESTAMP, last_ts TIMESTAMP, tcp_flags UTINYINT, ttl_min UTINYINT, ttl_max UTINYINT, syn_window INTEGER, syn_options VARCHAR, slot_packets BLOB, destination_prefixes BLOB";
                String table = cols;
                // -Dceiling.compression=src:uncompressed,syn_options:dictionary: DuckDB's per-column choice
                for (final String choice : System.getProperty("ceiling.compression", "").split(","))
                {
                    if (!choice.isBlank())
                    {
                        final String[] kv = choice.split(":");
                        table = table.replaceFirst("\\b" + kv[0] + " (\\w+)", kv[0] + " $1 USING COMPRESSION " + kv[1]);
                    }
                }
                System.out.println("CREATE TABLE flows (" + table + ")");
                st.execute("CREATE TABLE flows (" + table + ")");
                // the source as two fixed-width halves instead of a 16-byte BLOB (variant FIXED)
                st.execute("CREATE TABLE flows_fixed (" + table.replace("src BLOB", "src_hi UBIGINT, src_lo UBIGINT") + ")");
                st.execute("CREATE TABLE flows_uuid (" + table.replace("src BLOB", "src UUID").replace("victim BLOB", "victim UUID") + ")");
                st.execute("CREATE TABLE flows_uhuge (" + table.replace("src BLOB", "src UHUGEINT").replace("victim BLOB", "victim UHUGEINT") + ")");
                st.execute(StoredAddress.ARROW_SETTING);
                final String[] variants = {
                    "SELECT * FROM v",
                    "FIXED",
                    "UUID",
                    "UHUGE",
                    "UNION2",
                    "STAGE",
                    "SELECT count(*) FROM v",
                    "SELECT sensor_id, bin_start, bin_length_us, NULL, protocol, port, class, fingerprint, NULL, packets, bytes, destinations, NULL, first_ts, last_ts, tcp_flags, ttl_min, ttl_max, syn_window, syn_options, NULL, NULL FROM v",
                    "SELECT 's1', bin_start, bin_length_us, src, protocol, port, class, fingerprint, victim, packets, bytes, destinations, destination_sketch, first_ts, last_ts, tcp_flags, ttl_min, ttl_max, syn_window, 'M', slot_packets, destination_prefixes FROM v",
                };
                for (int r = 0; r < Integer.getInteger("ceiling.rounds", 4); r++)
                {
                    for (final String v : variants)
                    {
                        final String only = System.getProperty("ceiling.only");
                        if (only != null && java.util.Arrays.stream(only.split("\\|")).noneMatch(v.replace(" ", "")::startsWith))
                        {
                            continue;
                        }
                        c.setAutoCommit(false);
                        final long t0 = System.nanoTime();
                        if (v.equals("UNION2"))
                        {
                            try (Concat r1 = new Concat(alloc, BatchSchemas.FLOWS, all.subList(0, 20)); Concat r2 = new Concat(alloc, BatchSchemas.FLOWS, all.subList(20, 40));
                                 ArrowArrayStream s1 = ArrowArrayStream.allocateNew(alloc); ArrowArrayStream s2 = ArrowArrayStream.allocateNew(alloc))
                            {
                                Data.exportArrayStream(alloc, r1, s1);
                                Data.exportArrayStream(alloc, r2, s2);
                                c.registerArrowStream("v1", s1);
                                c.registerArrowStream("v2", s2);
                                st.executeUpdate("INSERT INTO flows SELECT * FROM v1 UNION ALL SELECT * FROM v2");
                                st.execute("DROP VIEW IF EXISTS v1");
                                st.execute("DROP VIEW IF EXISTS v2");
                            }
                        }
                        else if (v.equals("UUID") || v.equals("UHUGE"))
                        {
                            final boolean uuid = v.equals("UUID");
                            try (Concat reader = new Concat(alloc, uuid ? uuidSchema : uhugeSchema, uuid ? all : reversed);
                                 ArrowArrayStream stream = ArrowArrayStream.allocateNew(alloc))
                            {
                                Data.exportArrayStream(alloc, reader, stream);
                                c.registerArrowStream("v", stream);
                                st.executeUpdate("INSERT INTO " + (uuid ? "flows_uuid" : "flows_uhuge") + " SELECT * FROM v");
                                st.execute("DROP VIEW IF EXISTS v");
                            }
                        }
                        else
                        try (Concat reader = new Concat(alloc, BatchSchemas.FLOWS, all); ArrowArrayStream stream = ArrowArrayStream.allocateNew(alloc))
                        {
                            Data.exportArrayStream(alloc, reader, stream);
                            c.registerArrowStream("v", stream);
                            if (v.equals("STAGE"))
                            {
                                st.execute("CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM v");
                                st.executeUpdate("INSERT INTO flows SELECT * FROM stage");
                            }
                            else if (v.startsWith("SELECT count"))
                            {
                                st.executeQuery(v).close();
                            }
                            else if (v.equals("FIXED"))
                            {
                                // IPv4-mapped values (high half 0, low half ::ffff:a.b.c.d), scattered by arithmetic
                                st.executeUpdate("INSERT INTO flows_fixed SELECT sensor_id, bin_start, bin_length_us, 0::UBIGINT,"
                                    + " ((((epoch_us(first_ts) % 1000003) * 2654435761) + packets * 40503) % 4294967296 + 281470681743360)::UBIGINT,"
                                    + " protocol, port, class, fingerprint, victim, packets, bytes, destinations, destination_sketch, first_ts, last_ts,"
                                    + " tcp_flags, ttl_min, ttl_max, syn_window, syn_options, slot_packets, destination_prefixes FROM v");
                            }
                            else
                            {
                                st.executeUpdate("INSERT INTO flows " + v);
                            }
                            st.execute("DROP VIEW IF EXISTS v");
                        }
                        final long t1 = System.nanoTime();
                        c.commit();
                        final long t2 = System.nanoTime();
                        c.setAutoCommit(true);
                        System.out.printf("%-30.30s %6.0f ms (%.2fM rows/s), commit %.0f ms%n", v, (t1 - t0) / 1e6, 327_680 / ((t1 - t0) / 1e9) / 1e6, (t2 - t1) / 1e6);
                    }
                }
            }
        }
        finally
        {
            try (var files = java.nio.file.Files.list(dir))
            {
                files.forEach(f -> System.out.printf("%s %,d bytes%n", f.getFileName(), f.toFile().length()));
            }
            try (var files = java.nio.file.Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
