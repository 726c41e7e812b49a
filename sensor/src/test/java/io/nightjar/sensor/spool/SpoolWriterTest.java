package io.nightjar.sensor.spool;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.generate.PacketBuilder;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolWriterTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_699_999_980L * SECOND;
    private final PacketBuilder b = new PacketBuilder();

    private static void feed(final FlowPipeline p, final byte[] f, final long ts)
    {
        p.onPacket(ByteBuffer.wrap(f), 0, f.length, f.length, ts, LinkType.ETHERNET);
    }

    private static List<SpoolFormat.Document> readAll(final Path dir)
    {
        final List<SpoolFormat.Document> docs = new ArrayList<>();
        try (SpoolReader reader = new SpoolReader(dir))
        {
            SpoolFormat.Document d;
            while ((d = reader.next()) != null)
            {
                docs.add(d);
            }
        }
        return docs;
    }

    @Test
    void aSecondWriterOnTheSameSpoolIsRefusedNamingTheHolder(@TempDir final Path dir)
    {
        final SpoolRetention retention = new SpoolRetention(1L << 30, Duration.ofDays(1));
        try (SpoolWriter first = new SpoolWriter(dir, retention))
        {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SpoolWriter(dir, retention))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("in use by another sensor")
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        // released on close: the next writer opens it
        new SpoolWriter(dir, retention).close();
    }

    @Test
    void shouldSpoolFlowsThenTheBinSummaryAndSurviveARestart(@TempDir final Path dir)
    {
        try (SpoolWriter writer = new SpoolWriter(dir, SpoolRetention.DEFAULT))
        {
            final FlowPipeline p = new FlowPipeline(Darknet.parse(""), 60 * SECOND, new FlowTable(16, 100_000, 1_000_000), writer);
            for (int i = 0; i < 2500; i++)
            {
                feed(p, b.reset().ethernet().ipv4(0x0a000000 + i, 0xc6336409).tcp(1, 23).build(), T0 + i);
            }
            feed(p, b.reset().ethernet().ipv4("192.0.2.1", "198.51.100.1").udp(1, 53).build(), T0 + 70 * SECOND);
            p.finish();
            assertThat(writer.binsWritten()).isEqualTo(2);
            assertThat(writer.flowsWritten()).isEqualTo(2501);
        }
        // restart: a new writer appends after what is there
        try (SpoolWriter writer = new SpoolWriter(dir, SpoolRetention.DEFAULT))
        {
            final FlowPipeline p = new FlowPipeline(Darknet.parse(""), 60 * SECOND, new FlowTable(16, 100_000, 1_000_000), writer);
            feed(p, b.reset().ethernet().ipv6("2001:db8::1", "2001:db8::2").icmpv6(128, 0).build(), T0 + 200 * SECOND);
            p.finish();
        }
        final List<SpoolFormat.Document> docs = readAll(dir);
        // bin 1: 3 FLOWS documents (1024 + 1024 + 452) then its BIN; bin 2: FLOWS + BIN; after restart: FLOWS + BIN
        assertThat(docs).extracting(SpoolFormat.Document::type).containsExactly(1, 1, 1, 2, 1, 2, 1, 2);
        final List<FlowRecord> firstBin = new ArrayList<>();
        docs.subList(0, 3).forEach(d -> firstBin.addAll(d.flows()));
        assertThat(firstBin).hasSize(2500);
        assertThat(Addresses.toString(firstBin.get(2499).src())).isEqualTo("10.0.9.195");
        assertThat(firstBin.get(0).binStartMicros()).isEqualTo(T0 / 1000);
        assertThat(DistinctSketch.fromBytes(firstBin.get(0).destinationSketch()).estimate()).isEqualTo(1);
        final BinSummary bin = docs.get(3).bin();
        assertThat(bin.classPackets()[TrafficClass.TCP_SCAN.id()]).isEqualTo(2500);
        assertThat(bin.flows()).isEqualTo(2500);
        assertThat(docs.get(6).flows().get(0).trafficClass()).isEqualTo(TrafficClass.ICMP_PROBE.id());
    }

    @Test
    void shouldEvictTheOldestCyclesPastTheSizeBoundAndCountEveryEvictedRecord(@TempDir final Path dir)
    {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final long maxBytes = 60_000; // room for about two of this test's bins (~27 kB each)
        long written = 0;
        long binsWritten = 0;
        try (SpoolWriter writer = new SpoolWriter(dir, new SpoolRetention(maxBytes, Duration.ofDays(365)), clock))
        {
            final FlowPipeline p = new FlowPipeline(Darknet.parse(""), 60 * SECOND, new FlowTable(16, 100_000, 1_000_000), writer);
            for (int hour = 0; hour < 8; hour++)
            {
                clock.advanceMillis(3_600_000L); // each bin lands in a new hourly cycle file
                for (int i = 0; i < 300; i++)
                {
                    feed(p, b.reset().ethernet().ipv4(0x0a000000 + i, 0xc6336409).tcp(1, 23 + hour).build(), T0 + hour * 3600 * SECOND);
                }
                p.advanceTo(T0 + (hour * 3600 + 61) * SECOND);
                written += 300;
                binsWritten++;
            }
            assertThat(writer.evictions().files()).isPositive();
            assertThat(writer.sizeBytes()).isLessThanOrEqualTo(maxBytes);
        }
        // read back after the writer has released its mappings (a reader in a later process)
        final EvictionCounters ev = EvictionCounters.load(dir);
        final List<SpoolFormat.Document> left = readAll(dir);
        final long flowsLeft = left.stream().mapToLong(d -> d.flows().size()).sum();
        final long binsLeft = left.stream().filter(d -> d.type() == SpoolFormat.TYPE_BIN).count();
        assertThat(flowsLeft + ev.flowRecords()).as("kept + evicted = written").isEqualTo(written);
        assertThat(binsLeft + ev.bins()).isEqualTo(binsWritten);
        // the counters are persisted
        assertThat(EvictionCounters.load(dir).flowRecords()).isPositive();
    }

    @Test
    void shouldCountRecordsTakenButNeverAcknowledgedAsEvictedUnshippedWhenTheShipperLosesThem(@TempDir final Path dir)
    {
        final long written = spoolFourHoursWithTheFirstInFlight(dir);
        // the sensor restarts (its batches in flight are gone) with nothing acknowledged: until the aggregator says where it
        // stands, the evicted in-flight records are pending; it answers "position 0", so they are lost to it, and counted
        try (SpoolWriter reopened = new SpoolWriter(dir, new SpoolRetention(60_000, Duration.ofDays(365))))
        {
            assertThat(reopened.mark().evictedInFlight()[1]).as("pending across the restart").isEqualTo(300);
            reopened.mark().settleInFlight(0);
            assertThat(reopened.mark().evictedInFlight()).containsExactly(0, 0);
        }
        final EvictionCounters ev = EvictionCounters.load(dir);
        final long flowsLeft = readAll(dir).stream().mapToLong(d -> d.flows().size()).sum();
        assertThat(ShipMark.load(dir).acknowledgedPosition()).isZero();
        assertThat(flowsLeft + ev.unshippedFlowRecords()).as("kept + evicted unshipped = written, nothing acknowledged (%s)", ev)
            .isEqualTo(written);
        assertThat(ev.unshippedBins()).isEqualTo(ev.bins());
    }

    @Test
    void shouldNotCountEvictedRecordsInFlightAsUnshippedOnceTheAggregatorAcknowledgesThem(@TempDir final Path dir)
    {
        final long written = spoolFourHoursWithTheFirstInFlight(dir);
        try (SpoolWriter reopened = new SpoolWriter(dir, new SpoolRetention(60_000, Duration.ofDays(365))))
        {
            // the ACK of the batch in flight arrives (before or after a restart): the aggregator has them
            reopened.mark().acknowledged(1, firstHourLastPosition);
            assertThat(reopened.mark().evictedInFlight()).containsExactly(0, 0);
            reopened.mark().settleInFlight(firstHourLastPosition);
        }
        final EvictionCounters ev = EvictionCounters.load(dir);
        final long flowsLeft = readAll(dir).stream().mapToLong(d -> d.flows().size()).sum();
        assertThat(flowsLeft + ev.unshippedFlowRecords() + 300).as("kept + evicted unshipped + stored = written (%s)", ev).isEqualTo(written);
    }

    private long firstHourLastPosition;

    /** Spools four hours of 300 flows each under a limit that evicts the first, which the shipper has taken (in flight). */
    private long spoolFourHoursWithTheFirstInFlight(final Path dir)
    {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        long written = 0;
        try (SpoolWriter writer = new SpoolWriter(dir, new SpoolRetention(60_000, Duration.ofDays(365)), clock))
        {
            final FlowPipeline p = new FlowPipeline(Darknet.parse(""), 60 * SECOND, new FlowTable(16, 100_000, 1_000_000), writer);
            for (int hour = 0; hour < 4; hour++)
            {
                clock.advanceMillis(3_600_000L);
                for (int i = 0; i < 300; i++)
                {
                    feed(p, b.reset().ethernet().ipv4(0x0a000000 + i, 0xc6336409).tcp(1, 23 + hour).build(), T0 + hour * 3600 * SECOND);
                }
                p.advanceTo(T0 + (hour * 3600 + 61) * SECOND);
                written += 300;
                if (hour == 0)
                {
                    // the shipper takes the first hour into a batch in flight; the aggregator goes away before its ACK
                    try (net.openhft.chronicle.queue.ExcerptTailer t = writer.queue().createTailer())
                    {
                        while (true)
                        {
                            try (net.openhft.chronicle.wire.DocumentContext dc = t.readingDocument())
                            {
                                if (!dc.isPresent())
                                {
                                    break;
                                }
                                assertThat(writer.mark().take(dc.index())).isTrue();
                                firstHourLastPosition = dc.index();
                            }
                        }
                    }
                }
            }
            assertThat(writer.evictions().flowRecords()).as("the first hour was evicted").isGreaterThanOrEqualTo(300);
            assertThat(writer.evictions().unshippedFlowRecords()).as("evicted before being taken").isEqualTo(writer.evictions().flowRecords() - 300);
        }
        return written;
    }
}
