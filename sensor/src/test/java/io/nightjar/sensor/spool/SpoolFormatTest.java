package io.nightjar.sensor.spool;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.CaptureStats;
import io.nightjar.wire.schema.BackscatterDetail;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spool's document layout: version 3 round trips, versions 1 and 2 are still read. */
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
    void shouldRoundTripBackscatterDetailInTheCurrentLayout()
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

    private static BinSummary bin(final CaptureStats capture, final long captureDrops)
    {
        final long[] classPackets = new long[TrafficClass.COUNT];
        final long[] classBytes = new long[TrafficClass.COUNT];
        classPackets[TrafficClass.TCP_SCAN.id()] = 9;
        classBytes[TrafficClass.TCP_SCAN.id()] = 540;
        final long[] anomalies = new long[Anomaly.COUNT];
        anomalies[Anomaly.LATE_PACKET.id()] = 2;
        return new BinSummary(60_000_000L, 60_000_000L, classPackets, classBytes, anomalies, 3, 180, 12, 0, captureDrops, capture, 4,
            60_000_001L, 119_000_000L);
    }

    @Test
    void shouldRoundTripTheCaptureStatisticsOfABinInLayout3()
    {
        final Bytes<?> b = Bytes.allocateElasticOnHeap();
        final CaptureStats capture = new CaptureStats(1_000_000L, 17, 3, 5);
        SpoolFormat.writeBin(b, bin(capture, capture.drops()));
        final SpoolFormat.Document d = SpoolFormat.read(b);
        assertThat(d.type()).isEqualTo(SpoolFormat.TYPE_BIN);
        assertThat(d.bin().capture()).isEqualTo(capture);
        assertThat(d.bin().captureDrops()).isEqualTo(25);
        assertThat(d.bin().classPackets()[TrafficClass.TCP_SCAN.id()]).isEqualTo(9);
        assertThat(d.bin().flows()).isEqualTo(4);
        assertThat(d.bin().lastMicros()).isEqualTo(119_000_000L);
        assertThat(b.readRemaining()).isZero();
    }

    @Test
    void shouldReadLayout2BinsWithTheirDropTotalAndNoSplit()
    {
        // a BIN document as a version-2 sensor wrote it, field by field
        final Bytes<?> b = Bytes.allocateElasticOnHeap();
        b.writeUnsignedByte(SpoolFormat.TYPE_BIN);
        b.writeUnsignedByte(2);
        b.writeLong(60_000_000L);
        b.writeLong(60_000_000L);
        b.writeUnsignedByte(TrafficClass.COUNT);
        for (int i = 0; i < TrafficClass.COUNT; i++)
        {
            b.writeLong(i == TrafficClass.TCP_SCAN.id() ? 9 : 0);
            b.writeLong(i == TrafficClass.TCP_SCAN.id() ? 540 : 0);
        }
        b.writeUnsignedByte(Anomaly.COUNT);
        for (int i = 0; i < Anomaly.COUNT; i++)
        {
            b.writeLong(0);
        }
        b.writeLong(3); // non-darknet packets
        b.writeLong(180);
        b.writeLong(12); // ipv4
        b.writeLong(0);
        b.writeLong(6); // capture drops
        b.writeLong(4); // flows
        b.writeLong(60_000_001L);
        b.writeLong(119_000_000L);
        final SpoolFormat.Document d = SpoolFormat.read(b);
        assertThat(b.readRemaining()).isZero();
        assertThat(d.bin().captureDrops()).isEqualTo(6);
        assertThat(d.bin().capture()).isEqualTo(CaptureStats.NONE);
        assertThat(d.bin().flows()).isEqualTo(4);
        assertThat(d.bin().lastMicros()).isEqualTo(119_000_000L);
        assertThat(d.bin().packets()).isEqualTo(12);
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
