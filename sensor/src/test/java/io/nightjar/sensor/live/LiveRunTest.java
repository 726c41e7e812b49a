package io.nightjar.sensor.live;

import io.nightjar.sensor.capture.CaptureFiles;
import io.nightjar.sensor.capture.LiveCapture;
import io.nightjar.sensor.capture.LiveSettings;
import io.nightjar.sensor.capture.PacketRing;
import io.nightjar.sensor.capture.PacketSource;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.generate.GenerateCommand;
import io.nightjar.sensor.summary.RunSummary;
import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Live capture on a real interface: a veth pair in a network namespace made by the test, generated
 * traffic replayed into it with tcpreplay, captured through libpcap (pcap4j). The live counts must
 * equal those of the same capture read from the file (an independent path: the memory-mapped reader),
 * and libpcap's own statistics must agree. Skipped, saying why, where there is no root, iproute2 or
 * tcpreplay.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveRunTest
{
    private static final String DARKNET = "198.51.100.0/24,2001:db8:dead::/48";
    private static final int PACKETS = 30_000;

    @TempDir
    static Path dir;
    static Path capture;
    static RunSummary offline;
    static VethPair veth;

    @BeforeAll
    static void setUp() throws IOException
    {
        final String reason = VethPair.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        capture = dir.resolve("replay.pcap");
        assertThat(new CommandLine(new GenerateCommand()).execute("--packets", Integer.toString(PACKETS), "--seed", "21",
            "--darknet", DARKNET, "--out", capture.toString())).isZero();
        offline = new RunSummary();
        final FlowPipeline p = pipeline(offline, 60_000_000_000L);
        try (PacketSource source = CaptureFiles.open(capture))
        {
            while (source.read(p, 4096) >= 0)
            {
                // to the end
            }
        }
        p.finish();
        veth = VethPair.create();
    }

    @AfterAll
    static void tearDown()
    {
        if (veth != null)
        {
            veth.close();
        }
    }

    private static FlowPipeline pipeline(final RunSummary summary, final long binNanos)
    {
        return new FlowPipeline(Darknet.parse(DARKNET), binNanos, new FlowTable(1 << 12, 1 << 20, 1 << 22), summary);
    }

    private static LiveSettings settings(final String iface)
    {
        return new LiveSettings(iface, null, LiveSettings.DEFAULT_SNAPLEN, false, 16 << 20, 16 << 20, 100);
    }

    /** Runs {@code run} on its own thread (as the sensor's pipeline thread) and returns it with its failure holder. */
    private static Thread start(final LiveRun run, final FlowPipeline p, final AtomicReference<Throwable> failure) throws InterruptedException
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                run.run(p);
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "test-pipeline");
        t.start();
        assertThat(run.awaitStarted(10_000)).isTrue();
        return t;
    }

    @Test
    void liveCountsEqualTheSameCaptureReadFromTheFile() throws Exception
    {
        final RunSummary live = new RunSummary();
        final FlowPipeline p = pipeline(live, 60_000_000_000L);
        final LiveRun run = new LiveRun(List.of(settings(veth.captureInterface())), null);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = start(run, p, failure);
        assertThat(veth.replay(capture, 50_000)).isEqualTo(PACKETS);
        awaitCaptured(run, PACKETS);
        final LiveCapture c = run.captures().get(0);
        run.requestStop();
        t.join(10_000);
        assertThat(failure.get()).isNull();

        assertThat(live.packets()).isEqualTo(offline.packets()).isEqualTo(PACKETS);
        assertThat(live.bytes()).isEqualTo(offline.bytes());
        for (final TrafficClass k : TrafficClass.values())
        {
            assertThat(live.classPackets(k)).as(k.key()).isEqualTo(offline.classPackets(k));
            assertThat(live.classBytes(k)).as(k.key() + " bytes").isEqualTo(offline.classBytes(k));
        }
        for (final Anomaly a : Anomaly.values())
        {
            assertThat(live.anomaly(a)).as(a.key()).isEqualTo(offline.anomaly(a));
        }
        assertThat(live.ipv4()).isEqualTo(offline.ipv4());
        assertThat(live.ipv6()).isEqualTo(offline.ipv6()).isPositive();
        assertThat(live.distinctSources()).isEqualTo(offline.distinctSources());
        assertThat(live.nonDarknetPackets()).isEqualTo(offline.nonDarknetPackets());
        assertThat(live.topPorts(20)).isEqualTo(offline.topPorts(20));
        // libpcap's own account: everything the kernel took was handed over, nothing dropped
        assertThat(c.received()).isEqualTo(PACKETS);
        assertThat(c.captured()).isEqualTo(PACKETS);
        assertThat(c.totalDrops()).isZero();
        assertThat(live.captureDrops()).isZero();
        // and the bins carry it: per-bin differences that add up to libpcap's totals
        assertThat(live.captureReceived()).isEqualTo(c.received()).isEqualTo(PACKETS);
        assertThat(live.captureKernelDrops()).isEqualTo(c.kernelDrops()).isZero();
        assertThat(live.captureInterfaceDrops()).isEqualTo(c.interfaceDrops()).isZero();
        assertThat(live.captureRingDrops()).isEqualTo(c.ringDrops()).isZero();
        // a capture file has no statistics
        assertThat(offline.captureReceived()).isZero();
        assertThat(offline.captureDrops()).isZero();
    }

    @Test
    void libpcapStatisticsCatchUpWhileTheInterfaceIsSilent() throws Exception
    {
        final FlowPipeline p = pipeline(new RunSummary(), 60_000_000_000L);
        final LiveRun run = new LiveRun(List.of(settings(veth.captureInterface())), null);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = start(run, p, failure);
        try
        {
            assertThat(veth.replay(capture, 50_000)).isEqualTo(PACKETS);
            awaitCaptured(run, PACKETS);
            final LiveCapture c = run.captures().get(0);
            // nothing more arrives, so the capture thread blocks in its next read; the last packets'
            // reading must still come (before the fix it came only with the next packet or the stop)
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (c.received() < PACKETS && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertThat(c.received()).as("ps_recv while the capture runs").isEqualTo(PACKETS);
        }
        finally
        {
            run.requestStop();
            t.join(10_000);
        }
        assertThat(failure.get()).isNull();
    }

    @Test
    void twoInterfacesAreMergedIntoOnePipeline() throws Exception
    {
        try (VethPair second = VethPair.create())
        {
            final RunSummary live = new RunSummary();
            // 1-s bins, so that bins close while both replays run: an interface whose packets came
            // after the other's newer ones would show as late packets
            final FlowPipeline p = pipeline(live, 1_000_000_000L);
            final LiveRun run = new LiveRun(List.of(settings(veth.captureInterface()), settings(second.captureInterface())), null);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread t = start(run, p, failure);
            final Thread other = new Thread(() ->
            {
                try
                {
                    second.replay(capture, 50_000);
                }
                catch (final IOException ex)
                {
                    failure.set(ex);
                }
            });
            other.start();
            veth.replay(capture, 50_000);
            other.join(30_000);
            awaitCaptured(run, 2L * PACKETS);
            run.requestStop();
            t.join(10_000);
            assertThat(failure.get()).isNull();
            assertThat(run.captures()).hasSize(2);
            assertThat(live.packets()).isEqualTo(2L * PACKETS);
            assertThat(live.captureReceived()).isEqualTo(run.captures().get(0).received() + run.captures().get(1).received())
                .isEqualTo(2L * PACKETS);
            for (final TrafficClass k : TrafficClass.values())
            {
                assertThat(live.classPackets(k)).as(k.key()).isEqualTo(2 * offline.classPackets(k));
            }
            assertThat(live.distinctSources()).isEqualTo(offline.distinctSources());
            // merged in time order: no packet older than the bin it arrived in
            assertThat(live.anomaly(Anomaly.LATE_PACKET)).isZero();
        }
    }

    @Test
    void aSilentInterfaceStopsWithinOneSecond() throws Exception
    {
        final LiveRun run = new LiveRun(List.of(settings(veth.captureInterface())), null);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = start(run, pipeline(new RunSummary(), 60_000_000_000L), failure);
        Thread.sleep(500);
        final long asked = System.nanoTime();
        run.requestStop();
        assertThat(run.awaitDone(5_000)).isTrue();
        final long tookMillis = (System.nanoTime() - asked) / 1_000_000;
        t.join(1_000);
        assertThat(failure.get()).isNull();
        assertThat(tookMillis).as("stop took %d ms", tookMillis).isLessThan(1_000);
        assertThat(run.captures().get(0).finished()).isTrue();
    }

    @Test
    void binsCloseOnTheWallClockWhenNoPacketsArrive() throws Exception
    {
        final List<Long> closed = new ArrayList<>();
        final RunSummary summary = new RunSummary();
        final FlowPipeline p = new FlowPipeline(Darknet.parse(DARKNET), 1_000_000_000L, new FlowTable(1 << 12, 1 << 20, 1 << 22),
            (start, length, counters, flows) ->
            {
                summary.onBinClosed(start, length, counters, flows);
                synchronized (closed)
                {
                    closed.add(start);
                }
            });
        final LiveRun run = new LiveRun(List.of(settings(veth.captureInterface())), null);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = start(run, p, failure);
        veth.replay(capture, 50_000);
        awaitCaptured(run, PACKETS);
        // silence from here on: the open bin must close on the clock, within the bin and the grace
        final long deadline = System.nanoTime() + 1_000_000_000L + LiveRun.CLOSE_GRACE_NANOS + 2_000_000_000L;
        while (summary.packets() < PACKETS && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        final long packetsBeforeStop = summary.packets();
        run.requestStop();
        t.join(10_000);
        assertThat(failure.get()).isNull();
        assertThat(packetsBeforeStop).as("packets in bins closed while the sensor was still running").isEqualTo(PACKETS);
        synchronized (closed)
        {
            assertThat(closed).isNotEmpty().allSatisfy(s -> assertThat(s % 1_000_000_000L).isZero());
        }
    }

    @Test
    void aFilterKeepsOnlyWhatItMatches() throws Exception
    {
        final RunSummary live = new RunSummary();
        final FlowPipeline p = pipeline(live, 60_000_000_000L);
        final LiveSettings udpOnly = new LiveSettings(veth.captureInterface(), "udp and not ip6", LiveSettings.DEFAULT_SNAPLEN, false,
            16 << 20, 16 << 20, 100);
        final LiveRun run = new LiveRun(List.of(udpOnly), null);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = start(run, p, failure);
        veth.replay(capture, 50_000);
        // Linux moves a frame's outer 802.1Q tag out of the data before the kernel filter runs (libpcap
        // puts it back into what it captures), so live, the filter sees a tagged frame one tag in
        final long expected = countWithTcpdump(capture, "udp and not ip6") + countWithTcpdump(capture, "vlan and udp and not ip6");
        awaitCaptured(run, expected);
        Thread.sleep(200);
        run.requestStop();
        t.join(10_000);
        assertThat(failure.get()).isNull();
        assertThat(expected).isPositive().isLessThan(PACKETS);
        assertThat(live.packets()).isEqualTo(expected);
        assertThat(live.classPackets(TrafficClass.TCP_SCAN)).isZero();
    }

    @Test
    void anInterfaceThatDoesNotExistIsAnErrorNamingIt()
    {
        assertThatThrownBy(() -> LiveCapture.start(settings("nj-no-such0"), new PacketRing(1 << 16)))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("nj-no-such0");
    }

    @Test
    void aBadFilterIsAnErrorNamingIt()
    {
        final LiveSettings bad = new LiveSettings(veth.captureInterface(), "tcp and and", LiveSettings.DEFAULT_SNAPLEN, false,
            16 << 20, 16 << 20, 100);
        assertThatThrownBy(() -> LiveCapture.start(bad, new PacketRing(1 << 16)))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("--bpf")
            .hasMessageContaining("tcp and and");
    }

    /** The reference: how many packets of {@code file} tcpdump's own filter matches. */
    private static long countWithTcpdump(final Path file, final String filter) throws IOException
    {
        final String out = VethPair.run("sh", "-c", "tcpdump -nn -r '" + file + "' '" + filter + "' 2>/dev/null | wc -l");
        return Long.parseLong(out.trim());
    }

    private static void awaitCaptured(final LiveRun run, final long packets) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            long captured = 0;
            for (final LiveCapture c : run.captures())
            {
                captured += c.captured();
            }
            if (captured >= packets)
            {
                return;
            }
            Thread.sleep(20);
        }
    }
}
