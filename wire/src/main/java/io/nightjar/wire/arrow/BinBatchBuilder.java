package io.nightjar.wire.arrow;

import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.TrafficClass;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Collects bin summaries of one sensor into an Arrow batch of {@link BatchSchemas#BINS} and writes
 * it as one Arrow IPC stream. Reusable: {@link #writeTo} then {@link #clear}. One thread at a time.
 */
public final class BinBatchBuilder extends BatchBuilder
{
    private final VarCharVector sensor;
    private final TimeStampMicroVector binStart;
    private final TimeStampMicroVector first;
    private final TimeStampMicroVector last;
    /** The Int64 columns between bin_start and first_ts, in schema order (bin length, classes, anomalies, totals). */
    private final BigIntVector[] longs;
    private final BigIntVector received;
    private final BigIntVector kernelDrops;
    private final BigIntVector interfaceDrops;
    private final BigIntVector ringDrops;

    /** A builder for {@code sensorId}'s bins, with vectors from {@code allocator}. */
    public BinBatchBuilder(final String sensorId, final BufferAllocator allocator)
    {
        super(sensorId, BatchSchemas.BINS, allocator);
        this.sensor = (VarCharVector)root.getVector("sensor_id");
        this.binStart = (TimeStampMicroVector)root.getVector("bin_start");
        this.first = (TimeStampMicroVector)root.getVector("first_ts");
        this.last = (TimeStampMicroVector)root.getVector("last_ts");
        final int firstTs = root.getSchema().getFields().indexOf(root.getSchema().findField("first_ts"));
        this.longs = new BigIntVector[firstTs - 2];
        for (int i = 2; i < firstTs; i++)
        {
            longs[i - 2] = (BigIntVector)root.getVector(i);
        }
        this.received = (BigIntVector)root.getVector("capture_received");
        this.kernelDrops = (BigIntVector)root.getVector("capture_kernel_drops");
        this.interfaceDrops = (BigIntVector)root.getVector("capture_interface_drops");
        this.ringDrops = (BigIntVector)root.getVector("capture_ring_drops");
    }

    /** Appends one bin summary. */
    public void add(final BinSummary s)
    {
        final int i = nextRow();
        sensor.setSafe(i, sensorId);
        binStart.setSafe(i, s.binStartMicros());
        int c = 0;
        longs[c++].setSafe(i, s.binLengthMicros());
        for (final TrafficClass t : TrafficClass.values())
        {
            longs[c++].setSafe(i, at(s.classPackets(), t.id()));
            longs[c++].setSafe(i, at(s.classBytes(), t.id()));
        }
        for (final Anomaly a : Anomaly.values())
        {
            longs[c++].setSafe(i, at(s.anomalies(), a.id()));
        }
        longs[c++].setSafe(i, s.nonDarknetPackets());
        longs[c++].setSafe(i, s.nonDarknetBytes());
        longs[c++].setSafe(i, s.ipv4Packets());
        longs[c++].setSafe(i, s.ipv6Packets());
        longs[c++].setSafe(i, s.captureDrops());
        longs[c].setSafe(i, s.flows());
        first.setSafe(i, s.firstMicros());
        last.setSafe(i, s.lastMicros());
        received.setSafe(i, s.capture().received());
        kernelDrops.setSafe(i, s.capture().kernelDrops());
        interfaceDrops.setSafe(i, s.capture().interfaceDrops());
        ringDrops.setSafe(i, s.capture().ringDrops());
    }

    private static long at(final long[] values, final int index)
    {
        return index < values.length ? values[index] : 0;
    }
}
