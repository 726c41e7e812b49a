package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.aggregator.auth.Principal;
import io.nightjar.aggregator.store.FlowStore;
import io.nightjar.aggregator.store.StoredAddress;
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
import io.nightjar.wire.sketch.DistinctSketch;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Crafted data in a real store: flow records and the bin summaries they imply, per sensor, written
 * through the wire's Arrow batches into DuckDB exactly as ingest writes them, plus configured
 * sensors and source attributions, so that statistics can be checked against hand-computed values.
 */
final class StatsFixture implements AutoCloseable
{
    static final long BIN_US = 60_000_000L;
    /** 2024-06-01T00:00:00Z in µs. */
    static final long T0 = Instant.parse("2024-06-01T00:00:00Z").getEpochSecond() * 1_000_000L;

    private final BufferAllocator allocator = new RootAllocator();
    final FlowStore store;
    private final Map<String, List<FlowRecord>> flows = new LinkedHashMap<>();
    private final List<FlowStore.SensorRow> sensors = new ArrayList<>();
    private final Map<String, Object[]> sources = new LinkedHashMap<>();

    StatsFixture(final Path dir)
    {
        this.store = FlowStore.open(dir, allocator);
    }

    StatsFixture sensor(final String id, final String country, final String organisation, final long darknet)
    {
        sensors.add(new FlowStore.SensorRow(id, country, organisation, darknet));
        return this;
    }

    StatsFixture source(final String src, final String country, final long asn, final String name)
    {
        sources.put(src, new Object[] {country, asn, name});
        return this;
    }

    /** One flow record builder: sensor, bin (minutes after {@link #T0}), source, protocol, port, class, packets. */
    Flow flow(final String sensor, final long minute, final String src, final int proto, final int port, final TrafficClass cls, final long packets)
    {
        return new Flow(sensor, minute, src, proto, port, cls, packets);
    }

    /** A flow record being built; {@link #add()} keeps it. */
    final class Flow
    {
        final String sensor;
        final long binStart;
        final String src;
        final int proto;
        final int port;
        final TrafficClass cls;
        final long packets;
        int fingerprint;
        String victim;
        long firstOffsetUs = 1_000_000L;
        long lastOffsetUs = 50_000_000L;
        int[] destinations = {1};
        int[] slots;
        String[] prefixDestinations;

        Flow(final String sensor, final long minute, final String src, final int proto, final int port, final TrafficClass cls, final long packets)
        {
            this.sensor = sensor;
            this.binStart = T0 + minute * BIN_US;
            this.src = src;
            this.proto = proto;
            this.port = port;
            this.cls = cls;
            this.packets = packets;
        }

        Flow fingerprint(final int mask)
        {
            this.fingerprint = mask;
            return this;
        }

        Flow victim(final String v)
        {
            this.victim = v;
            return this;
        }

        /** Packet times: seconds after the bin start of the first and last packet. */
        Flow times(final double firstSeconds, final double lastSeconds)
        {
            this.firstOffsetUs = Math.round(firstSeconds * 1e6);
            this.lastOffsetUs = Math.round(lastSeconds * 1e6);
            return this;
        }

        /** Destination addresses hit, as the last octet of a /24 (distinct values count once). */
        Flow destinations(final int... lastOctets)
        {
            this.destinations = lastOctets;
            return this;
        }

        /** Backscatter: packets per 10-s slot of the bin. */
        Flow slots(final int... counts)
        {
            this.slots = counts;
            return this;
        }

        /** Backscatter: the darknet destinations whose prefixes (/16, /48) received it. */
        Flow prefixes(final String... addresses)
        {
            this.prefixDestinations = addresses;
            return this;
        }

        StatsFixture add()
        {
            final DistinctSketch sk = new DistinctSketch();
            final java.util.TreeSet<Integer> distinct = new java.util.TreeSet<>();
            for (final int d : destinations)
            {
                distinct.add(d);
                final byte[] a = Addresses.parse("198.51.100." + d);
                sk.add(DistinctSketch.hashAddress(Addresses.hi(a), Addresses.lo(a)));
            }
            flows.computeIfAbsent(sensor, k -> new ArrayList<>()).add(record(this, distinct.size(), sk.toBytes()));
            return StatsFixture.this;
        }
    }

    private static FlowRecord record(final Flow f, final long destinations, final byte[] sketch)
    {
        byte[] prefixes = null;
        if (f.prefixDestinations != null)
        {
            final DistinctSketch p = new DistinctSketch();
            for (final String d : f.prefixDestinations)
            {
                final byte[] a = Addresses.parse(d);
                p.add(io.nightjar.wire.schema.BackscatterDetail.prefixHash(Addresses.hi(a), Addresses.lo(a)));
            }
            prefixes = p.toBytes();
        }
        return new FlowRecord(f.binStart, BIN_US, Addresses.parse(f.src), f.proto, f.port, f.cls.id(), f.fingerprint,
            f.victim == null ? null : Addresses.parse(f.victim), f.packets, f.packets * 60, destinations, sketch,
            f.binStart + f.firstOffsetUs, f.binStart + f.lastOffsetUs, f.proto == 6 ? 0x02 : 0, 40, 64, -1, "",
            f.slots == null ? null : io.nightjar.wire.schema.BackscatterDetail.encodeSlots(f.slots, 0, f.slots.length), prefixes);
    }

    /** Writes everything added so far (one transaction). */
    StatsFixture commit() throws Exception
    {
        store.replaceSensors(sensors);
        for (final Map.Entry<String, List<FlowRecord>> e : flows.entrySet())
        {
            final TreeMap<Long, long[]> perBin = new TreeMap<>();
            try (FlowBatchBuilder b = new FlowBatchBuilder(e.getKey(), allocator))
            {
                for (final FlowRecord r : e.getValue())
                {
                    b.add(r);
                    final long[] c = perBin.computeIfAbsent(r.binStartMicros(), k -> new long[TrafficClass.COUNT * 2 + 3]);
                    c[r.trafficClass()] += r.packets();
                    c[TrafficClass.COUNT + r.trafficClass()] += r.bytes();
                    c[2 * TrafficClass.COUNT] += 1;
                    c[2 * TrafficClass.COUNT + 1] = c[2 * TrafficClass.COUNT + 1] == 0 ? r.firstMicros() : Math.min(c[2 * TrafficClass.COUNT + 1], r.firstMicros());
                    c[2 * TrafficClass.COUNT + 2] = Math.max(c[2 * TrafficClass.COUNT + 2], r.lastMicros());
                }
                insert(b, BatchSchemas.FLOWS);
            }
            try (BinBatchBuilder b = new BinBatchBuilder(e.getKey(), allocator))
            {
                for (final Map.Entry<Long, long[]> bin : perBin.entrySet())
                {
                    final long[] c = bin.getValue();
                    final long[] packets = java.util.Arrays.copyOfRange(c, 0, TrafficClass.COUNT);
                    final long[] bytes = java.util.Arrays.copyOfRange(c, TrafficClass.COUNT, 2 * TrafficClass.COUNT);
                    long all = 0;
                    for (final long p : packets)
                    {
                        all += p;
                    }
                    b.add(new BinSummary(bin.getKey(), BIN_US, packets, bytes, new long[Anomaly.COUNT], 0, 0, all, 0, 0,
                        io.nightjar.wire.schema.CaptureStats.NONE, c[2 * TrafficClass.COUNT],
                        c[2 * TrafficClass.COUNT + 1], c[2 * TrafficClass.COUNT + 2]));
                }
                insert(b, BatchSchemas.BINS);
            }
        }
        flows.clear();
        try (java.sql.Connection c = store.openReader();
             PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO sources VALUES (" + StoredAddress.PARAMETER + ", ?, ?, ?)"))
        {
            for (final Map.Entry<String, Object[]> s : sources.entrySet())
            {
                StoredAddress.bind(ps, 1, Addresses.parse(s.getKey()));
                ps.setString(2, (String)s.getValue()[0]);
                ps.setLong(3, (Long)s.getValue()[1]);
                ps.setString(4, (String)s.getValue()[2]);
                ps.executeUpdate();
            }
            if (!c.getAutoCommit())
            {
                c.commit();
            }
        }
        store.commit();
        return this;
    }

    private void insert(final FlowBatchBuilder b, final org.apache.arrow.vector.types.pojo.Schema schema) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out);
        try (DecodedBatch d = IpcStreams.read(new ByteArrayInputStream(out.toByteArray()), schema, allocator))
        {
            store.insert(d.schema(), d.batches());
        }
    }

    private void insert(final BinBatchBuilder b, final org.apache.arrow.vector.types.pojo.Schema schema) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out);
        try (DecodedBatch d = IpcStreams.read(new ByteArrayInputStream(out.toByteArray()), schema, allocator))
        {
            store.insert(d.schema(), d.batches());
        }
    }

    /** Builds the roll-ups of every dirty day, as the store's writer does when idle. */
    StatsFixture rebuildRollups() throws Exception
    {
        for (final long day : store.dirtyDays())
        {
            store.rebuildRollup(day);
        }
        for (final long month : store.dirtyMonths())
        {
            store.rebuildMonth(month);
        }
        return this;
    }

    StatsContext context()
    {
        return new StatsContext(store, "test attribution");
    }

    /** Parameters of a regional caller from a query string ("a=1&b=2"). */
    /**
     * A real aggregator (HTTP API on 127.0.0.1, no ingest TLS) over a store in {@code dir} holding the
     * API tests' data: sensors th-1 (TH, 256 addresses) and vn-1 (VN, 1024); 192.0.2.1 scanning port 23
     * from both (100 and 40 packets, minute 0), 203.0.113.5 port 80 from vn-1 (10, minute 1), 192.0.2.1
     * attributed to CN / AS4134; a regional token {@code region} and a TH member-state token {@code thai}.
     */
    static io.nightjar.aggregator.Aggregator twoSensorApi(final java.nio.file.Path dir, final String region, final String thai) throws Exception
    {
        try (StatsFixture data = new StatsFixture(dir))
        {
            data.sensor("th-1", "TH", "ไทยเซิร์ต", 256).sensor("vn-1", "VN", "VNCERT/CC", 1024);
            data.flow("th-1", 0, "192.0.2.1", 6, 23, TrafficClass.TCP_SCAN, 100).add()
                .flow("vn-1", 0, "192.0.2.1", 6, 23, TrafficClass.TCP_SCAN, 40).add()
                .flow("vn-1", 1, "203.0.113.5", 6, 80, TrafficClass.TCP_SCAN, 10).add().source("192.0.2.1", "CN", 4134, "CHINANET");
            data.commit();
        }
        final java.net.InetSocketAddress any = new java.net.InetSocketAddress("127.0.0.1", 0);
        final io.nightjar.aggregator.auth.Tokens tokens = io.nightjar.aggregator.auth.Tokens.of(List.of(
            new io.nightjar.aggregator.auth.Tokens.Entry("ASEAN", null, io.nightjar.aggregator.auth.Tokens.sha256(region)),
            new io.nightjar.aggregator.auth.Tokens.Entry("ThaiCERT", "TH", io.nightjar.aggregator.auth.Tokens.sha256(thai))));
        return new io.nightjar.aggregator.Aggregator(io.nightjar.aggregator.Aggregator.Settings.of(any, any, dir, null,
            io.nightjar.aggregator.config.SensorRegistry.of(List.of(new io.nightjar.aggregator.config.SensorEntry("th-1", "TH", "ไทยเซิร์ต", 256),
                new io.nightjar.aggregator.config.SensorEntry("vn-1", "VN", "VNCERT/CC", 1024)))).withTokens(tokens));
    }

    static QueryParams params(final String query, final Set<String> allowed)
    {
        return params(query, allowed, new Principal("region", null));
    }

    /** Parameters of {@code who}'s request from a query string. */
    static QueryParams params(final String query, final Set<String> allowed, final Principal who)
    {
        return new QueryParams(new QueryStringDecoder("/x?" + query).parameters(), allowed, who, null);
    }

    /** The rows of an answer. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(final Map<String, Object> answer)
    {
        return (List<Map<String, Object>>)answer.get("rows");
    }

    /** Minutes after T0 as ISO text, for from/to. */
    static String at(final long minute)
    {
        return Times.iso(T0 + minute * BIN_US);
    }

    @Override
    public void close()
    {
        store.close();
        allocator.close();
    }
}
