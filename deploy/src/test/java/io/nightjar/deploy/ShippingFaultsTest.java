package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shipping under faults, each ending with exact totals (nothing lost, nothing counted twice):
 * the aggregator down at sensor start and then killed with SIGKILL and restarted several times
 * mid-stream; a sensor killed mid-stream and restarted; connections cut mid-stream.
 */
class ShippingFaultsTest
{
    @TempDir
    static Path shared;
    static Path capture;
    static JsonNode summary;
    static long totalFlows;

    @BeforeAll
    static void capture() throws Exception
    {
        capture = Fixtures.generate(shared, "long.pcap", 21, 150_000, 1500);
        summary = Fixtures.summarize(capture, "10s");
        totalFlows = summary.path("flows").asLong();
    }

    private static String[] aggregatorArgs(final Path pki, final Path data, final int port, final int http) throws java.io.IOException
    {
        return new String[] {"aggregator", "--listen", "127.0.0.1:" + port, "--http", "127.0.0.1:" + http, "--data", data.toString(),
            "--cert", pki.resolve("aggregator.pem").toString(), "--key", pki.resolve("aggregator.key").toString(),
            "--ca", pki.resolve("ca.pem").toString(), "--tokens", Fixtures.tokenFile(pki).toString()};
    }

    /** Waits until the stored flows of {@code sensor} pass {@code above} (or the sensor exits); returns them. */
    private static long awaitStoredAbove(final InetSocketAddress http, final String sensor, final long above, final NightjarProcess sensorProcess)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && sensorProcess.isAlive())
        {
            final long n = Fixtures.storedFlows(http, sensor);
            if (n > above)
            {
                return n;
            }
            Thread.sleep(20);
        }
        return Fixtures.storedFlows(http, sensor);
    }

    @Test
    void anAggregatorStoppedBySigtermMidStreamHasStoredEverythingItAcknowledged(@TempDir final Path dir) throws Exception
    {
        final Path pki = TestPki.network();
        final int port = Fixtures.freePort();
        final int httpPort = Fixtures.freePort();
        final InetSocketAddress http = new InetSocketAddress("127.0.0.1", httpPort);
        final Path spool = dir.resolve("spool");
        try (NightjarProcess sensor = NightjarProcess.start(dir.resolve("sensor.log"),
            ShippingRoundTripTest.sensorArgs(pki, "s1", spool, new InetSocketAddress("127.0.0.1", port),
                "--read", capture.toString(), "--batch-rows", "100", "--deadline", "3m")))
        {
            NightjarProcess agg = NightjarProcess.start(dir.resolve("agg-0.log"), aggregatorArgs(pki, dir.resolve("agg"), port, httpPort));
            final long storedBefore = awaitStoredAbove(http, "s1", 0, sensor);
            agg.terminate();
            final int code = agg.waitFor(Duration.ofSeconds(30));
            assertThat(code).as("exit code on SIGTERM; log:%n%s", agg.output()).isIn(0, 143);
            assertThat(agg.output()).contains("stopping (signal)").contains("aggregator stopped");
            // what the sensor holds as acknowledged when the aggregator is gone must all be in the store
            final long acknowledged = io.nightjar.sensor.spool.ShipMark.load(spool).acknowledgedSequence();
            agg = NightjarProcess.start(dir.resolve("agg-1.log"), aggregatorArgs(pki, dir.resolve("agg"), port, httpPort));
            try
            {
                while (Fixtures.storedFlows(http, "s1") < 0)
                {
                    Thread.sleep(50);
                }
                final long storedSequence = Fixtures.totals(http, "sensor=s1").path("sensors").path("s1").path("sequence").asLong();
                assertThat(storedFlowsAtLeast(storedBefore, http)).isTrue();
                assertThat(storedSequence).as("stored sequence after the restart vs the sensor's acknowledged %d", acknowledged)
                    .isGreaterThanOrEqualTo(acknowledged).isPositive();
                assertThat(sensor.waitFor(Duration.ofMinutes(3))).as(sensor.output()).isZero();
                Fixtures.assertSameCounts(summary, Fixtures.totals(http, "sensor=s1").path("sensors").path("s1"));
            }
            finally
            {
                agg.close();
            }
        }
    }

    private static boolean storedFlowsAtLeast(final long flows, final InetSocketAddress http)
    {
        return Fixtures.storedFlows(http, "s1") >= flows;
    }

    @Test
    void aggregatorDownAtStartThenKilledAndRestartedRepeatedlyLosesAndRepeatsNothing(@TempDir final Path dir) throws Exception
    {
        final Path pki = TestPki.network();
        final int port = Fixtures.freePort();
        final int httpPort = Fixtures.freePort();
        final InetSocketAddress http = new InetSocketAddress("127.0.0.1", httpPort);
        final List<Long> storedAtKill = new ArrayList<>();
        try (NightjarProcess sensor = NightjarProcess.start(dir.resolve("sensor.log"),
            ShippingRoundTripTest.sensorArgs(pki, "s1", dir.resolve("spool"), new InetSocketAddress("127.0.0.1", port),
                "--read", capture.toString(), "--batch-rows", "100", "--deadline", "3m")))
        {
            Thread.sleep(1500); // the sensor starts while no aggregator listens
            NightjarProcess agg = NightjarProcess.start(dir.resolve("agg-0.log"), aggregatorArgs(pki, dir.resolve("agg"), port, httpPort));
            long last = 0;
            for (int kill = 1; kill <= 3 && sensor.isAlive(); kill++)
            {
                last = awaitStoredAbove(http, "s1", last, sensor);
                agg.kill9();
                storedAtKill.add(last);
                agg = NightjarProcess.start(dir.resolve("agg-" + kill + ".log"), aggregatorArgs(pki, dir.resolve("agg"), port, httpPort));
            }
            try
            {
                assertThat(sensor.waitFor(Duration.ofMinutes(3))).as(sensor.output()).isZero();
                final JsonNode stored = Fixtures.totals(http, "sensor=s1").path("sensors").path("s1");
                Fixtures.assertSameCounts(summary, stored);
            }
            finally
            {
                agg.close();
            }
        }
        assertThat(storedAtKill).as("stored flow records when each SIGKILL hit (of %d)", totalFlows)
            .anyMatch(n -> n > 0 && n < totalFlows);
    }

    @Test
    void sensorKilledMidShippingAndRestartedResumesWhereTheAggregatorStands(@TempDir final Path dir) throws Exception
    {
        final Path pki = TestPki.network();
        try (Aggregator agg = ShippingRoundTripTest.startAggregator(dir.resolve("agg"), pki, List.of("s2")))
        {
            final Path spool = dir.resolve("spool");
            long atKill;
            try (NightjarProcess sensor = NightjarProcess.start(dir.resolve("sensor-1.log"),
                ShippingRoundTripTest.sensorArgs(pki, "s2", spool, agg.ingestAddress(), "--read", capture.toString(), "--batch-rows", "100")))
            {
                // kill once the whole file is in the spool and shipping is under way
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && sensor.isAlive() && !sensor.output().contains("flow records spooled"))
                {
                    Thread.sleep(10);
                }
                atKill = awaitStoredAbove(agg.httpAddress(), "s2", 0, sensor);
                sensor.kill9();
            }
            assertThat(atKill).as("stored when the sensor was killed").isGreaterThan(0);
            try (NightjarProcess again = NightjarProcess.start(dir.resolve("sensor-2.log"),
                ShippingRoundTripTest.sensorArgs(pki, "s2", spool, agg.ingestAddress())))
            {
                assertThat(again.waitFor(Duration.ofMinutes(2))).as(again.output()).isZero();
            }
            Fixtures.assertSameCounts(summary, Fixtures.totals(agg.httpAddress(), "sensor=s2").path("sensors").path("s2"));
            assertThat(Files.readString(spool.resolve("shipped.position")).trim()).isNotEmpty();
        }
    }

    @Test
    void connectionsCutMidStreamLoseAndRepeatNothing(@TempDir final Path dir) throws Exception
    {
        final Path pki = TestPki.network();
        try (Aggregator agg = ShippingRoundTripTest.startAggregator(dir.resolve("agg"), pki, List.of("s3"));
             CuttableProxy proxy = new CuttableProxy(agg.ingestAddress());
             NightjarProcess sensor = NightjarProcess.start(dir.resolve("sensor.log"),
                 ShippingRoundTripTest.sensorArgs(pki, "s3", dir.resolve("spool"), new InetSocketAddress("127.0.0.1", proxy.port()),
                     "--read", capture.toString(), "--batch-rows", "100")))
        {
            long last = 0;
            for (int cut = 0; cut < 3 && sensor.isAlive(); cut++)
            {
                last = awaitStoredAbove(agg.httpAddress(), "s3", last, sensor);
                proxy.cutAll();
            }
            assertThat(sensor.waitFor(Duration.ofMinutes(2))).as(sensor.output()).isZero();
            Fixtures.assertSameCounts(summary, Fixtures.totals(agg.httpAddress(), "sensor=s3").path("sensors").path("s3"));
            assertThat(proxy.accepted()).as("connections through the proxy").isGreaterThan(1);
        }
    }
}
