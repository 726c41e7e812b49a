package io.nightjar.sensor.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateCommandTest
{
    @TempDir
    Path tmp;

    private static int run(final StringWriter out, final StringWriter err, final String... args)
    {
        final CommandLine cl = new CommandLine(new GenerateCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldWritePcapTruthAndSummary() throws Exception
    {
        final Path pcap = tmp.resolve("g.pcap");
        final Path truth = tmp.resolve("g.json");
        final StringWriter out = new StringWriter();
        final int rc = run(out, new StringWriter(), "--packets", "5000", "--seed", "9", "--out", pcap.toString(), "--truth", truth.toString());
        assertThat(rc).isZero();
        assertThat(out.toString()).startsWith("generate: 5000 packets, ").contains("packets/s").hasLineCount(1);
        final JsonNode json = new ObjectMapper().readTree(truth.toFile());
        assertThat(json.get("packets").asLong()).isEqualTo(5000);
        assertThat(json.get("seed").asLong()).isEqualTo(9);
        assertThat(json.get("classes").size()).isEqualTo(9);
        assertThat(json.get("scanners").get("zmap").get(0).has("src")).isTrue();
        if (Tcpdump.available())
        {
            assertThat(Tcpdump.count(pcap, null)).isEqualTo(5000);
        }
    }

    @Test
    void shouldWriteGzipPcapngIdenticalToThePlainOne() throws Exception
    {
        final Path plain = tmp.resolve("g.pcapng");
        final Path gz = tmp.resolve("g.pcapng.gz");
        assertThat(run(new StringWriter(), new StringWriter(), "--packets", "3000", "--format", "pcapng", "--out", plain.toString())).isZero();
        assertThat(run(new StringWriter(), new StringWriter(), "--packets", "3000", "--format", "pcapng", "--out", gz.toString())).isZero();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz)))
        {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(plain));
        }
        Assumptions.assumeTrue(Tcpdump.available(), "tcpdump not installed");
        assertThat(Tcpdump.count(plain, null)).isEqualTo(3000);
    }

    @Test
    void shouldRejectBadArguments()
    {
        final StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "--packets", "10", "--out", tmp.resolve("x").toString(), "--format", "erf")).isEqualTo(2);
        assertThat(err.toString()).contains("--format");
        assertThat(run(new StringWriter(), new StringWriter(), "--packets", "10", "--out", tmp.resolve("x").toString(),
            "--darknet", "2001:db8::/32")).isEqualTo(2);
        assertThat(run(new StringWriter(), new StringWriter(), "--out", tmp.resolve("x").toString())).isEqualTo(2);
    }
}
