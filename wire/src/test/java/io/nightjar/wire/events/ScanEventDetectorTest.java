package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScanEventDetectorTest
{
    private static final long S = 1_000_000L;
    private static final long BIN = 60 * S;
    private static final int TCP_SCAN = TrafficClass.TCP_SCAN.id();
    /** A darknet of 2^32 addresses: scale 1, so the rate is packets / duration. */
    private static final long WHOLE = 1L << 32;
    /** A /24: scale 2^24, so the rate threshold passes for any event of a few packets per hour. */
    private static final long SLASH24 = 256;

    private final List<ScanEvent> events = new ArrayList<>();

    private ScanEventDetector detector(final long darknet)
    {
        return new ScanEventDetector(ScanEventDetector.Params.defaults(), darknet, events::add);
    }

    /** The hashes of destinations 192.0.2.0/24-ish addresses number {@code from .. to) of a made-up darknet. */
    private static byte[] sketch(final int from, final int to)
    {
        final DistinctSketch s = new DistinctSketch();
        for (int i = from; i < to; i++)
        {
            s.add(destinationHash(i));
        }
        return s.toBytes();
    }

    private static int destinationHash(final int i)
    {
        final byte[] a = Addresses.parse("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff));
        return DistinctSketch.hashAddress(Addresses.hi(a), Addresses.lo(a));
    }

    private static FlowRecord scan(final String src, final long firstMicros, final long lastMicros, final long packets,
                                   final int destFrom, final int destTo, final int fingerprint)
    {
        final long bin = Math.floorDiv(firstMicros, BIN) * BIN;
        return new FlowRecord(bin, BIN, Addresses.parse(src), 6, 23, TCP_SCAN, fingerprint, null, packets, packets * 60,
            destTo - destFrom, sketch(destFrom, destTo), firstMicros, lastMicros, 2, 50, 50, 1024, "");
    }

    @Test
    void shouldReportAnEventWithExactlyTenDistinctDestinations()
    {
        final ScanEventDetector d = detector(SLASH24);
        d.add(scan("192.0.2.1", 0, 20 * S, 5, 0, 5, 0), "a");
        d.add(scan("192.0.2.1", 70 * S, 80 * S, 5, 5, 10, 0), "a");
        d.finish();
        assertThat(events).hasSize(1);
        final ScanEvent e = events.get(0);
        assertThat(e.srcText()).isEqualTo("192.0.2.1");
        assertThat(e.destinations()).isEqualTo(10);
        assertThat(e.packets()).isEqualTo(10);
        assertThat(e.startMicros()).isZero();
        assertThat(e.endMicros()).isEqualTo(80 * S);
        assertThat(e.protocol()).isEqualTo(6);
        assertThat(e.port()).isEqualTo(23);
        assertThat(e.trafficClassEnum()).isEqualTo(TrafficClass.TCP_SCAN);
        assertThat(e.sensors()).containsExactly("a");
    }

    @Test
    void shouldNotReportAnEventWithNineDistinctDestinations()
    {
        final ScanEventDetector d = detector(SLASH24);
        // 10 packets but destination 4 is hit twice: 9 distinct
        d.add(scan("192.0.2.1", 0, 20 * S, 5, 0, 5, 0), "a");
        d.add(scan("192.0.2.1", 70 * S, 80 * S, 5, 4, 9, 0), "a");
        d.finish();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldReportARateOfExactlyTenPacketsPerSecondAndNotOneJustBelow()
    {
        // scale 1: 100 packets over 10 s is 10/s; over 10.000001 s it is just below
        final ScanEventDetector d = detector(WHOLE);
        d.add(scan("192.0.2.1", 0, 10 * S, 100, 0, 10, 0), "a");
        d.add(scan("192.0.2.2", 0, 10 * S + 1, 100, 0, 10, 0), "a");
        d.finish();
        assertThat(events).extracting(ScanEvent::srcText).containsExactly("192.0.2.1");
        assertThat(events.get(0).rate()).isEqualTo(10.0);
        assertThat(events.get(0).coverage()).isEqualTo(10.0 / WHOLE);
    }

    @Test
    void shouldFloorTheDurationAtOneSecond()
    {
        // 10 packets within 0.5 s: 10 / max(0.5, 1) = 10/s, not 20/s
        final ScanEventDetector d = detector(WHOLE);
        d.add(scan("192.0.2.1", 0, S / 2, 10, 0, 10, 0), "a");
        d.finish();
        assertThat(events).singleElement().extracting(ScanEvent::rate).isEqualTo(10.0);
    }

    @ParameterizedTest(name = "gap {0} s -> {1} event(s)")
    @CsvSource({"623, 1", "624, 1", "625, 2"})
    void shouldEndAnEventOnlyAfterMoreThan624SecondsWithoutAPacket(final long gapSeconds, final int expected)
    {
        final ScanEventDetector d = detector(SLASH24);
        final long last = 30 * S;
        d.add(scan("192.0.2.1", 10 * S, last, 600, 0, 10, 0), "a");
        final long next = last + gapSeconds * S;
        d.add(scan("192.0.2.1", next, next + 10 * S, 600, 10, 20, 0), "a");
        d.finish();
        assertThat(events).hasSize(expected);
        assertThat(events.stream().mapToLong(ScanEvent::packets).sum()).isEqualTo(1200);
        if (expected == 1)
        {
            assertThat(events.get(0).destinations()).isEqualTo(20);
            assertThat(events.get(0).endMicros()).isEqualTo(next + 10 * S);
        }
        else
        {
            assertThat(events.get(0).endMicros()).isEqualTo(last);
            assertThat(events.get(1).startMicros()).isEqualTo(next);
        }
    }

    @Test
    void shouldReportAFinishedEventAsSoonAsDataTimePassesTheGap()
    {
        final ScanEventDetector d = detector(SLASH24);
        d.add(scan("192.0.2.1", 10 * S, 30 * S, 600, 0, 10, 0), "a");
        d.advanceTo(30 * S + 624 * S);
        assertThat(events).isEmpty();
        d.advanceTo(30 * S + 624 * S + 1);
        assertThat(events).hasSize(1);
        d.finish();
        assertThat(events).hasSize(1);
    }

    @Test
    void shouldMergeASourceSeenByTwoSensorsWithoutDoubleCountingSharedDestinations()
    {
        final ScanEventDetector d = detector(WHOLE);
        // sensor a saw destinations 0..9, sensor b 5..14 (the sketches share 5..9): 15 distinct, not 20
        d.add(scan("192.0.2.1", 0, 50 * S, 500, 0, 10, 0), "b");
        d.add(scan("192.0.2.1", 5 * S, 55 * S, 500, 5, 15, 0), "a");
        d.finish();
        assertThat(events).hasSize(1);
        final ScanEvent e = events.get(0);
        assertThat(e.destinations()).isEqualTo(15);
        assertThat(e.packets()).isEqualTo(1000);
        assertThat(e.startMicros()).isZero();
        assertThat(e.endMicros()).isEqualTo(55 * S);
        assertThat(e.sensors()).containsExactly("a", "b");
    }

    @Test
    void shouldScaleByTheSumOfTheDarknetSizesOfSensorsOfDifferentSizes()
    {
        // a /24 sensor and a 768-address sensor: 1024 addresses, scale 2^32 / 1024 = 2^22
        final ScanEventDetector d = detector(256 + 768);
        d.add(scan("192.0.2.1", 0, 50 * S, 3, 0, 6, 0), "small");
        d.add(scan("192.0.2.1", 10 * S, 100 * S, 2, 6, 12, 0), "large");
        d.finish();
        final ScanEvent e = events.get(0);
        assertThat(e.rate()).isCloseTo(5.0 * (1 << 22) / 100.0, within(1e-6));
        assertThat(e.coverage()).isEqualTo(12.0 / 1024);
        assertThat(e.sensors()).containsExactly("large", "small");
    }

    @Test
    void shouldApplyTheRateThresholdAfterScaling()
    {
        // 10 packets over 1000 s is 0.01/s observed; scaled by 2^32 / 2^22 = 1024 it is 10.24/s
        final ScanEventDetector d = detector(1L << 22);
        d.add(scan("192.0.2.1", 0, 1000 * S, 10, 0, 10, 0), "a");
        d.finish();
        assertThat(events).singleElement().extracting(ScanEvent::rate).isEqualTo(10.24);
        events.clear();
        // the same over 2^23 addresses: 5.12/s, below
        final ScanEventDetector half = detector(1L << 23);
        half.add(scan("192.0.2.1", 0, 1000 * S, 10, 0, 10, 0), "a");
        half.finish();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldNotDependOnTheOrderOfTheRecordsOfOneBin()
    {
        // 300-s bins: the open event ends at 10 s; in bin 600 s sensor a's record starts at 640 s
        // (630 s later: alone it would start a new event), sensor b's at 630 s (620 s: continues)
        for (final boolean aFirst : new boolean[] {true, false})
        {
            events.clear();
            final ScanEventDetector d = detector(SLASH24);
            d.add(record300("192.0.2.1", 0, 5 * S, 10 * S, 0, 10), "a");
            final FlowRecord a = record300("192.0.2.1", 600 * S, 640 * S, 650 * S, 10, 20);
            final FlowRecord b = record300("192.0.2.1", 600 * S, 630 * S, 660 * S, 20, 30);
            d.add(aFirst ? a : b, aFirst ? "a" : "b");
            d.add(aFirst ? b : a, aFirst ? "b" : "a");
            d.finish();
            assertThat(events).as("a first: %s", aFirst).hasSize(1);
            assertThat(events.get(0).destinations()).isEqualTo(30);
        }
    }

    private static FlowRecord record300(final String src, final long bin, final long first, final long last, final int df, final int dt)
    {
        return new FlowRecord(bin, 300 * S, Addresses.parse(src), 6, 23, TCP_SCAN, 0, null, 1000, 60_000,
            dt - df, sketch(df, dt), first, last, 2, 50, 50, 1024, "");
    }

    @Test
    void shouldAttributeAToolWhenTheEventsPacketsSatisfyTheRule()
    {
        final ScanEventDetector d = detector(WHOLE);
        // 10 of 10 in scope match Mirai
        d.add(scan("192.0.2.1", 0, S, 10, 0, 10, ScannerTool.MIRAI.bit()), "a");
        // 9 matching ZMap of 10: fewer than 10 matching, no tool
        d.add(scan("192.0.2.2", 0, S, 9, 0, 9, ScannerTool.ZMAP.bit()), "a");
        d.add(scan("192.0.2.2", 0, S, 1, 9, 10, 0), "a");
        d.finish();
        assertThat(events).extracting(ScanEvent::srcText, ScanEvent::tool)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.1", ScannerTool.MIRAI),
                org.assertj.core.groups.Tuple.tuple("192.0.2.2", null));
    }

    @Test
    void shouldKeepDifferentPortsProtocolsAndClassesApart()
    {
        final ScanEventDetector d = detector(WHOLE);
        final byte[] src = Addresses.parse("192.0.2.1");
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 23, TCP_SCAN, 0, 5, 0, S, 5, sketch(0, 5), "a");
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 2323, TCP_SCAN, 0, 5, 0, S, 5, sketch(5, 10), "a");
        d.add(0, Addresses.hi(src), Addresses.lo(src), 17, 23, TrafficClass.UDP_PROBE.id(), 0, 5, 0, S, 5, sketch(10, 15), "a");
        d.finish();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldIgnoreClassesOutsideTheMask()
    {
        final ScanEventDetector d = detector(WHOLE);
        final byte[] src = Addresses.parse("192.0.2.1");
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 80, TrafficClass.BACKSCATTER.id(), 0, 100, 0, S, 20, sketch(0, 20), "a");
        d.finish();
        assertThat(events).isEmpty();
        final ScanEventDetector all = new ScanEventDetector(new ScanEventDetector.Params(624 * S, 10, 10, -1), WHOLE, events::add);
        all.add(0, Addresses.hi(src), Addresses.lo(src), 6, 80, TrafficClass.BACKSCATTER.id(), 0, 100, 0, S, 20, sketch(0, 20), "a");
        all.finish();
        assertThat(events).hasSize(1);
    }

    @Test
    void shouldCountHashedDestinationsLikeSerialisedSketches()
    {
        final ScanEventDetector d = detector(WHOLE);
        final byte[] src = Addresses.parse("192.0.2.1");
        final int[] hashes = new int[12];
        for (int i = 0; i < hashes.length; i++)
        {
            hashes[i] = destinationHash(i);
        }
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 23, TCP_SCAN, 0, 6, 0, S, hashes, 0, 6, null);
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 23, TCP_SCAN, 0, 6, 0, S, 8, sketch(4, 12), null);
        d.finish();
        assertThat(events).singleElement().extracting(ScanEvent::destinations).isEqualTo(12L);
        assertThat(events.get(0).sensors()).isEmpty();
    }

    @Test
    void shouldNotRateThresholdIpv6Sources()
    {
        final ScanEventDetector d = detector(WHOLE);
        d.add(scan("2001:db8::1", 0, 1000 * S, 10, 0, 10, 0), "a");
        d.finish();
        assertThat(events).singleElement().satisfies(e ->
        {
            assertThat(e.srcText()).isEqualTo("2001:db8::1");
            assertThat(e.rate()).isNaN();
            assertThat(e.coverage()).isNaN();
        });
    }

    @Test
    void shouldRefuseRecordsOutOfBinOrder()
    {
        final ScanEventDetector d = detector(WHOLE);
        d.add(scan("192.0.2.1", 120 * S, 130 * S, 1, 0, 1, 0), "a");
        assertThatThrownBy(() -> d.add(scan("192.0.2.1", 60 * S, 70 * S, 1, 0, 1, 0), "a"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of bin order");
    }

    @Test
    void shouldReportEachEventOnceWhenManyExpireAtDifferentTimes()
    {
        // 200 sources; source i scans in bin i and again 12 bins (720 s) later: two events each,
        // closed by data time at different moments, interleaved with other sources' records
        final ScanEventDetector d = detector(SLASH24);
        final java.util.TreeMap<Long, List<FlowRecord>> byBin = new java.util.TreeMap<>();
        for (int i = 0; i < 200; i++)
        {
            final String src = "192.0." + (i / 100) + "." + (i % 100 + 1);
            for (final long bin : new long[] {i * BIN, i * BIN + 12 * BIN})
            {
                byBin.computeIfAbsent(bin, b -> new ArrayList<>()).add(scan(src, bin + S, bin + 50 * S, 20, i, i + 10, 0));
            }
        }
        byBin.values().forEach(rs -> rs.forEach(r -> d.add(r, "a")));
        final long lastBin = byBin.lastKey();
        d.advanceTo(lastBin + BIN + 625 * S);
        assertThat(d.openEvents()).isZero();
        final int before = events.size();
        d.finish();
        assertThat(events).hasSize(before).hasSize(400);
        final java.util.Map<String, Long> perSource = new java.util.HashMap<>();
        events.forEach(e -> perSource.merge(e.srcText(), 1L, Long::sum));
        assertThat(perSource).hasSize(200).allSatisfy((src, n) -> assertThat(n).isEqualTo(2));
        assertThat(events).allSatisfy(e ->
        {
            assertThat(e.packets()).isEqualTo(20);
            assertThat(e.destinations()).isEqualTo(10);
        });
    }

    @Test
    void shouldFindTheSameEventsWhenKeysArePrefetchedBeforeTheirRecords()
    {
        // 3,000 records of 60 sources over 40 bins, some continuing events and some starting new
        // ones; one detector is fed directly, the other prefetches every record's key and event
        // (and a key never added) before adding it, as the sensor's summary does in batches
        final java.util.Random rnd = new java.util.Random(7);
        final List<FlowRecord> records = new ArrayList<>();
        for (int bin = 0; bin < 40; bin++)
        {
            for (int i = 0; i < 75; i++)
            {
                final int source = rnd.nextInt(60);
                final long first = bin * BIN + rnd.nextInt(50) * S;
                final int dest = rnd.nextInt(40);
                records.add(new FlowRecord(bin * BIN, BIN, Addresses.parse("198.51.100." + source), 6, 23 + source % 3, TCP_SCAN,
                    0, null, 5 + rnd.nextInt(20), 600, 3, sketch(dest, dest + 3), first, first + 5 * S, 2, 50, 50, 1024, ""));
            }
        }
        final List<ScanEvent> direct = new ArrayList<>();
        final List<ScanEvent> prefetched = new ArrayList<>();
        final ScanEventDetector a = new ScanEventDetector(ScanEventDetector.Params.defaults(), SLASH24, direct::add);
        final ScanEventDetector b = new ScanEventDetector(ScanEventDetector.Params.defaults(), SLASH24, prefetched::add);
        long sum = 0;
        for (final FlowRecord r : records)
        {
            a.add(r, "s");
            final long hi = Addresses.hi(r.src());
            final long lo = Addresses.lo(r.src());
            sum += b.prefetchKey(hi, lo, r.protocol(), r.port(), r.trafficClass());
            sum += b.prefetchEvent(hi, lo, r.protocol(), r.port(), r.trafficClass());
            sum += b.prefetchEvent(hi + 1, lo, r.protocol(), r.port(), r.trafficClass());
            b.add(r, "s");
        }
        a.finish();
        b.finish();
        assertThat(direct).as("prefetch sum %d", sum).hasSizeGreaterThan(20);
        assertThat(prefetched).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(direct);
    }
}
