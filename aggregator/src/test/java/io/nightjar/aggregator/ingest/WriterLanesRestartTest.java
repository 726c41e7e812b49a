package io.nightjar.aggregator.ingest;

import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.store.FlowStore;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What another writer lane committed before the aggregator stopped (its dirty-day marks and pending
 * sources) is absorbed by the first lane after a restart, with no new batch to prompt it.
 */
class WriterLanesRestartTest
{
    private static long count(final Aggregator agg, final String sql) throws Exception
    {
        try (Connection c = agg.store().openReader(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void marksAndPendingSourcesLeftByAStoppedLaneAreAbsorbedAfterARestart(@TempDir final Path dir) throws Exception
    {
        try (RootAllocator allocator = new RootAllocator(); FlowStore store = FlowStore.open(dir, allocator);
             Connection c = store.openReader(); Statement st = c.createStatement())
        {
            c.setAutoCommit(true);
            // as a lane after the first leaves them: committed with its rows, not yet moved
            st.execute("INSERT INTO rollup_marks VALUES (DATE '2024-06-01'), (DATE '2024-06-01')");
            st.execute("INSERT INTO sources_pending VALUES (3221225985, 'JP', 2500, 'WIDE'),"
                + " (3221225985, 'JP', 2500, 'WIDE'), (281473902969345, NULL, 0, NULL)");
        }
        try (RootAllocator allocator = new RootAllocator(); FlowStore store = FlowStore.open(dir, allocator);
             Connection c = store.openReader(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM rollup_marks), (SELECT count(*) FROM sources_pending)"))
        {
            rs.next();
            assertThat(rs.getLong(1)).as("marks left after a stop").isEqualTo(2);
            assertThat(rs.getLong(2)).as("pending sources left after a stop").isEqualTo(3);
        }
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        try (Aggregator agg = new Aggregator(Aggregator.Settings.of(any, null, dir, null, SensorRegistry.open()).withStoreWriters(2)))
        {
            assertThat(agg.writer().lanes()).isEqualTo(2);
            assertThat(agg.writer().awaitRollups(30, TimeUnit.SECONDS)).isTrue();
            assertThat(count(agg, "SELECT count(*) FROM rollup_marks")).isZero();
            assertThat(count(agg, "SELECT count(*) FROM sources_pending")).isZero();
            assertThat(count(agg, "SELECT count(*) FROM sources")).as("each pending source once").isEqualTo(2);
            assertThat(count(agg, "SELECT count(*) FROM sources WHERE src = 3221225985 AND country = 'JP' AND asn = 2500")).isEqualTo(1);
            // the marked day was rebuilt (it has no records: an empty roll-up, but clean)
            assertThat(count(agg, "SELECT count(*) FROM rollup_days WHERE day = DATE '2024-06-01' AND NOT dirty")).isEqualTo(1);
        }
    }
}
