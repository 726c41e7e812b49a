package io.nightjar.wire.arrow;

import io.nightjar.wire.schema.FlowRecord;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

import java.nio.charset.StandardCharsets;

/**
 * Collects flow records of one sensor into an Arrow batch of {@link BatchSchemas#FLOWS} and writes
 * it as one Arrow IPC stream (the body of a BATCH frame). Reusable: {@link #writeTo} then
 * {@link #clear}. One thread at a time.
 */
public final class FlowBatchBuilder extends BatchBuilder
{
    private final VarCharVector sensor;
    private final TimeStampMicroVector binStart;
    private final BigIntVector binLength;
    private final FixedSizeBinaryVector src;
    private final UInt1Vector protocol;
    private final UInt2Vector port;
    private final UInt1Vector trafficClass;
    private final UInt1Vector fingerprint;
    private final FixedSizeBinaryVector victim;
    private final BigIntVector packets;
    private final BigIntVector bytes;
    private final BigIntVector destinations;
    private final VarBinaryVector sketch;
    private final TimeStampMicroVector first;
    private final TimeStampMicroVector last;
    private final UInt1Vector tcpFlags;
    private final UInt1Vector ttlMin;
    private final UInt1Vector ttlMax;
    private final IntVector synWindow;
    private final VarCharVector synOptions;
    private final VarBinaryVector slotPackets;
    private final VarBinaryVector destinationPrefixes;

    /** A builder for {@code sensorId}'s records, with vectors from {@code allocator}. */
    public FlowBatchBuilder(final String sensorId, final BufferAllocator allocator)
    {
        super(sensorId, BatchSchemas.FLOWS, allocator);
        this.sensor = (VarCharVector)root.getVector("sensor_id");
        this.binStart = (TimeStampMicroVector)root.getVector("bin_start");
        this.binLength = (BigIntVector)root.getVector("bin_length_us");
        this.src = (FixedSizeBinaryVector)root.getVector("src");
        this.protocol = (UInt1Vector)root.getVector("protocol");
        this.port = (UInt2Vector)root.getVector("port");
        this.trafficClass = (UInt1Vector)root.getVector("class");
        this.fingerprint = (UInt1Vector)root.getVector("fingerprint");
        this.victim = (FixedSizeBinaryVector)root.getVector("victim");
        this.packets = (BigIntVector)root.getVector("packets");
        this.bytes = (BigIntVector)root.getVector("bytes");
        this.destinations = (BigIntVector)root.getVector("destinations");
        this.sketch = (VarBinaryVector)root.getVector("destination_sketch");
        this.first = (TimeStampMicroVector)root.getVector("first_ts");
        this.last = (TimeStampMicroVector)root.getVector("last_ts");
        this.tcpFlags = (UInt1Vector)root.getVector("tcp_flags");
        this.ttlMin = (UInt1Vector)root.getVector("ttl_min");
        this.ttlMax = (UInt1Vector)root.getVector("ttl_max");
        this.synWindow = (IntVector)root.getVector("syn_window");
        this.synOptions = (VarCharVector)root.getVector("syn_options");
        this.slotPackets = (VarBinaryVector)root.getVector("slot_packets");
        this.destinationPrefixes = (VarBinaryVector)root.getVector("destination_prefixes");
    }

    /** Appends one record. */
    public void add(final FlowRecord r)
    {
        final int i = nextRow();
        sensor.setSafe(i, sensorId);
        binStart.setSafe(i, r.binStartMicros());
        binLength.setSafe(i, r.binLengthMicros());
        src.setSafe(i, r.src());
        protocol.setSafe(i, r.protocol());
        port.setSafe(i, r.port());
        trafficClass.setSafe(i, r.trafficClass());
        fingerprint.setSafe(i, r.fingerprint());
        if (r.victim() != null)
        {
            victim.setSafe(i, r.victim());
        }
        else
        {
            victim.setNull(i);
        }
        packets.setSafe(i, r.packets());
        bytes.setSafe(i, r.bytes());
        destinations.setSafe(i, r.distinctDestinations());
        if (r.destinationSketch() != null)
        {
            sketch.setSafe(i, r.destinationSketch());
        }
        else
        {
            sketch.setNull(i);
        }
        first.setSafe(i, r.firstMicros());
        last.setSafe(i, r.lastMicros());
        tcpFlags.setSafe(i, r.tcpFlags());
        ttlMin.setSafe(i, r.ttlMin());
        ttlMax.setSafe(i, r.ttlMax());
        synWindow.setSafe(i, r.synWindow());
        synOptions.setSafe(i, r.synOptions().getBytes(StandardCharsets.UTF_8));
        setOrNull(slotPackets, i, r.slotPackets());
        setOrNull(destinationPrefixes, i, r.destinationPrefixes());
    }

    private static void setOrNull(final VarBinaryVector v, final int i, final byte[] value)
    {
        if (value != null)
        {
            v.setSafe(i, value);
        }
        else
        {
            v.setNull(i);
        }
    }
}
