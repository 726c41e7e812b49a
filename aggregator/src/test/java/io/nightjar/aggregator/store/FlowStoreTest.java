package io.nightjar.aggregator.store;

import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.BinBatchBuilder;
import io.nightjar.wire.arrow.DecodedBatch;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.arrow.IpcStreams;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowStoreTest
{
    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator()
    {
        allocator.close();
    }

    static FlowRecord flow(final String src, final int port, final long packets, final byte[] victim)
    {
        return new FlowRecord(60_000_000L, 60_000_000L, Addresses.parse(src), 6, port, TrafficClass.TCP_SCAN.id(), 0, victim,
            packets, packets * 60, 3, new byte[] {1, 2, 3}, 60_000_001L, 60_000_009L, 0x02, 40, 64, 1024, "M1460,N,W7");
    }

    private DecodedBatch flowsBatch(final FlowRecord... records)
    {
        try (FlowBatchBuilder b = new FlowBatchBuilder("s1", allocator))
        {
            for (final FlowRecord r : records)
            {
                b.add(r);
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.writeTo(out);
            return IpcStreams.read(new ByteArrayInputStream(out.toByteArray()), BatchSchemas.FLOWS, allocator);
        }
    }

    @Test
    void theProgressOfAWholeGroupIsRecordedInOneStatementAndReplacesEarlierProgress(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator))
        {
            store.setProgress("s2", new Progress(1, 10, 1, "spool-b"));
            store.commit();
            final java.util.Map<String, Progress> group = new java.util.LinkedHashMap<>();
            group.put("s1", new Progress(3, 30, 3, "spool-a"));
            group.put("s2", new Progress(2, 20, 2, "spool-b"));
            group.put("s3", new Progress(9, 90, 4, "spool-c"));
            store.setProgress(group);
            store.commit();
            assertThat(store.progress()).containsAllEntriesOf(group).hasSize(3);
        }
    }

    @Test
    void flowRowsKeepEveryFieldAndAddressesAreStoredAsTheir128BitNumbers(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator);
             DecodedBatch batch = flowsBatch(flow("192.0.2.7", 23, 5, null), flow("2001:db8::1", 443, 7, Addresses.parse("203.0.113.9"))))
        {
            store.insert(batch.schema(), batch.batches());
            store.setProgress("s1", new Progress(1, 77, 1, "spool-a"));
            store.commit();
            try (Connection c = store.openReader(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sensor_id, typeof(src), port, packets, bytes, victim IS NULL,"
                     + " epoch_us(bin_start), epoch_us(first_ts), syn_options, destination_sketch, src, victim FROM flows ORDER BY port"))
            {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("s1");
                assertThat(rs.getString(2)).isEqualTo("UHUGEINT");
                // ::ffff:192.0.2.7 read big-endian: 0xffff_c000_0207
                assertThat(rs.getObject(11)).isEqualTo(java.math.BigInteger.valueOf(0xFFFF_C000_0207L));
                assertThat(rs.getInt(3)).isEqualTo(23);
                assertThat(rs.getLong(4)).isEqualTo(5);
                assertThat(rs.getLong(5)).isEqualTo(300);
                assertThat(rs.getBoolean(6)).isTrue();
                assertThat(rs.getLong(7)).isEqualTo(60_000_000L);
                assertThat(rs.getLong(8)).isEqualTo(60_000_001L);
                assertThat(rs.getString(9)).isEqualTo("M1460,N,W7");
                assertThat(rs.getBytes(10)).containsExactly(1, 2, 3);
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(3)).isEqualTo(443);
                assertThat(rs.getBoolean(6)).isFalse();
                assertThat(rs.getObject(11)).isEqualTo(new java.math.BigInteger("20010db8000000000000000000000001", 16));
                assertThat(rs.getObject(12)).isEqualTo(java.math.BigInteger.valueOf(0xFFFF_CB00_7109L));
                assertThat(StoredAddress.read(rs, 11)).containsExactly(Addresses.parse("2001:db8::1"));
                assertThat(rs.next()).isFalse();
            }
            // numbers keep the addresses' order: IPv4-mapped (::ffff:0:0/96) before 2001:db8::/32
            try (Connection c = store.openReader(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT port FROM flows ORDER BY src"))
            {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(23);
            }
            assertThat(store.progress()).containsEntry("s1", new Progress(1, 77, 1, "spool-a"));
        }
    }

    @Test
    void backscatterDetailIsStoredAndAStoreOfSchemaVersion1GetsTheNewColumns(@TempDir final Path dir) throws Exception
    {
        // a store created by schema version 1: the flows table without the last two columns, one row
        final org.apache.arrow.vector.types.pojo.Schema v1 = new org.apache.arrow.vector.types.pojo.Schema(
            BatchSchemas.FLOWS.getFields().subList(0, BatchSchemas.FLOWS.getFields().size() - 2));
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(FlowStore.FILE_NAME));
             Statement st = c.createStatement())
        {
            // (and, as then, addresses as 16-byte BLOBs)
            st.execute(Ddl.createTable("flows", v1).replace("UHUGEINT", "BLOB"));
            st.execute("INSERT INTO flows SELECT 's0', make_timestamp(0), 60000000, '\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xFF\\xFF\\xC0\\x00\\x02\\x07'::BLOB,"
                + " 6, 23, 1, 0, NULL, 1, 60, 1, NULL,"
                + " make_timestamp(0), make_timestamp(0), 2, 40, 40, 1024, ''");
        }
        final byte[] slots = io.nightjar.wire.schema.BackscatterDetail.encodeSlots(new int[] {3, 0, 0, 0, 0, 9}, 0, 6);
        final FlowRecord backscatter = new FlowRecord(60_000_000L, 60_000_000L, Addresses.parse("203.0.113.5"), 6, 80,
            TrafficClass.BACKSCATTER.id(), 0, null, 12, 720, 2, null, 60_000_001L, 119_000_000L, 0x12, 50, 50, 29200, "", slots,
            new byte[] {1, 0, 0, 0, 0});
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flowsBatch(backscatter))
        {
            store.insert(batch.schema(), batch.batches());
            store.commit();
            try (Connection c = store.openReader(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sensor_id, slot_packets, destination_prefixes FROM flows ORDER BY sensor_id"))
            {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("s0");
                assertThat(rs.getBytes(2)).isNull();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(2)).containsExactly(slots);
                assertThat(rs.getBytes(3)).containsExactly(1, 0, 0, 0, 0);
                assertThat(rs.next()).isFalse();
            }
        }
    }


    @Test
    void aStoreWithBlobAddressesIsConvertedInPlaceKeepingEveryRow(@TempDir final Path dir) throws Exception
    {
        // the layout before addresses were UHUGEINT: flows.src, flows.victim and sources.src as 16-byte BLOBs
        final String v4 = "'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xFF\\xFF\\xC6\\x33\\x64\\x01'::BLOB";
        final String v6 = "'\\x20\\x01\\x0D\\xB8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xFE'::BLOB";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(FlowStore.FILE_NAME));
             Statement st = c.createStatement())
        {
            st.execute(Ddl.createTable("flows", BatchSchemas.FLOWS).replace("UHUGEINT", "BLOB"));
            final String rest = ", 6, 23, 1, 0, %s, 1, 60, 1, NULL, make_timestamp(0), make_timestamp(0), 2, 40, 40, 1024, '', NULL, NULL)";
            st.execute("INSERT INTO flows VALUES ('s0', make_timestamp(0), 60000000, " + v4 + rest.formatted("NULL"));
            st.execute("INSERT INTO flows VALUES ('s0', make_timestamp(0), 60000000, " + v6 + rest.formatted(v4));
            st.execute("CREATE TABLE sources (src BLOB PRIMARY KEY, country VARCHAR, asn UBIGINT, as_name VARCHAR)");
            st.execute("INSERT INTO sources VALUES (" + v4 + ", 'VN', 7552, 'Viettel'), (" + v6 + ", NULL, 0, NULL)");
        }
        try (FlowStore store = FlowStore.open(dir, allocator); Connection c = store.openReader(); Statement st = c.createStatement())
        {
            final java.math.BigInteger a4 = java.math.BigInteger.valueOf(0xFFFF_C633_6401L);
            final java.math.BigInteger a6 = new java.math.BigInteger("20010db80000000000000000000000fe", 16);
            try (ResultSet rs = st.executeQuery("SELECT typeof(src), typeof(victim), src, victim FROM flows ORDER BY src"))
            {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("UHUGEINT");
                assertThat(rs.getString(2)).isEqualTo("UHUGEINT");
                assertThat(rs.getObject(3)).isEqualTo(a4);
                assertThat(rs.getObject(4)).isNull();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(3)).isEqualTo(a6);
                assertThat(rs.getObject(4)).isEqualTo(a4);
                assertThat(rs.next()).isFalse();
            }
            try (ResultSet rs = st.executeQuery("SELECT s.src, s.country, s.asn, count(f.src) FROM sources s LEFT JOIN flows f ON f.src = s.src"
                + " GROUP BY ALL ORDER BY s.src"))
            {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1)).isEqualTo(a4);
                assertThat(rs.getString(2)).isEqualTo("VN");
                assertThat(rs.getLong(3)).isEqualTo(7552);
                assertThat(rs.getLong(4)).as("the flow row joins its source").isEqualTo(1);
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1)).isEqualTo(a6);
                assertThat(rs.next()).isFalse();
            }
            // the key survived the swap of tables: a duplicate source is refused
            assertThatThrownBy(() -> st.execute("INSERT INTO sources VALUES (" + a4 + "::UHUGEINT, 'TH', 1, 'x')"))
                .hasMessageContaining("Duplicate key");
        }
    }
    /** The first column of the first row of {@code sql}, on a reader of {@code store}. */
    static long count(final FlowStore store, final String sql) throws Exception
    {
        try (Connection c = store.openReader(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void twoLanesCommitRowsOfTheSameDayAtOnceAndTheFirstLaneAbsorbsTheOthersMarks(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); FlowStore lane = store.lane();
             DecodedBatch a = flowsBatch(flow("192.0.2.1", 23, 1, null));
             DecodedBatch b = flowsBatch(flow("192.0.2.2", 23, 1, null));
             DecodedBatch c = flowsBatch(flow("192.0.2.3", 23, 1, null)))
        {
            assertThat(store.isFirstLane()).isTrue();
            assertThat(lane.isFirstLane()).isFalse();
            // both transactions open at once over rows of the same day, and progress rows of their own sensors
            store.insert(a.schema(), a.batches());
            store.setProgress("s1", new Progress(1, 1, 1, "x"));
            lane.insert(b.schema(), b.batches());
            lane.setProgress("s2", new Progress(1, 1, 1, "y"));
            lane.commit();
            store.commit();
            assertThat(count(store, "SELECT count(*) FROM flows")).isEqualTo(2);
            assertThat(count(store, "SELECT count(*) FROM sensor_progress")).isEqualTo(2);
            assertThat(count(store, "SELECT count(*) FROM rollup_marks")).isEqualTo(1);
            assertThat(store.progress()).containsKeys("s1", "s2");
            lane.insert(c.schema(), c.batches());
            lane.commit();
            assertThat(count(store, "SELECT count(*) FROM rollup_marks")).isEqualTo(2);
            store.absorbLanes(null);
            store.commit();
            assertThat(count(store, "SELECT count(*) FROM rollup_marks")).isZero();
            assertThat(store.dirtyDays()).containsExactly(0L);
            assertThat(count(store, "SELECT count(*) FROM flows")).isEqualTo(3);
            assertThatThrownBy(() -> lane.absorbLanes(null)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aMarkCommittedAfterTheAbsorbingTransactionBeganStaysForTheNextAbsorb(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); FlowStore lane = store.lane();
             DecodedBatch b = flowsBatch(flow("192.0.2.2", 23, 1, null)))
        {
            // the first lane's transaction takes its snapshot with its first statement
            assertThat(store.progress()).isEmpty();
            store.setProgress("s1", new Progress(1, 1, 1, "x"));
            lane.insert(b.schema(), b.batches());
            lane.commit();
            store.absorbLanes(null);
            store.commit();
            assertThat(count(store, "SELECT count(*) FROM rollup_marks")).isEqualTo(1);
            store.absorbLanes(null);
            store.commit();
            assertThat(count(store, "SELECT count(*) FROM rollup_marks")).isZero();
            assertThat(store.dirtyDays()).containsExactly(0L);
        }
    }

    @Test
    void rolledBackRowsAndProgressAreBothAbsentAfterReopen(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flowsBatch(flow("192.0.2.7", 23, 5, null)))
        {
            store.insert(batch.schema(), batch.batches());
            store.setProgress("s1", new Progress(1, 1, 1, "a"));
            store.commit();
            store.insert(batch.schema(), batch.batches());
            store.setProgress("s1", new Progress(2, 2, 2, "a"));
            store.rollback();
        }
        try (FlowStore store = FlowStore.open(dir, allocator); Connection c = store.openReader(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM flows"))
        {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
            assertThat(store.progress()).containsEntry("s1", new Progress(1, 1, 1, "a"));
        }
    }

    @Test
    void binRowsCarryClassAndAnomalyColumns(@TempDir final Path dir) throws Exception
    {
        final long[] classPackets = new long[TrafficClass.COUNT];
        final long[] classBytes = new long[TrafficClass.COUNT];
        classPackets[TrafficClass.BACKSCATTER.id()] = 11;
        classBytes[TrafficClass.BACKSCATTER.id()] = 660;
        final long[] anomalies = new long[Anomaly.COUNT];
        anomalies[Anomaly.LATE_PACKET.id()] = 4;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BinBatchBuilder b = new BinBatchBuilder("s2", allocator))
        {
            b.add(new BinSummary(120_000_000L, 60_000_000L, classPackets, classBytes, anomalies, 2, 100, 9, 2, 5,
                new io.nightjar.wire.schema.CaptureStats(40, 3, 1, 1), 3, 120_000_001L, 120_000_002L));
            b.writeTo(out);
        }
        try (FlowStore store = FlowStore.open(dir, allocator);
             DecodedBatch batch = IpcStreams.read(new ByteArrayInputStream(out.toByteArray()), BatchSchemas.BINS, allocator))
        {
            store.insert(batch.schema(), batch.batches());
            store.commit();
            try (Connection c = store.openReader(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT backscatter_packets, backscatter_bytes, anomaly_late_packet, capture_drops,"
                     + " flows, non_darknet_packets, ipv4 FROM bins WHERE sensor_id = 's2'"))
            {
                assertThat(rs.next()).isTrue();
                assertThat(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)})
                    .containsExactly(11, 660, 4, 5, 3, 2, 9);
            }
        }
    }

    @Test
    void aStoreCreatedBySchemaVersion2IsMigratedKeepingItsBinsAndTakesBinsOfBothVersions(@TempDir final Path dir) throws Exception
    {
        // the bins table exactly as a version-2 aggregator created it, with one row
        final Schema old = BatchSchemas.bins(2);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(FlowStore.FILE_NAME).toAbsolutePath());
             Statement st = c.createStatement())
        {
            st.execute(Ddl.createTable("bins", old));
            final StringJoiner values = new StringJoiner(", ", "INSERT INTO bins VALUES (", ")");
            for (final Field f : old.getFields())
            {
                values.add(switch (f.getName())
                {
                    case "sensor_id" -> "'s-old'";
                    case "bin_start", "first_ts", "last_ts" -> "make_timestamp(60000000)";
                    case "capture_drops" -> "6";
                    default -> "1";
                });
            }
            st.execute(values.toString());
        }
        final byte[] current = binStream("s-new", new io.nightjar.wire.schema.CaptureStats(500, 4, 2, 1));
        try (FlowStore store = FlowStore.open(dir, allocator))
        {
            try (Connection c = store.openReader(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_name = 'bins' ORDER BY ordinal_position"))
            {
                final java.util.List<String> columns = new java.util.ArrayList<>();
                while (rs.next())
                {
                    columns.add(rs.getString(1));
                }
                assertThat(columns).as("a migrated table has the columns of a new one, in order")
                    .isEqualTo(BatchSchemas.BINS.getFields().stream().map(Field::getName).toList());
            }
            try (DecodedBatch batch = IpcStreams.read(new ByteArrayInputStream(current), BatchSchemas.BINS, allocator);
                 DecodedBatch fromOldSensor = io.nightjar.wire.arrow.BatchUpgrade.toCurrent(
                     IpcStreams.read(new ByteArrayInputStream(version2Stream()), BatchSchemas.bins(2), allocator), allocator))
            {
                store.insert(batch.schema(), batch.batches());
                store.insert(fromOldSensor.schema(), fromOldSensor.batches());
                store.commit();
            }
            try (Connection c = store.openReader(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sensor_id, capture_drops, capture_received, capture_kernel_drops, capture_interface_drops,"
                     + " capture_ring_drops, flows FROM bins ORDER BY sensor_id"))
            {
                final java.util.List<String> rows = new java.util.ArrayList<>();
                while (rs.next())
                {
                    rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " " + rs.getLong(5) + " "
                        + rs.getLong(6) + " " + rs.getLong(7));
                }
                assertThat(rows).containsExactly("s-new 7 500 4 2 1 3", "s-old 6 0 0 0 0 1", "s-v2 5 0 0 0 0 3");
            }
        }
        // opening the migrated store again changes nothing
        try (FlowStore store = FlowStore.open(dir, allocator);
             Connection c = store.openReader(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(capture_received) FROM bins"))
        {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(3);
            assertThat(rs.getLong(2)).isEqualTo(500);
        }
    }

    private byte[] binStream(final String sensor, final io.nightjar.wire.schema.CaptureStats capture)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BinBatchBuilder b = new BinBatchBuilder(sensor, allocator))
        {
            b.add(new BinSummary(120_000_000L, 60_000_000L, new long[TrafficClass.COUNT], new long[TrafficClass.COUNT], new long[Anomaly.COUNT],
                0, 0, 0, 0, capture.drops(), capture, 3, 120_000_001L, 120_000_002L));
            b.writeTo(out);
        }
        return out.toByteArray();
    }

    /** One bin of sensor "s-v2" in schema version 2 (no capture split, 5 drops), as an older sensor ships it. */
    private byte[] version2Stream()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchSchemas.bins(2), allocator))
        {
            root.allocateNew();
            for (final FieldVector v : root.getFieldVectors())
            {
                if (v instanceof BigIntVector l)
                {
                    l.setSafe(0, v.getName().equals("capture_drops") ? 5 : v.getName().equals("flows") ? 3 : 0);
                }
                else if (v instanceof TimeStampMicroVector t)
                {
                    t.setSafe(0, 180_000_000L);
                }
                else if (v instanceof VarCharVector s)
                {
                    s.setSafe(0, "s-v2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            root.setRowCount(1);
            IpcStreams.write(root, out);
        }
        return out.toByteArray();
    }
}
