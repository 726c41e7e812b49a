package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ScanEventDetector} against a model written straight from its definition (maps of sets,
 * one bin at a time, no tables, slices or reuse): random records of a few sources, ports, classes
 * and sensors, with pauses shorter and longer than the gap, fed in a shuffled order within each bin
 * through both of the detector's record paths. Every event must be the model's, field by field.
 */
class ScanEventDetectorModelTest
{
    private static final long S = 1_000_000L;
    private static final long BIN = 60 * S;
    private static final int[] CLASSES = {TrafficClass.TCP_SCAN.id(), TrafficClass.UDP_PROBE.id(), TrafficClass.BACKSCATTER.id()};
    private static final String[] SENSORS = {"a", "b", null};

    /** One generated record. */
    private record Rec(long bin, byte[] src, int protocol, int port, int cls, int fingerprint, long packets,
                       long first, long last, int[] hashes, String sensor)
    {
        String key()
        {
            return Addresses.toString(src) + "/" + protocol + "/" + port + "/" + cls;
        }
    }

    /** The model's open event. */
    private static final class Event
    {
        final Rec keyOf;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long packets;
        long maxRecord;
        final long[] matching = new long[3];
        final Set<Integer> hashes = new HashSet<>();
        final TreeSet<String> sensors = new TreeSet<>();

        Event(final Rec keyOf)
        {
            this.keyOf = keyOf;
        }

        void add(final Rec r)
        {
            first = Math.min(first, r.first);
            last = Math.max(last, r.last);
            packets += r.packets;
            maxRecord = Math.max(maxRecord, r.hashes.length);
            for (int t = 0; t < 3; t++)
            {
                if ((r.fingerprint & ScannerTool.all()[t].bit()) != 0)
                {
                    matching[t] += r.packets;
                }
            }
            for (final int h : r.hashes)
            {
                hashes.add(h);
            }
            if (r.sensor != null)
            {
                sensors.add(r.sensor);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldFindTheEventsOfTheModelOnRandomRecords(final long seed)
    {
        final Random rnd = new Random(seed);
        final ScanEventDetector.Params params = ScanEventDetector.Params.defaults();
        final long darknet = 1L << (8 + rnd.nextInt(24));
        final List<List<Rec>> bins = generate(rnd);

        final List<ScanEvent> found = new ArrayList<>();
        final ScanEventDetector d = new ScanEventDetector(params, darknet, found::add);
        for (final List<Rec> bin : bins)
        {
            for (final Rec r : bin)
            {
                if (rnd.nextBoolean())
                {
                    d.add(r.bin, Addresses.hi(r.src), Addresses.lo(r.src), r.protocol, r.port, r.cls, r.fingerprint, r.packets,
                        r.first, r.last, r.hashes, 0, r.hashes.length, r.sensor);
                }
                else
                {
                    final DistinctSketch s = new DistinctSketch();
                    for (final int h : r.hashes)
                    {
                        s.add(h);
                    }
                    d.add(new FlowRecord(r.bin, BIN, r.src, r.protocol, r.port, r.cls, r.fingerprint, null, r.packets, r.packets * 60,
                        r.hashes.length, s.toBytes(), r.first, r.last, 2, 50, 50, 1024, ""), r.sensor);
                }
            }
            if (!bin.isEmpty() && rnd.nextInt(3) == 0)
            {
                d.advanceTo(bin.get(0).bin + BIN);
            }
        }
        d.finish();

        final List<ScanEvent> expected = model(bins, params, darknet);
        final Comparator<ScanEvent> order = Comparator.comparingLong(ScanEvent::startMicros).thenComparing(ScanEvent::srcText)
            .thenComparingInt(ScanEvent::protocol).thenComparingInt(ScanEvent::port).thenComparingInt(ScanEvent::trafficClass);
        found.sort(order);
        expected.sort(order);
        assertThat(expected).as("the model finds events at all").hasSizeGreaterThan(20);
        assertThat(found.stream().map(ScanEventDetectorModelTest::text).toList())
            .containsExactlyElementsOf(expected.stream().map(ScanEventDetectorModelTest::text).toList());
    }

    private static String text(final ScanEvent e)
    {
        return e.srcText() + " " + e.protocol() + "/" + e.port() + " class " + e.trafficClass() + " " + e.startMicros() + ".." + e.endMicros()
            + " packets " + e.packets() + " destinations " + e.destinations() + " coverage " + e.coverage() + " tool " + e.tool()
            + " rate " + e.rate() + " sensors " + e.sensors();
    }

    /** 120 bins (some empty, so that some pauses exceed the gap) of records of 24 sources, IPv4 and IPv6. */
    private static List<List<Rec>> generate(final Random rnd)
    {
        final List<byte[]> sources = new ArrayList<>();
        for (int i = 0; i < 24; i++)
        {
            sources.add(Addresses.parse(i % 4 == 3 ? "2001:db8::" + (i + 1) : "198.51.100." + (i + 1)));
        }
        final List<List<Rec>> bins = new ArrayList<>();
        int quietUntil = -1;
        for (int b = 0; b < 120; b++)
        {
            final List<Rec> bin = new ArrayList<>();
            bins.add(bin);
            if (b < quietUntil)
            {
                continue;
            }
            if (rnd.nextInt(25) == 0)
            {
                // a pause of 6 to 16 bins: about half of them longer than the 624-s gap
                quietUntil = b + 6 + rnd.nextInt(11);
            }
            final long start = b * BIN;
            final int n = rnd.nextInt(60);
            for (int i = 0; i < n; i++)
            {
                final int source = rnd.nextInt(sources.size());
                final long first = start + rnd.nextInt(55) * S;
                final int[] hashes = new int[rnd.nextInt(6)];
                final int base = rnd.nextInt(40);
                for (int h = 0; h < hashes.length; h++)
                {
                    hashes[h] = 1000 * source + base + 7 * h;
                }
                java.util.Arrays.sort(hashes);
                // sources 0..5 are ZMap-like (mostly matching), the rest match by chance
                final int fingerprint = source < 6 ? (rnd.nextInt(20) == 0 ? 0 : ScannerTool.ZMAP.bit())
                    : rnd.nextInt(10) == 0 ? ScannerTool.all()[rnd.nextInt(3)].bit() : 0;
                bin.add(new Rec(start, sources.get(source), 6 + (source % 2) * 11, 20 + rnd.nextInt(3), CLASSES[rnd.nextInt(CLASSES.length)],
                    fingerprint, 1 + rnd.nextInt(30), first, first + rnd.nextInt(5) * S, hashes, SENSORS[rnd.nextInt(SENSORS.length)]));
            }
        }
        return bins;
    }

    /** The definition: per bin and key, the bin's records continue the open event if any of them starts within the gap of its last packet. */
    private static List<ScanEvent> model(final List<List<Rec>> bins, final ScanEventDetector.Params p, final long darknet)
    {
        final List<ScanEvent> out = new ArrayList<>();
        final Map<String, Event> open = new HashMap<>();
        for (final List<Rec> bin : bins)
        {
            if (bin.isEmpty())
            {
                continue;
            }
            final long start = bin.get(0).bin;
            open.values().removeIf(e ->
            {
                final boolean ended = start - e.last > p.gapMicros();
                if (ended)
                {
                    close(e, p, darknet, out);
                }
                return ended;
            });
            final Map<String, List<Rec>> byKey = new LinkedHashMap<>();
            for (final Rec r : bin)
            {
                if ((p.classMask() & 1 << r.cls) != 0)
                {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
                }
            }
            for (final Map.Entry<String, List<Rec>> k : byKey.entrySet())
            {
                final List<Rec> records = k.getValue();
                Event e = open.get(k.getKey());
                if (e != null)
                {
                    final long lastBefore = e.last;
                    if (records.stream().noneMatch(r -> r.first - lastBefore <= p.gapMicros()))
                    {
                        close(e, p, darknet, out);
                        e = null;
                    }
                }
                if (e == null)
                {
                    e = new Event(records.get(0));
                    open.put(k.getKey(), e);
                }
                for (final Rec r : records)
                {
                    e.add(r);
                }
            }
        }
        open.values().forEach(e -> close(e, p, darknet, out));
        return out;
    }

    private static void close(final Event e, final ScanEventDetector.Params p, final long darknet, final List<ScanEvent> out)
    {
        final long destinations = Math.max(e.hashes.size(), e.maxRecord);
        if (destinations < p.minDestinations())
        {
            return;
        }
        final Rec k = e.keyOf;
        final boolean v4 = Addresses.isIpv4Mapped(Addresses.hi(k.src), Addresses.lo(k.src));
        double rate = Double.NaN;
        double coverage = Double.NaN;
        if (v4)
        {
            rate = e.packets * (4294967296.0 / darknet) / Math.max((e.last - e.first) / 1e6, 1.0);
            if (rate < p.minRatePps())
            {
                return;
            }
            coverage = (double)destinations / darknet;
        }
        ScannerTool tool = null;
        for (int t = 0; t < 3 && tool == null; t++)
        {
            final ScannerTool candidate = ScannerTool.all()[t];
            if (e.matching[t] > 0 && candidate.inScope(k.cls, v4) && ScannerTool.attributes(e.matching[t], e.packets))
            {
                tool = candidate;
            }
        }
        out.add(new ScanEvent(k.src, k.protocol, k.port, k.cls, e.first, e.last, e.packets, destinations, coverage, tool, rate,
            List.copyOf(e.sensors)));
    }
}
