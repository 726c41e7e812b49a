package io.nightjar.sensor.spool;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.BackscatterDetail;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spool's document layout: version 2 round trips, version 1 is still read. */
class SpoolFormatTest
{
    private static FlowRecord backscatter()
    {
        final DistinctSketch prefixes = new DistinctSketch();
        prefixes.add(BackscatterDetail.prefixHash(0, Addresses.lo(Addresses.parse("198.51.100.1"))));
        return new FlowRecord(60_000_000L, 60_000_000L, Addresses.parse("203.0.113.5"), 6, 80, TrafficClass.BACKSCATTER.id(), 0,
            null, 7, 420, 3, null, 60_000_001L, 119_000_000L, 0x12, 50, 52, 29200, "M1460",
            BackscatterDetail.encodeSlots(new int[] {1, 0, 2, 0, 0, 4}, 0, 6), prefixes.toBytes());
    }

    @Test
    void shouldRoundTripBackscatterDetailInLayout2()
    {
        final Bytes<?> b = Bytes.allocateElasticOnHeap();
        final FlowRecord r = backscatter();
        SpoolFormat.writeFlowsHeader(b, r.binStartMicros(), r.binLengthMicros(), 1);
        SpoolFormat.writeFlow(b, r);
        final SpoolFormat.Document d = SpoolFormat.read(b);
        assertThat(d.flows()).singleElement().satisfies(x ->
        {
            assertThat(x.slotPackets()).isEqualTo(r.slotPackets());
            assertThat(x.destinationPrefixes()).isEqualTo(r.destinationPrefixes());
            assertThat(x.packets()).isEqualTo(7);
            assertThat(x.synOptions()).isEqualTo("M1460");
        });
    }

    @Test
    void shouldReadLayout1DocumentsWithoutDetail()
    {
        final Bytes<?> b = Bytes.allocateElasticOnHeap();
        b.writeUnsignedByte(SpoolFormat.TYPE_FLOWS);
        b.writeUnsignedByte(1);
        b.writeLong(60_000_000L);
        b.writeLong(60_000_000L);
        b.writeInt(1);
        b.write(Addresses.parse("192.0.2.7"));
        b.writeUnsignedByte(6);
        b.writeUnsignedShort(23);
        b.writeUnsignedByte(TrafficClass.TCP_SCAN.id());
        b.writeUnsignedByte(0);
        b.writeUnsignedByte(0);
        b.writeLong(2);
        b.writeLong(120);
        b.writeLong(1);
        b.writeLong(60_000_001L);
        b.writeLong(60_000_002L);
        b.writeUnsignedByte(2);
        b.writeUnsignedByte(40);
        b.writeUnsignedByte(41);
        b.writeInt(1024);
        b.writeUtf8("");
        b.writeInt(-1);
        final SpoolFormat.Document d = SpoolFormat.read(b);
        assertThat(d.flows()).singleElement().satisfies(x ->
        {
            assertThat(x.packets()).isEqualTo(2);
            assertThat(x.port()).isEqualTo(23);
            assertThat(x.slotPackets()).isNull();
            assertThat(x.destinationPrefixes()).isNull();
        });
        assertThat(b.readRemaining()).isZero();
    }

    @Test
    void shouldRefuseALayoutNewerThanItReads()
    {
        final Bytes<?> b = Bytes.allocateElasticOnHeap();
        b.writeUnsignedByte(SpoolFormat.TYPE_FLOWS);
        b.writeUnsignedByte(SpoolFormat.VERSION + 1);
        b.writeLong(0);
        b.writeLong(0);
        b.writeInt(0);
        assertThatThrownBy(() -> SpoolFormat.read(b)).isInstanceOf(IllegalStateException.class).hasMessageContaining("version");
    }
}
