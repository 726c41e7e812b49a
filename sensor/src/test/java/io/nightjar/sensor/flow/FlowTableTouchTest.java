package io.nightjar.sensor.flow;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The loads that {@link FlowPipeline} issues ahead of a batch stay inside the table at every fill level. */
class FlowTableTouchTest
{
    private static final long V4 = 0x0000_ffff_0000_0000L;

    @Test
    void shouldTouchRowsOfKnownAndNewFlowsUpToTheLastRowWithoutChangingTheTable()
    {
        // 16 rows before the first growth, 20 flows at most: new keys are touched past the rows there are
        final FlowTable table = new FlowTable(16, 20, 1000);
        final SplittableRandom random = new SplittableRandom(11);
        final long meta = FlowTable.meta(6, 23, 0, 0);
        for (int flows = 0; flows < 25; flows++)
        {
            final int[] hashes = new int[32];
            for (int i = 0; i < hashes.length; i++)
            {
                // known flows, keys not in the table, and 0 (a packet that updates no flow)
                final long src = i % 3 == 0 && flows > 0 ? random.nextInt(flows) : 1000 + random.nextInt(1 << 20);
                hashes[i] = i % 7 == 6 ? 0 : FlowTable.flowHash(0, V4 | src, meta, false, 0);
            }
            for (int i = 0; i < hashes.length; i++)
            {
                table.touchIndex(hashes[i]);
            }
            table.touchRows(hashes, hashes.length);
            assertThat(table.size()).isEqualTo(Math.min(flows, 20));
            assertThat(table.findOrCreate(0, V4 | flows, meta, false, 0, 0)).isEqualTo(flows < 20 ? flows : -1);
        }
        for (int ordinal = 0; ordinal < 20; ordinal++)
        {
            assertThat(table.srcLo(ordinal)).isEqualTo(V4 | ordinal);
        }
    }
}
