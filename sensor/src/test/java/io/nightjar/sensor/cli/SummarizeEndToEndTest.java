package io.nightjar.sensor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nightjar.sensor.capture.CaptureFiles;
import io.nightjar.sensor.capture.PacketSource;
import io.nightjar.sensor.capture.Pcap4jFileSource;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.generate.GenerateCommand;
import io.nightjar.sensor.summary.RunSummary;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole offline path on generated traffic: the summary equals the generator's own ground truth
 * (an independent expectation), and is identical whatever the container (pcap, pcapng, gzip) and
 * whichever reader (the mapped reader or pcap4j's).
 */
class SummarizeEndToEndTest
{
    private static final String DARKNET = "198.51.100.0/24,2001:db8:dead::/48";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static JsonNode truth;

    @BeforeAll
    static void generate()
    {
        for (final String[] f : new String[][] {{"pcap", "t.pcap"}, {"pcapng", "t.pcapng"}, {"pcap", "t.pcap.gz"}})
        {
            final int rc = new CommandLine(new GenerateCommand()).execute("--packets", "300000", "--seed", "11",
                "--darknet", DARKNET, "--format", f[0], "--out", dir.resolve(f[1]).toString(), "--truth", dir.resolve(f[1] + ".json").toString());
            assertThat(rc).isZero();
        }
        try
        {
            truth = JSON.readTree(dir.resolve("t.pcap.json").toFile());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static Map<String, Object> summarize(final Path file, final Function<Path, PacketSource> opener) throws IOException
    {
        final RunSummary summary = new RunSummary();
        final FlowPipeline pipeline = new FlowPipeline(Darknet.parse(DARKNET), 60_000_000_000L, new FlowTable(1 << 12, 1 << 22, 1 << 24), summary);
        try (PacketSource source = opener.apply(file))
        {
            while (source.read(pipeline, 10_000) >= 0)
            {
                // to the end
            }
            assertThat(source.damage()).isNull();
        }
        pipeline.finish();
        final Map<String, Object> map = SummaryReport.toMap(summary, 20, pipeline.binLengthNanos(), List.of(), 0);
        map.remove("elapsed_seconds");
        return map;
    }

    private static PacketSource fast(final Path p)
    {
        try
        {
            return CaptureFiles.open(p);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static PacketSource pcap4j(final Path p)
    {
        try
        {
            return Pcap4jFileSource.open(p);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldMatchTheGeneratorsGroundTruth() throws IOException
    {
        final Map<String, Object> s = summarize(dir.resolve("t.pcap"), SummarizeEndToEndTest::fast);
        assertThat(s.get("packets")).isEqualTo(truth.get("packets").asLong());
        assertThat(s.get("bytes")).isEqualTo(truth.get("wire_bytes").asLong());
        assertThat(s.get("ipv4")).isEqualTo(truth.get("ipv4_packets").asLong());
        assertThat(s.get("ipv6")).isEqualTo(truth.get("ipv6_packets").asLong());
        final Map<String, Object> classes = (Map<String, Object>)s.get("classes");
        for (final TrafficClass c : TrafficClass.values())
        {
            final long expected = truth.get("classes").get(c.key()).asLong();
            final Object actual = c.isIp() ? classes.get(c.key()) : s.get(c.key());
            assertThat(actual).as(c.key()).isEqualTo(expected);
        }
        // every attributable planted scanner is found, and nothing else is attributed
        final Set<String> expected = new HashSet<>();
        truth.get("scanners").fields().forEachRemaining(e ->
            e.getValue().forEach(src -> {
                if (src.get("attributable").asBoolean())
                {
                    expected.add(src.get("src").asText() + "/" + e.getKey());
                }
            }));
        final Set<String> found = new HashSet<>();
        for (final Map<String, Object> sc : (List<Map<String, Object>>)s.get("scanners"))
        {
            found.add(sc.get("src") + "/" + sc.get("tool"));
        }
        assertThat(expected).as("planted, attributable scanners").isNotEmpty();
        assertThat(found).isEqualTo(expected);
    }

    @Test
    void shouldGiveIdenticalSummariesForPcapPcapngAndGzip() throws IOException
    {
        final Map<String, Object> pcap = summarize(dir.resolve("t.pcap"), SummarizeEndToEndTest::fast);
        assertThat(summarize(dir.resolve("t.pcapng"), SummarizeEndToEndTest::fast)).isEqualTo(pcap);
        assertThat(summarize(dir.resolve("t.pcap.gz"), SummarizeEndToEndTest::fast)).isEqualTo(pcap);
    }

    @Test
    void shouldGiveIdenticalSummariesWithPcap4jAndTheMappedReader() throws IOException
    {
        assertThat(summarize(dir.resolve("t.pcap"), SummarizeEndToEndTest::pcap4j))
            .isEqualTo(summarize(dir.resolve("t.pcap"), SummarizeEndToEndTest::fast));
    }

    @Test
    void shouldPrintTheDocumentedJsonKeysAndWriteFlowsCsv() throws Exception
    {
        final Path csv = dir.resolve("flows.csv");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream old = System.out;
        final int rc;
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            rc = new CommandLine(new SummarizeCommand()).execute("--json", "--quiet", "--darknet", DARKNET, "--flows", csv.toString(),
                dir.resolve("t.pcap").toString());
        }
        finally
        {
            System.setOut(old);
        }
        assertThat(rc).isZero();
        final JsonNode json = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        for (final String key : List.of("packets", "bytes", "malformed", "non_ip", "first_ts", "last_ts", "ipv4", "ipv6", "classes",
            "distinct_sources", "top_ports", "scanners", "flows", "bins"))
        {
            assertThat(json.has(key)).as(key).isTrue();
        }
        for (final String c : List.of("tcp_scan", "backscatter", "udp_probe", "icmp_probe", "tcp_other", "fragment", "other"))
        {
            assertThat(json.get("classes").has(c)).as(c).isTrue();
        }
        assertThat(json.get("top_ports").size()).isEqualTo(20);
        final JsonNode top = json.get("top_ports").get(0);
        assertThat(top.get("proto").asText()).isIn("tcp", "udp");
        final List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo(FlowCsvWriter.HEADER);
        assertThat(lines).hasSize((int)json.get("flows").asLong() + 1);
        final long csvPackets = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[8])).sum();
        final JsonNode classes = json.get("classes");
        long ipPackets = 0;
        for (final String c : List.of("tcp_scan", "backscatter", "udp_probe", "icmp_probe", "tcp_other", "fragment", "other"))
        {
            ipPackets += classes.get(c).asLong();
        }
        assertThat(csvPackets).as("flow packets = darknet IP packets").isEqualTo(ipPackets);
    }

    @Test
    void shouldNameTheBadOptionOrFile()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CommandLine cl = new CommandLine(new SummarizeCommand());
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, c, r) ->
        {
            c.getErr().println(ex.getMessage());
            return 2;
        });
        assertThat(cl.execute("--darknet", "198.51.100.0/33", dir.resolve("t.pcap").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--darknet").contains("198.51.100.0/33");
        err.reset();
        assertThat(cl.execute("--bin", "soon", dir.resolve("t.pcap").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--bin").contains("soon");
        err.reset();
        assertThat(cl.execute(dir.resolve("missing.pcap").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.pcap");
    }
}
