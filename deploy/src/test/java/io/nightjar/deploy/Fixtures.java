package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared steps of the shipping tests: make captures, summarise them, read the aggregator's totals, compare. */
final class Fixtures
{
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The counts a sensor's summary and the aggregator's stored totals must agree on exactly. */
    static final List<String> COUNT_KEYS = List.of("packets", "bytes", "malformed", "non_ip", "ipv4", "ipv6", "classes", "class_bytes",
        "anomalies", "distinct_sources", "flows", "bins", "capture_received", "capture_kernel_drops", "capture_interface_drops",
        "capture_ring_drops", "capture_drops");

    private Fixtures()
    {
    }

    /** A deterministic capture of {@code packets} packets spread at {@code rate} packets/s. */
    static Path generate(final Path dir, final String name, final long seed, final int packets, final int rate)
    {
        return generate(dir, name, seed, packets, rate, java.time.Instant.parse("2024-06-01T00:00:00Z"));
    }

    /** The same, with the first packet at {@code start}. */
    static Path generate(final Path dir, final String name, final long seed, final int packets, final int rate, final java.time.Instant start)
    {
        final Path out = dir.resolve(name);
        final int rc = Nightjar.commandLine().execute("generate", "--packets", Integer.toString(packets), "--seed", Long.toString(seed),
            "--rate", Integer.toString(rate), "--start", start.toString(), "--out", out.toString());
        assertThat(rc).as("generate exit code").isZero();
        return out;
    }

    /** {@code nightjar summarize FILE --json --bin BIN}, in process. */
    static synchronized JsonNode summarize(final Path capture, final String bin) throws IOException
    {
        final PrintStream saved = System.out;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream capture2 = new PrintStream(out, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture2);
            final int rc = Nightjar.commandLine().execute("summarize", capture.toString(), "--json", "--bin", bin);
            assertThat(rc).as("summarize exit code").isZero();
        }
        finally
        {
            System.setOut(saved);
        }
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    /** GET {@code /api/v1/totals?query}. */
    static JsonNode totals(final InetSocketAddress http, final String query) throws IOException, InterruptedException
    {
        final HttpResponse<String> res = get(http, "/api/v1/totals" + (query.isEmpty() ? "" : "?" + query));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return JSON.readTree(res.body());
    }

    static HttpResponse<String> get(final InetSocketAddress http, final String pathAndQuery) throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + http.getHostString() + ":" + http.getPort() + pathAndQuery))
            .header("Authorization", "Bearer " + TEST_TOKEN).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The regional API token the tests' aggregators accept. */
    static final String TEST_TOKEN = "nj_test-token-for-loopback-aggregators";

    /** Tokens holding {@link #TEST_TOKEN}, for in-process aggregators. */
    static io.nightjar.aggregator.auth.Tokens tokens()
    {
        return io.nightjar.aggregator.auth.Tokens.of(java.util.List.of(
            new io.nightjar.aggregator.auth.Tokens.Entry("tests", null, io.nightjar.aggregator.auth.Tokens.sha256(TEST_TOKEN))));
    }

    /** A token file holding {@link #TEST_TOKEN}'s hash in {@code dir}, for aggregator processes ({@code --tokens}). */
    static java.nio.file.Path tokenFile(final java.nio.file.Path dir) throws IOException
    {
        final java.nio.file.Path f = dir.resolve("tokens.yaml");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(f, "tokens:\n  - organisation: tests\n    sha256: " + io.nightjar.aggregator.auth.Tokens.sha256(TEST_TOKEN) + "\n");
        return f;
    }

    /** Stored flow records of {@code sensor} right now, or -1 if the aggregator does not answer. */
    static long storedFlows(final InetSocketAddress http, final String sensor)
    {
        try
        {
            final JsonNode s = totals(http, "sensor=" + sensor).path("sensors").path(sensor);
            return s.path("flows").asLong(0);
        }
        catch (final IOException | InterruptedException | AssertionError ex)
        {
            return -1;
        }
    }

    /** Asserts that the stored totals equal the sensor's own summary on every count. */
    static void assertSameCounts(final JsonNode summary, final JsonNode stored)
    {
        for (final String key : COUNT_KEYS)
        {
            assertThat(stored.get(key)).as(key).isEqualTo(summary.get(key));
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }
}
