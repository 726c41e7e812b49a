package io.nightjar.wire.arrow;

import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.CaptureStats;
import io.nightjar.wire.schema.TrafficClass;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bin batches of schema version 3 round trip with their capture statistics; batches of version 2
 * (built here as a version-2 sensor wrote them) are read in their own schema and upgraded, with
 * every old column kept and the capture statistics 0. Nothing leaks (the allocator checks on close).
 */
class BatchUpgradeTest
{
    private final RootAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator()
    {
        allocator.close();
    }

    private static BinSummary bin(final long start, final CaptureStats capture)
    {
        final long[] classPackets = new long[TrafficClass.COUNT];
        final long[] classBytes = new long[TrafficClass.COUNT];
        classPackets[TrafficClass.BACKSCATTER.id()] = 11;
        classBytes[TrafficClass.BACKSCATTER.id()] = 660;
        final long[] anomalies = new long[Anomaly.COUNT];
        anomalies[Anomaly.LATE_PACKET.id()] = 4;
        return new BinSummary(start, 60_000_000L, classPackets, classBytes, anomalies, 2, 100, 9, 2, capture.drops(), capture, 3,
            start + 1, start + 2);
    }

    private DecodedBatch read(final byte[] stream, final boolean bins, final int version)
    {
        return IpcStreams.read(new ByteArrayInputStream(stream), BatchSchemas.of(bins, version), allocator);
    }

    @Test
    void shouldRoundTripTheCaptureStatisticsOfTheCurrentBinSchema()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BinBatchBuilder b = new BinBatchBuilder("s1", allocator))
        {
            b.add(bin(120_000_000L, new CaptureStats(1000, 7, 2, 1)));
            b.add(bin(180_000_000L, CaptureStats.NONE));
            b.writeTo(out);
        }
        try (DecodedBatch batch = BatchUpgrade.toCurrent(read(out.toByteArray(), true, BatchSchemas.VERSION), allocator);
             VectorSchemaRoot root = load(batch))
        {
            assertThat(batch.schema()).isEqualTo(BatchSchemas.BINS);
            assertThat(longs(root, "capture_received")).containsExactly(1000, 0);
            assertThat(longs(root, "capture_kernel_drops")).containsExactly(7, 0);
            assertThat(longs(root, "capture_interface_drops")).containsExactly(2, 0);
            assertThat(longs(root, "capture_ring_drops")).containsExactly(1, 0);
            assertThat(longs(root, "capture_drops")).containsExactly(10, 0);
            assertThat(longs(root, "flows")).containsExactly(3, 3);
            assertThat(((TimeStampMicroVector)root.getVector("last_ts")).get(0)).isEqualTo(120_000_002L);
        }
    }

    @Test
    void shouldUpgradeAVersion2BinBatchWithZeroCaptureStatisticsAndEveryOldColumnKept()
    {
        final byte[] v2 = version2Bins(2);
        assertThatThrownBy(() -> read(v2, true, BatchSchemas.VERSION)).isInstanceOf(InvalidBatchException.class)
            .hasMessageContaining("schema differs");
        try (DecodedBatch batch = BatchUpgrade.toCurrent(read(v2, true, 2), allocator);
             VectorSchemaRoot root = load(batch))
        {
            assertThat(batch.schema()).isEqualTo(BatchSchemas.BINS);
            assertThat(batch.rows()).isEqualTo(2);
            assertThat(root.getRowCount()).isEqualTo(2);
            final VarCharVector ids = (VarCharVector)root.getVector("sensor_id");
            assertThat(new String(ids.get(1), StandardCharsets.UTF_8)).isEqualTo("old");
            assertThat(((TimeStampMicroVector)root.getVector("bin_start")).get(1)).isEqualTo(60_000_000L);
            // every Int64 column of version 2 holds its own index (+ row), as written below
            final var oldFields = BatchSchemas.bins(2).getFields();
            for (int f = 0; f < oldFields.size(); f++)
            {
                if (root.getVector(oldFields.get(f).getName()) instanceof BigIntVector v)
                {
                    assertThat(new long[] {v.get(0), v.get(1)}).as(oldFields.get(f).getName()).containsExactly(f, f + 1000);
                }
            }
            for (final String column : BatchSchemas.CAPTURE_COLUMNS)
            {
                assertThat(longs(root, column)).as(column).containsExactly(0, 0);
            }
        }
    }

    @Test
    void shouldRelabelAVersion2FlowBatchWhoseFieldsDidNotChange()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchSchemas.flows(2), allocator))
        {
            root.allocateNew();
            root.setRowCount(0);
            IpcStreams.write(root, out);
        }
        try (DecodedBatch batch = BatchUpgrade.toCurrent(read(out.toByteArray(), false, 2), allocator))
        {
            assertThat(batch.schema()).isEqualTo(BatchSchemas.FLOWS);
            assertThat(batch.rows()).isZero();
        }
    }

    @Test
    void shouldRefuseSchemaVersionsItCannotRead()
    {
        assertThat(BatchSchemas.readable(1)).isFalse();
        assertThat(BatchSchemas.readable(BatchSchemas.VERSION + 1)).isFalse();
        assertThatThrownBy(() -> BatchSchemas.bins(1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A bin stream as a version-2 sensor shipped it: sensor "old", each Int64 column f = f (row 0) and f + 1000 (row 1). */
    private byte[] version2Bins(final int rows)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchSchemas.bins(2), allocator))
        {
            root.allocateNew();
            final var fields = root.getFieldVectors();
            for (int f = 0; f < fields.size(); f++)
            {
                final FieldVector v = fields.get(f);
                for (int r = 0; r < rows; r++)
                {
                    if (v instanceof BigIntVector l)
                    {
                        l.setSafe(r, f + 1000L * r);
                    }
                    else if (v instanceof TimeStampMicroVector t)
                    {
                        t.setSafe(r, 60_000_000L);
                    }
                    else if (v instanceof VarCharVector s)
                    {
                        s.setSafe(r, "old".getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            root.setRowCount(rows);
            IpcStreams.write(root, out);
        }
        return out.toByteArray();
    }

    private VectorSchemaRoot load(final DecodedBatch batch)
    {
        final VectorSchemaRoot root = VectorSchemaRoot.create(batch.schema(), allocator);
        new VectorLoader(root).load(batch.batches().get(0));
        return root;
    }

    private static long[] longs(final VectorSchemaRoot root, final String column)
    {
        final BigIntVector v = (BigIntVector)root.getVector(column);
        final long[] out = new long[root.getRowCount()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = v.get(i);
        }
        return out;
    }
}
