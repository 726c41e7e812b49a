package io.nightjar.sensor.cli;

import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.summary.EventSummary;
import io.nightjar.sensor.summary.RunSummary;
import io.nightjar.sensor.summary.SummaryAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code nightjar summarize FILE...}: runs the sensor's pipeline over capture files in one process
 * and prints what arrived: classes, sources, top ports, scanner tools, anomalies.
 */
@Command(name = "summarize", mixinStandardHelpOptions = true,
    description = {
        "Summarise capture files (pcap/pcapng, plain or .gz) with the sensor's pipeline: decode, classify, flow bins.",
        "Prints tables, or JSON with --json; --flows writes every flow record as CSV.",
        "Also finds scan events (Merit ORION's definition) and spoofed DoS attacks from backscatter (CAIDA RSDoS / Moore et al.);",
        "scan rates are scaled by 2^32 / the IPv4 addresses of --darknet."})
public final class SummarizeCommand implements Callable<Integer>
{
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Capture files, read in the order given.")
    List<Path> files;

    @Mixin
    PipelineOptions pipeline = new PipelineOptions();

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Option(names = "--flows", paramLabel = "OUT.csv", description = "Also write every flow record to this CSV file.")
    Path flowsCsv;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20", description = "Rows of the top-ports table (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception
    {
        if (json)
        {
            // link the JSON writer on the spare core while the capture is read
            final Thread warmUp = new Thread(SummaryReport::warmUpJson, "nightjar-json-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        }
        // the darknet's IPv4 size scales scan rates; without IPv4 prefixes every IPv4 destination is dark (or none is)
        final long darknetV4 = pipeline.darknet().ipv4AddressCount();
        final RunSummary summary = new RunSummary(EventSummary.withDefaults(darknetV4 > 0 ? darknetV4 : 1L << 32));
        FlowCsvWriter csv = null;
        // the summary counts closed bins on its own thread while the pipeline fills the next one
        final SummaryAgent agent = new SummaryAgent(summary);
        try
        {
            BinListener listener = agent;
            if (flowsCsv != null)
            {
                csv = new FlowCsvWriter(flowsCsv);
                final FlowCsvWriter w = csv;
                listener = (final long s, final long l, final BinCounters c, final FlowTable t) ->
                {
                    agent.onBinClosed(s, l, c, t);
                    w.onBinClosed(s, l, c, t);
                };
            }
            final FlowPipeline p = pipeline.pipeline(listener);
            final OfflineReplay replay = new OfflineReplay(quiet ? null : System.err);
            replay.run(files, p);
            agent.close();
            final Map<String, Object> map = SummaryReport.toMap(summary, top, p.binLengthNanos(), replay.damage(), replay.elapsedNanos());
            if (json)
            {
                SummaryReport.printJson(map, System.out);
            }
            else
            {
                SummaryReport.printTables(map, System.out);
            }
            if (!quiet)
            {
                final double seconds = replay.elapsedNanos() / 1e9;
                System.err.printf("summarize: %,d packets from %d file(s) in %.2f s (%.2fM packets/s)%s%n",
                    summary.packets(), files.size(), seconds, summary.packets() / Math.max(seconds, 1e-9) / 1e6,
                    replay.damage().isEmpty() ? "" : ", " + replay.damage().size() + " damaged file(s)");
            }
            return 0;
        }
        finally
        {
            agent.close();
            if (csv != null)
            {
                csv.close();
            }
        }
    }
}
