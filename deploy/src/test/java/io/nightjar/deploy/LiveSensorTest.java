package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.sensor.live.VethPair;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sensor as an operator runs it: a separate process capturing a real interface (a veth pair in a
 * network namespace of the test's), shipping over mutual TLS to a real aggregator, serving
 * Prometheus metrics and readiness; then SIGTERM. The open bin must reach the aggregator before the
 * process exits, with the same counts as the replayed capture read from its file.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LiveSensorTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int PACKETS = 20_000;

    @Test
    void aLiveSensorStoppedBySigtermDeliversItsOpenBinAndServesMetrics(@TempDir final Path dir) throws Exception
    {
        final String reason = VethPair.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        final Path pki = TestPki.network();
        final Path capture = Fixtures.generate(dir, "live.pcap", 31, PACKETS, 1000);
        final JsonNode offline = Fixtures.summarize(capture, "10s");
        final int metricsPort = Fixtures.freePort();
        try (VethPair veth = VethPair.create();
             Aggregator agg = ShippingRoundTripTest.startAggregator(dir.resolve("agg"), pki, List.of("s4"));
             NightjarProcess sensor = NightjarProcess.start(dir.resolve("sensor.log"),
                 ShippingRoundTripTest.sensorArgs(pki, "s4", dir.resolve("spool"), agg.ingestAddress(), "--interface",
                     veth.captureInterface(), "--metrics", "127.0.0.1:" + metricsPort, "--summary",
                     dir.resolve("summary.json").toString())))
        {
            final InetSocketAddress metrics = new InetSocketAddress("127.0.0.1", metricsPort);
            awaitStatus(metrics, "/readyz", 200, sensor);
            assertThat(veth.replay(capture, 20_000)).isEqualTo(PACKETS);
            awaitMetric(metrics, "nightjar_sensor_capture_packets_total", PACKETS, sensor);
            // ps_recv is libpcap's counter as last read (at most every 100 ms, and on a silent
            // interface once the sensor wakes the capture thread), so it may trail the packets
            // already captured for a moment: wait for it too
            awaitMetric(metrics, "nightjar_sensor_capture_received_total", PACKETS, sensor);

            final Map<String, Double> m = scrape(metrics);
            assertThat(m).containsKeys("nightjar_sensor_capture_kernel_drops_total", "nightjar_sensor_spool_bytes",
                "nightjar_sensor_batches_sent_total", "nightjar_sensor_ack_latency_seconds_count", "nightjar_sensor_flow_table_flows");
            assertThat(m.get("nightjar_sensor_capture_received_total")).isEqualTo(PACKETS);
            assertThat(m.get("nightjar_sensor_flow_table_flows")).as("flows in the open bin").isPositive();
            assertThat(get(metrics, "/healthz").statusCode()).isEqualTo(200);

            // SIGTERM: the open bin goes into the spool and to the aggregator before the process ends
            sensor.terminate();
            assertThat(sensor.waitFor(Duration.ofSeconds(30))).as(sensor.output()).isEqualTo(143);
            assertThat(sensor.output()).contains("stopping (signal)").contains("every record acknowledged");
            final JsonNode stored = Fixtures.totals(agg.httpAddress(), "").path("sensors").path("s4");
            for (final String key : List.of("packets", "bytes", "malformed", "non_ip", "ipv4", "ipv6", "classes", "class_bytes",
                "distinct_sources"))
            {
                assertThat(stored.get(key)).as(key).isEqualTo(offline.get(key));
            }
            final JsonNode summary = Fixtures.JSON.readTree(dir.resolve("summary.json").toFile());
            assertThat(summary.path("packets").asLong()).isEqualTo(PACKETS);
            assertThat(summary.path("classes")).isEqualTo(offline.path("classes"));
        }
    }

    private static HttpResponse<String> get(final InetSocketAddress at, final String path) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** Samples without labels by name, and labelled ones summed by family (Prometheus text format). */
    private static Map<String, Double> scrape(final InetSocketAddress at) throws Exception
    {
        final HttpResponse<String> res = get(at, "/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : res.body().split("\n"))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            final String key = line.substring(0, space);
            final String name = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
            samples.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
        }
        return samples;
    }

    private static void awaitStatus(final InetSocketAddress at, final String path, final int status, final NightjarProcess p) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            assertThat(p.isAlive()).as(p.output()).isTrue();
            try
            {
                if (get(at, path).statusCode() == status)
                {
                    return;
                }
            }
            catch (final java.io.IOException ex)
            {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " never answered " + status + "; log:\n" + p.output());
    }

    private static void awaitMetric(final InetSocketAddress at, final String name, final double value, final NightjarProcess p)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double last = -1;
        while (System.nanoTime() < deadline)
        {
            last = scrape(at).getOrDefault(name, -1.0);
            if (last >= value)
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " reached only " + last + "; log:\n" + p.output());
    }
}
