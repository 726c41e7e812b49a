package io.nightjar.aggregator.store;

import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.aggregator.enrich.GeoTestData;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.DecodedBatch;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.arrow.IpcStreams;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code sources} table as the store's writer fills it, with the real geo data. */
class SourceTableTest
{
    private static Enricher geo;
    private final BufferAllocator allocator = new RootAllocator();

    @BeforeAll
    static void loadGeo()
    {
        geo = Enricher.load(GeoTestData.directory());
    }

    @AfterAll
    static void closeGeo()
    {
        geo.close();
    }

    @AfterEach
    void closeAllocator()
    {
        allocator.close();
    }

    private DecodedBatch flows(final String... sources)
    {
        try (FlowBatchBuilder b = new FlowBatchBuilder("s1", allocator))
        {
            int port = 1;
            for (final String src : sources)
            {
                b.add(FlowStoreTest.flow(src, port++, 3, null));
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.writeTo(out);
            return IpcStreams.read(new ByteArrayInputStream(out.toByteArray()), BatchSchemas.FLOWS, allocator);
        }
    }

    /** What the writer does for one group: rows, their new sources, one commit. */
    private static void applyGroup(final FlowStore store, final SourceTable sources, final DecodedBatch batch) throws Exception
    {
        store.insert(batch.schema(), batch.batches());
        sources.attributeNew(batch.batches());
        store.commit();
    }

    /** Rows of {@code sources}: text address, country, asn, as_name, ordered by address bytes. */
    private static List<List<Object>> sourceRows(final FlowStore store) throws Exception
    {
        final List<List<Object>> out = new ArrayList<>();
        try (Connection c = store.openReader(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT src, country, asn, as_name FROM sources ORDER BY src"))
        {
            while (rs.next())
            {
                final byte[] src = StoredAddress.read(rs, 1);
                final List<Object> row = new ArrayList<>();
                row.add(Addresses.toString(Addresses.hi(src), Addresses.lo(src)));
                row.add(rs.getString(2));
                row.add(rs.getBigDecimal(3).longValueExact());
                row.add(rs.getString(4));
                out.add(row);
            }
        }
        return out;
    }

    private static List<Object> expected(final String address, final String country) throws Exception
    {
        final List<String> row = GeoTestData.asnRow(address);
        final List<Object> out = new ArrayList<>();
        out.add(address);
        out.add(country);
        out.add(row == null ? 0L : Long.parseLong(row.get(0)));
        out.add(row == null ? null : row.get(1));
        return out;
    }

    @Test
    void shouldHoldEachSourceOnceWithItsCountryAndAsnAcrossOverlappingBatches(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator);
             DecodedBatch first = flows("1.0.0.1", "8.8.8.8", "8.8.8.8", "2001:200::1");
             DecodedBatch second = flows("8.8.8.8", "10.1.2.3", "1.0.0.1", "9.9.9.9", "10.1.2.3"))
        {
            final SourceTable sources = new SourceTable(store, geo, 1000);
            applyGroup(store, sources, first);
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources")).isEqualTo(3);
            applyGroup(store, sources, second);
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM flows")).isEqualTo(9);
            assertThat(sourceRows(store)).containsExactlyInAnyOrder(
                expected("1.0.0.1", "AU"),
                expected("8.8.8.8", "US"),
                expected("9.9.9.9", geo.country(Addresses.parse("9.9.9.9"))),
                expected("10.1.2.3", null),
                expected("2001:200::1", "JP"));
            assertThat(sourceRows(store)).filteredOn(r -> r.get(0).equals("8.8.8.8"))
                .containsExactly(List.of("8.8.8.8", "US", 15169L, "Google LLC"));
            assertThat(sources.attributed()).isEqualTo(5);
            assertThat(sources.storedVersion()).isEqualTo(geo.version());
        }
    }

    @Test
    void twoLanesBringingTheSameNewSourcesAtOnceCommitBothAndTheFirstLaneStoresEachSourceOnce(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); FlowStore lane = store.lane();
             DecodedBatch first = flows("1.0.0.1", "8.8.8.8");
             DecodedBatch other = flows("8.8.8.8", "9.9.9.9", "2001:200::1"))
        {
            final SourceTable sources = new SourceTable(store, geo, 1000);
            final SourceTable laneSources = SourceTable.lane(lane, geo);
            // both transactions hold 8.8.8.8 as new at once: neither may fail at commit
            store.insert(first.schema(), first.batches());
            sources.attributeNew(first.batches());
            lane.insert(other.schema(), other.batches());
            assertThat(laneSources.attributeNew(other.batches())).isEqualTo(3);
            lane.commit();
            store.commit();
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources")).isEqualTo(2);
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources_pending")).isEqualTo(3);
            store.absorbLanes(sources);
            store.commit();
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources_pending")).isZero();
            assertThat(sourceRows(store)).containsExactlyInAnyOrder(
                expected("1.0.0.1", "AU"),
                expected("8.8.8.8", "US"),
                expected("9.9.9.9", geo.country(Addresses.parse("9.9.9.9"))),
                expected("2001:200::1", "JP"));
            assertThatThrownBy(() -> new SourceTable(lane, geo, 1000)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SourceTable.lane(store, geo)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldNotDuplicateSourcesTheBoundedKnownSetForgot(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flows("1.0.0.1", "8.8.8.8"))
        {
            final SourceTable sources = new SourceTable(store, geo, 1000);
            applyGroup(store, sources, batch);
            sources.rolledBack(); // forgets every known source, as when the set fills up
            applyGroup(store, sources, batch);
            assertThat(sources.attributed()).isEqualTo(4);
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources")).isEqualTo(2);
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM flows")).isEqualTo(4);
        }
    }

    @Test
    void shouldRollBackNewSourcesTogetherWithTheirRows(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flows("1.0.0.1", "2001:200::1"))
        {
            final SourceTable sources = new SourceTable(store, geo, 1000);
            store.insert(batch.schema(), batch.batches());
            assertThat(sources.attributeNew(batch.batches())).isEqualTo(2);
            store.rollback();
            sources.rolledBack();
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources")).isZero();
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM flows")).isZero();
            applyGroup(store, sources, batch);
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources")).isEqualTo(2);
        }
    }

    @Test
    void shouldReattributeStoredSourcesWhenStartedWithOtherGeoDataAndResumeAfterARestart(@TempDir final Path dir) throws Exception
    {
        final String[] addresses = {"1.0.0.1", "8.8.8.8", "9.9.9.9", "10.1.2.3", "2001:200::1"};
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flows(addresses))
        {
            final SourceTable none = new SourceTable(store, Enricher.none(), 2);
            applyGroup(store, none, batch);
            assertThat(sourceRows(store)).allSatisfy(r -> assertThat(r.subList(1, 4)).containsExactly(null, 0L, null));
            assertThat(none.storedVersion()).isEqualTo(Enricher.none().version());
        }
        try (FlowStore store = FlowStore.open(dir, allocator))
        {
            final SourceTable sources = new SourceTable(store, geo, 2);
            assertThat(sources.reattributing()).isTrue();
            assertThat(sources.storedVersion()).isNull();
            assertThat(sources.reattributeStep()).isEqualTo(2);
            // stopped here: two of five done, the position committed
        }
        try (FlowStore store = FlowStore.open(dir, allocator))
        {
            assertThat(FlowStoreTest.count(store, "SELECT count(*) FROM sources WHERE country IS NOT NULL")).isEqualTo(2);
            final SourceTable sources = new SourceTable(store, geo, 2);
            assertThat(sources.reattributing()).isTrue();
            int steps = 0;
            while (sources.reattributing())
            {
                sources.reattributeStep();
                steps++;
            }
            assertThat(steps).isEqualTo(2); // 2 + 1 left after the restart, not all 5 again
            final List<List<Object>> want = new ArrayList<>();
            for (final String a : addresses)
            {
                want.add(expected(a, geo.country(Addresses.parse(a))));
            }
            assertThat(sourceRows(store)).containsExactlyInAnyOrderElementsOf(want);
            assertThat(sourceRows(store)).filteredOn(r -> r.get(0).equals("1.0.0.1")).containsExactly(List.of("1.0.0.1", "AU", 13335L, "Cloudflare, Inc."));
            assertThat(sources.storedVersion()).isEqualTo(geo.version());
        }
        try (FlowStore store = FlowStore.open(dir, allocator))
        {
            assertThat(new SourceTable(store, geo, 2).reattributing()).isFalse();
        }
    }

    @Test
    void shouldKeepStoredAttributionWhenStartedWithoutGeoDataAndAttributeTheNewSourcesOnceTheDataIsBack(@TempDir final Path dir) throws Exception
    {
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flows("8.8.8.8"))
        {
            applyGroup(store, new SourceTable(store, geo, 1000), batch);
        }
        try (FlowStore store = FlowStore.open(dir, allocator); DecodedBatch batch = flows("1.0.0.1"))
        {
            final SourceTable none = new SourceTable(store, Enricher.none(), 1000);
            assertThat(none.reattributing()).isFalse();
            applyGroup(store, none, batch);
            assertThat(sourceRows(store)).containsExactlyInAnyOrder(expected("8.8.8.8", "US"), java.util.Arrays.asList("1.0.0.1", null, 0L, null));
        }
        try (FlowStore store = FlowStore.open(dir, allocator))
        {
            final SourceTable sources = new SourceTable(store, geo, 1000);
            assertThat(sources.reattributing()).isTrue();
            while (sources.reattributing())
            {
                sources.reattributeStep();
            }
            assertThat(sourceRows(store)).containsExactlyInAnyOrder(expected("8.8.8.8", "US"), expected("1.0.0.1", "AU"));
        }
    }
}
