package io.nightjar.sensor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nightjar.sensor.generate.GenerateCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code nightjar summarize --json} on generated traffic finds the scanners and DoS victims the
 * generator planted (its ground truth is the independent expectation): every heavy horizontal
 * scanner has scan events, every planted victim with enough backscatter has DoS attacks, and no
 * attack names anything but a planted victim.
 */
class SummarizeEventsEndToEndTest
{
    private static final String DARKNET = "198.51.100.0/24,2001:db8:dead::/48";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static JsonNode truth;
    static JsonNode summary;
    static String text;

    @BeforeAll
    static void generateAndSummarize() throws IOException
    {
        // 600k packets at the generator's 3000/s: 200 s of traffic, four 60-s bins
        final Path capture = dir.resolve("t.pcap");
        final int rc = new CommandLine(new GenerateCommand()).execute("--packets", "600000", "--seed", "5",
            "--darknet", DARKNET, "--out", capture.toString(), "--truth", dir.resolve("t.json").toString());
        assertThat(rc).isZero();
        truth = JSON.readTree(dir.resolve("t.json").toFile());
        summary = JSON.readTree(run("--json", "--quiet", "--darknet", DARKNET, capture.toString()));
        text = run("--quiet", "--darknet", DARKNET, capture.toString());
        java.nio.file.Files.writeString(Path.of("/tmp/events-e2e.txt"), text + run("--json", "--quiet", "--darknet", DARKNET, capture.toString()));
    }

    private static String run(final String... args)
    {
        final PrintStream out = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertThat(new CommandLine(new SummarizeCommand()).execute(args)).isZero();
        }
        finally
        {
            System.setOut(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldFindEveryPlantedHeavyScannerInScanEvents()
    {
        assertThat(summary.get("darknet_ipv4_addresses").asLong()).isEqualTo(256);
        final Map<String, Long> eventPackets = new HashMap<>();
        for (final JsonNode e : summary.get("scan_events"))
        {
            assertThat(e.get("destinations").asLong()).isGreaterThanOrEqualTo(10);
            assertThat(e.get("end").decimalValue()).isGreaterThanOrEqualTo(e.get("start").decimalValue());
            if (e.get("rate").isNumber())
            {
                assertThat(e.get("rate").asDouble()).isGreaterThanOrEqualTo(10.0);
                assertThat(e.get("coverage").asDouble()).isEqualTo(e.get("destinations").asDouble() / 256);
            }
            eventPackets.merge(e.get("src").asText(), e.get("packets").asLong(), Long::sum);
        }
        final JsonNode heavy = truth.get("heavy_scanners");
        assertThat(heavy).isNotEmpty();
        for (final JsonNode h : heavy)
        {
            final String src = h.get("src").asText();
            assertThat(eventPackets).as("scan events of heavy scanner %s", src).containsKey(src);
            // the events hold its SYNs (not more than it sent, and nearly all: every port it scans is busy)
            assertThat(eventPackets.get(src)).isLessThanOrEqualTo(h.get("packets").asLong())
                .isGreaterThanOrEqualTo(h.get("packets").asLong() * 9 / 10);
        }
    }

    @Test
    void shouldAttributeScanEventsOfPlantedToolSourcesToTheirTool()
    {
        final Map<String, String> planted = new HashMap<>();
        truth.get("scanners").fields().forEachRemaining(t -> t.getValue().forEach(s -> planted.put(s.get("src").asText(), t.getKey())));
        int attributed = 0;
        for (final JsonNode e : summary.get("scan_events"))
        {
            if (!e.get("tool").isNull())
            {
                attributed++;
                assertThat(planted.get(e.get("src").asText())).as("tool of %s", e.get("src").asText()).isEqualTo(e.get("tool").asText());
            }
        }
        assertThat(attributed).isPositive();
    }

    @Test
    void shouldFindThePlantedDosVictimsAndNothingElse()
    {
        final Map<String, Long> planted = new HashMap<>();
        for (final JsonNode v : truth.get("backscatter_victims"))
        {
            planted.put(v.get("src").asText(), v.get("packets").asLong());
        }
        final Map<String, Long> found = new HashMap<>();
        for (final JsonNode a : summary.get("dos_attacks"))
        {
            final String victim = a.get("victim").asText();
            assertThat(planted).as("attack on %s", victim).containsKey(victim);
            assertThat(a.get("packets").asLong()).isGreaterThanOrEqualTo(25);
            assertThat(a.get("end").decimalValue().subtract(a.get("start").decimalValue()).doubleValue()).isGreaterThanOrEqualTo(60.0);
            assertThat(a.get("peak_window_packets").asLong()).isGreaterThanOrEqualTo(30);
            assertThat(a.get("peak_rate").asDouble()).isEqualTo(a.get("peak_window_packets").asDouble() / 60);
            assertThat(a.get("attacker_slash16").asLong()).as("one /24 darknet: one /16").isEqualTo(1);
            found.merge(victim, a.get("packets").asLong(), Long::sum);
        }
        final Set<String> heavy = new HashSet<>();
        planted.forEach((v, packets) ->
        {
            if (packets >= 200)
            {
                heavy.add(v);
            }
        });
        assertThat(heavy).isNotEmpty();
        assertThat(found.keySet()).containsAll(heavy);
        found.forEach((v, packets) -> assertThat(packets).as("backscatter of %s", v).isLessThanOrEqualTo(planted.get(v)));
    }

    @Test
    void shouldPrintBothSectionsInTheTextReport()
    {
        assertThat(text).contains("Scan events (" + summary.get("scan_events").size() + ":")
            .contains("DoS attacks from backscatter (" + summary.get("dos_attacks").size() + ":");
    }
}
