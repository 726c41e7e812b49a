package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.sensor.spool.EvictionCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Chaos with exact accounting. Three sensor processes (one with its clock five hours ahead) replay
 * captures through a cuttable link to an aggregator process while seeded random faults hit them:
 * SIGKILL of the aggregator (restarted on its data directory), SIGKILL of a sensor (restarted on
 * its spool), every connection cut. Afterwards every record each spool kept is stored exactly
 * once, no batch was applied twice, the skew is reported, and no process hung.
 *
 * <p>Replay a failure with {@code -Dnightjar.chaos.seed=N} (the seed is printed);
 * {@code -Dnightjar.chaos.faults=N} sets the number of faults (default 24).
 */
class ChaosTest
{
    private static final Duration PROCESS_EXIT = Duration.ofSeconds(90);
    private static final long SKEW_HOURS = 5;
    private static final int FAULTS = Integer.getInteger("nightjar.chaos.faults", 24);
    private static final Duration FAULT_PHASE = Duration.ofSeconds(50);

    /** The {@code h}-th hour of the captures' day. */
    private static java.time.Instant hour(final int h)
    {
        return java.time.Instant.parse("2024-06-01T00:00:00Z").plusSeconds(3600L * h);
    }

    private static long seed()
    {
        final long seed = Long.getLong("nightjar.chaos.seed", new Random().nextLong());
        System.out.println("ChaosTest seed " + seed + " (rerun with -Dnightjar.chaos.seed=" + seed + ")");
        return seed;
    }

    @Test
    void shouldStoreEverySpooledRecordExactlyOnceThroughRandomKillsAndCutsWithASkewedSensorClock(@TempDir final Path dir) throws Exception
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final Path pki = TestPki.network();
        final List<Path> captures = new ArrayList<>();
        final List<JsonNode> summaries = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            captures.add(Fixtures.generate(dir, "c" + i + ".pcap", 100 + i, 40_000, 800 + 300 * i));
            summaries.add(Fixtures.summarize(captures.get(i), "10s"));
        }
        final List<String> log = new ArrayList<>();
        try (AggregatorProcess agg = AggregatorProcess.start(pki, dir.resolve("agg"), dir);
             CuttableProxy link = new CuttableProxy(agg.ingest()))
        {
            final InetSocketAddress via = new InetSocketAddress("127.0.0.1", link.port());
            final List<ChaosSensor> sensors = List.of(
                new ChaosSensor(pki, "s1", dir, captures.get(0), via, List.of(), List.of("--batch-rows", "64")),
                new ChaosSensor(pki, "s2", dir, captures.get(1), via, List.of(), List.of("--batch-rows", "128")),
                new ChaosSensor(pki, "s3", dir, captures.get(2), via, List.of("-Dnightjar.clock.offset=PT" + SKEW_HOURS + "H"),
                    List.of("--batch-rows", "96")));
            try
            {
                for (final ChaosSensor s : sensors)
                {
                    s.start();
                }
                // faults hit shipping: a SIGKILL during the JVM's start would only leave an empty spool
                for (final ChaosSensor s : sensors)
                {
                    s.awaitSpooled(Duration.ofSeconds(30));
                }
                final int midStream = injectFaults(random, agg, link, sensors, log);
                System.out.println("ChaosTest faults (seed " + seed + "):\n  " + String.join("\n  ", log));
                assertThat(log).as("faults injected").hasSizeGreaterThanOrEqualTo(Math.min(FAULTS, 20));
                for (final ChaosSensor s : sensors)
                {
                    assertThat(s.awaitExit(PROCESS_EXIT)).as("%s exit code (seed %d); log:\n%s", s.id, seed, s.output()).isZero();
                }
                // the last fault may have been a restart of the aggregator: ask once it answers again
                agg.awaitReady(Duration.ofSeconds(60));
                final JsonNode all = Fixtures.totals(agg.http(), "").path("sensors");
                for (int i = 0; i < sensors.size(); i++)
                {
                    final ChaosSensor s = sensors.get(i);
                    final JsonNode stored = all.path(s.id);
                    final SpoolTally tally = SpoolTally.of(s.spool);
                    System.out.printf("ChaosTest %s: %d runs, spool %s, stored %d bins, %d flow records, %d packets%n", s.id, s.runs(), tally,
                        stored.path("bins").asLong(), stored.path("flows").asLong(), stored.path("packets").asLong());
                    tally.assertStoredExactly(s.id + " (seed " + seed + ")", stored);
                    if (s.spooledWholeCapture())
                    {
                        Fixtures.assertSameCounts(summaries.get(i), stored);
                    }
                    assertThat(stored.path("batches").asLong()).as("%s: batches applied = highest sequence (none twice, none skipped)", s.id)
                        .isEqualTo(stored.path("sequence").asLong());
                }
                assertSkewReported(agg.http(), "s3", SKEW_HOURS * 3600);
                assertSkewReported(agg.http(), "s1", 0);
                System.out.printf("ChaosTest: %d faults (%d while a sensor was still shipping), %d aggregator incarnations, sensor runs %s%n",
                    log.size(), midStream, agg.incarnations(), sensors.stream().map(s -> s.id + "=" + s.runs()).toList());
                assertThat(midStream).as("faults that hit while sensors were still replaying or shipping").isGreaterThanOrEqualTo(log.size() / 2);
                // 143 = 128 + SIGTERM: the JVM's exit after its shutdown hooks ran
                assertThat(agg.stop(Duration.ofSeconds(30))).as("aggregator exit code on SIGTERM; log:\n%s", agg.output()).isIn(0, 143);
            }
            finally
            {
                sensors.forEach(ChaosSensor::close);
            }
        }
    }

    @Test
    void shouldStoreExactlyWhatAFullSpoolKeptAndCountEveryRecordItEvicted(@TempDir final Path dir) throws Exception
    {
        final Path pki = TestPki.network();
        final Path spool = dir.resolve("spool-s4");
        final InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", Fixtures.freePort());
        final int hours = 4;
        long spooledBins = 0;
        long spooledFlows = 0;
        String limit = "1g";
        // the aggregator is down for hours: each hour the sensor spools another capture into another hourly cycle file
        for (int h = 0; h < hours - 1; h++)
        {
            final Path capture = Fixtures.generate(dir, "h" + h + ".pcap", 200 + h, 20_000, 1000, hour(h));
            final JsonNode summary = Fixtures.summarize(capture, "10s");
            spooledBins += summary.path("bins").asLong();
            spooledFlows += summary.path("flows").asLong();
            try (NightjarProcess p = NightjarProcess.start(dir.resolve("s4-" + h + ".log"), List.of("-Dnightjar.clock.offset=-PT" + (hours - 1 - h) + "H"),
                ShippingRoundTripTest.sensorArgs(pki, "s4", spool, nobody, "--read", capture.toString(), "--deadline", "1s",
                    "--spool-max-size", limit)))
            {
                assertThat(p.waitFor(PROCESS_EXIT)).as("exit code with the aggregator down: deadline passed; log:\n%s", p.output()).isEqualTo(3);
                if (h == 0)
                {
                    // room for two and a half hours of this traffic: the third hour evicts the first
                    final java.util.regex.Matcher m = java.util.regex.Pattern.compile("spooled to .* \\(([0-9,]+) bytes\\)").matcher(p.output());
                    assertThat(m.find()).as(p.output()).isTrue();
                    limit = Long.toString(Long.parseLong(m.group(1).replace(",", "")) * 5 / 2);
                }
            }
        }
        final Path last = Fixtures.generate(dir, "h" + (hours - 1) + ".pcap", 200 + hours - 1, 20_000, 1000, hour(hours - 1));
        final JsonNode lastSummary = Fixtures.summarize(last, "10s");
        spooledBins += lastSummary.path("bins").asLong();
        spooledFlows += lastSummary.path("flows").asLong();
        try (Aggregator agg = ShippingRoundTripTest.startAggregator(dir.resolve("agg"), pki, List.of("s4")))
        {
            // back up: the last hour ships the spool's backlog while its own bins evict the oldest hour still there
            try (NightjarProcess p = NightjarProcess.start(dir.resolve("s4-last.log"), ShippingRoundTripTest.sensorArgs(pki, "s4", spool,
                agg.ingestAddress(), "--read", last.toString(), "--spool-max-size", limit, "--batch-rows", "200")))
            {
                assertThat(p.waitFor(PROCESS_EXIT)).as(p.output()).isZero();
                final EvictionCounters evicted = EvictionCounters.load(spool);
                assertThat(p.output()).as("the sensor's final line names the persisted eviction counters").contains(evicted.toString());
                final JsonNode stored = Fixtures.totals(agg.httpAddress(), "sensor=s4").path("sensors").path("s4");
                final SpoolTally kept = SpoolTally.of(spool);
                System.out.printf("ChaosTest s4: limit %s bytes, spooled %d bins and %d flow records; %s; spool now %s; stored %d bins, %d flow records%n",
                    limit, spooledBins, spooledFlows, evicted, kept, stored.path("bins").asLong(), stored.path("flows").asLong());
                assertThat(evicted.unshippedBins()).as("bins evicted before shipping").isPositive();
                assertThat(stored.path("flows").asLong()).as("stored flow records = spooled - evicted unshipped")
                    .isEqualTo(spooledFlows - evicted.unshippedFlowRecords())
                    .isEqualTo(kept.flows() + evicted.flowRecords() - evicted.unshippedFlowRecords());
                assertThat(stored.path("bins").asLong()).as("stored bins = spooled - evicted unshipped")
                    .isEqualTo(spooledBins - evicted.unshippedBins())
                    .isEqualTo(kept.bins() + evicted.bins() - evicted.unshippedBins());
                assertThat(stored.path("batches").asLong()).as("batches applied = highest sequence").isEqualTo(stored.path("sequence").asLong());
                assertThat(agg.metrics().duplicateBatches.sum()).as("duplicate batches").isZero();
            }
        }
    }

    /**
     * Injects {@link #FAULTS} faults at random moments (bounded by {@link #FAULT_PHASE}); returns how
     * many hit while at least one sensor was still running.
     */
    private static int injectFaults(final Random random, final AggregatorProcess agg, final CuttableProxy link, final List<ChaosSensor> sensors,
                                    final List<String> log) throws Exception
    {
        final long start = System.nanoTime();
        final long end = start + FAULT_PHASE.toNanos();
        int midStream = 0;
        long lastShipping = -1;
        for (int i = 0; i < FAULTS && System.nanoTime() < end; i++)
        {
            Thread.sleep(50 + random.nextInt(350));
            final boolean running = sensors.stream().anyMatch(ChaosSensor::isAlive);
            final int kind = random.nextInt(10);
            final String what;
            if (kind < 4)
            {
                agg.kill9AndRestart();
                what = "SIGKILL aggregator, restarted";
            }
            else if (kind < 7)
            {
                final ChaosSensor s = sensors.get(random.nextInt(sensors.size()));
                what = s.kill9AndRestart() ? "SIGKILL " + s.id + ", restarted on its spool" : "SIGKILL " + s.id + ": had already exited";
            }
            else
            {
                link.cutAll();
                what = "cut every connection";
            }
            midStream += running ? 1 : 0;
            if (!running && lastShipping < 0)
            {
                lastShipping = System.nanoTime() - start;
            }
            log.add(String.format("%5.1f s %s%s", (System.nanoTime() - start) / 1e9, what, running ? "" : " (all sensors done)"));
        }
        System.out.printf("ChaosTest: sensors %s at %.1f s of the fault phase%n", lastShipping < 0 ? "still running" : "all done",
            (lastShipping < 0 ? System.nanoTime() - start : lastShipping) / 1e9);
        return midStream;
    }

    private static void assertSkewReported(final InetSocketAddress http, final String sensor, final long seconds) throws Exception
    {
        final HttpResponse<String> res = Fixtures.get(http, "/api/v1/sensors/health?from=2024-05-01&to=2024-07-01&sensor=" + sensor);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        final JsonNode rows = Fixtures.JSON.readTree(res.body()).path("rows");
        assertThat(rows.isArray() && rows.size() == 1).as(res.body()).isTrue();
        assertThat(rows.get(0).path("clock_skew_seconds").asDouble()).as("%s clock skew: %s", sensor, res.body())
            .isCloseTo(seconds, within(30.0));
    }
}
