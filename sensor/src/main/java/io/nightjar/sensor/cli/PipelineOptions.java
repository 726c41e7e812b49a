package io.nightjar.sensor.cli;

import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import picocli.CommandLine.Option;

import io.nightjar.wire.tls.Units;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options shared by every command that runs the sensor pipeline (darknet, bin length, table
 * limits), as a picocli mixin. Validated once, when the pipeline is built.
 */
public final class PipelineOptions
{
    @Option(names = "--darknet", split = ",", paramLabel = "CIDR",
        description = "Darknet prefixes, IPv4 and IPv6 (comma-separated or repeated). None: every destination is dark.")
    List<String> darknet = new ArrayList<>();

    @Option(names = "--bin", paramLabel = "DURATION", defaultValue = "60s",
        description = "Time-bin length, e.g. 60s, 5m, 1h, 500ms (default: ${DEFAULT-VALUE}). Bins are aligned to multiples of it since the epoch.")
    String bin;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "4000000",
        description = "Most flow records per bin; packets of further keys are counted as flow_table_full (default: ${DEFAULT-VALUE}).")
    int maxFlows;

    @Option(names = "--max-destinations", paramLabel = "N", defaultValue = "16000000",
        description = "Most (flow, destination) pairs per bin for exact distinct counts (default: ${DEFAULT-VALUE}).")
    int maxDestinations;

    /** The darknet. */
    public Darknet darknet()
    {
        try
        {
            return Darknet.parse(darknet);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--darknet: " + ex.getMessage(), ex);
        }
    }

    /** The bin length in ns. */
    public long binNanos()
    {
        return parseDuration("--bin", bin).toNanos();
    }

    /** Builds a pipeline that reports closed bins to {@code listener}. */
    public FlowPipeline pipeline(final BinListener listener)
    {
        if (maxFlows < 1)
        {
            throw new IllegalArgumentException("--max-flows must be positive: " + maxFlows);
        }
        if (maxDestinations < 1)
        {
            throw new IllegalArgumentException("--max-destinations must be positive: " + maxDestinations);
        }
        final long binNanos = binNanos();
        if (binNanos < 1_000_000L)
        {
            throw new IllegalArgumentException("--bin must be at least 1ms: " + bin);
        }
        return new FlowPipeline(darknet(), binNanos, new FlowTable(1 << 16, maxFlows, maxDestinations), listener);
    }

    /**
     * Parses "60s", "5m", "1h", "1d", "500ms", "250us", or an ISO-8601 duration ("PT1M").
     *
     * @throws IllegalArgumentException naming the option.
     */
    public static Duration parseDuration(final String option, final String text)
    {
        return Units.parseDuration(option, text);
    }
}
