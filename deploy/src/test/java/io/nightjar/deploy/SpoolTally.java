package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.sensor.spool.SpoolFormat;
import io.nightjar.sensor.spool.SpoolReader;
import io.nightjar.wire.schema.FlowRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a sensor's spool holds, read from outside the sensor once it has exited: bins, flow records,
 * and the packets, bytes and distinct sources of them, to compare with what the aggregator stored.
 *
 * @param bins            bin summaries in the spool.
 * @param flows           flow records in the spool.
 * @param packets         packets of the bin summaries.
 * @param bytes           wire bytes of the bin summaries.
 * @param distinctSources distinct source addresses of the flow records.
 */
record SpoolTally(long bins, long flows, long packets, long bytes, long distinctSources)
{
    /** Reads every document of the spool in {@code dir} (an absent spool holds nothing). */
    static SpoolTally of(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return new SpoolTally(0, 0, 0, 0, 0);
        }
        long bins = 0;
        long flows = 0;
        long packets = 0;
        long bytes = 0;
        final Set<String> sources = new HashSet<>();
        try (SpoolReader reader = new SpoolReader(dir))
        {
            SpoolFormat.Document d;
            while ((d = reader.next()) != null)
            {
                if (d.type() == SpoolFormat.TYPE_BIN)
                {
                    bins++;
                    packets += d.bin().packets();
                    bytes += d.bin().bytes();
                }
                else
                {
                    for (final FlowRecord r : d.flows())
                    {
                        flows++;
                        sources.add(HexFormat.of().formatHex(r.src()));
                    }
                }
            }
        }
        return new SpoolTally(bins, flows, packets, bytes, sources.size());
    }

    /** Asserts that {@code stored} (a sensor's entry of {@code /api/v1/totals}) holds exactly this spool's records. */
    void assertStoredExactly(final String sensor, final JsonNode stored)
    {
        assertThat(stored.path("bins").asLong(0)).as("%s: stored bins = spooled bins", sensor).isEqualTo(bins);
        assertThat(stored.path("flows").asLong(0)).as("%s: stored flow records = spooled flow records", sensor).isEqualTo(flows);
        assertThat(stored.path("packets").asLong(0)).as("%s: stored packets = spooled packets", sensor).isEqualTo(packets);
        assertThat(stored.path("bytes").asLong(0)).as("%s: stored bytes = spooled bytes", sensor).isEqualTo(bytes);
        assertThat(stored.path("distinct_sources").asLong(0)).as("%s: stored distinct sources", sensor).isEqualTo(distinctSources);
    }
}
