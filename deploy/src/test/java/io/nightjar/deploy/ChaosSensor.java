package io.nightjar.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One sensor of a chaos run: its id, spool, capture and JVM options (a clock offset), and the
 * process currently running on that spool. The first run replays the capture; a run started after
 * a SIGKILL only ships what the spool holds (replaying again would spool the capture twice).
 * Used by one test thread.
 */
final class ChaosSensor implements AutoCloseable
{
    private static final String SPOOLED = "flow records spooled";

    final String id;
    final Path spool;
    private final Path pki;
    private final Path capture;
    private final Path logs;
    private final InetSocketAddress aggregator;
    private final List<String> jvm;
    private final List<String> extra;
    private final List<NightjarProcess> runs = new ArrayList<>();
    private boolean firstRunKilledBeforeSpooling;

    ChaosSensor(final Path pki, final String id, final Path dir, final Path capture, final InetSocketAddress aggregator, final List<String> jvm,
                final List<String> extra)
    {
        this.pki = pki;
        this.id = id;
        this.spool = dir.resolve("spool-" + id);
        this.capture = capture;
        this.logs = dir;
        this.aggregator = aggregator;
        this.jvm = jvm;
        this.extra = extra;
    }

    /** Starts the replaying run. */
    void start() throws IOException
    {
        final List<String> more = new ArrayList<>(List.of("--read", capture.toString()));
        more.addAll(extra);
        launch(more);
    }

    private void launch(final List<String> more) throws IOException
    {
        runs.add(NightjarProcess.start(logs.resolve(id + "-" + runs.size() + ".log"), jvm,
            ShippingRoundTripTest.sensorArgs(pki, id, spool, aggregator, more.toArray(String[]::new))));
    }

    private NightjarProcess current()
    {
        return runs.get(runs.size() - 1);
    }

    /** True while the current run is still going (replaying or shipping). */
    boolean isAlive()
    {
        return current().isAlive();
    }

    /** SIGKILL the current run (if alive) and start a shipping-only run on the same spool. Returns false if it had exited. */
    boolean kill9AndRestart() throws IOException, InterruptedException
    {
        if (!current().isAlive())
        {
            return false;
        }
        current().kill9();
        if (runs.size() == 1 && !current().output().contains(SPOOLED))
        {
            firstRunKilledBeforeSpooling = true;
        }
        launch(extra);
        return true;
    }

    /** Waits (bounded) until the replaying run has spooled its whole capture. */
    void awaitSpooled(final Duration timeout) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!runs.get(0).output().contains(SPOOLED))
        {
            if (System.nanoTime() > deadline || !runs.get(0).isAlive())
            {
                throw new AssertionError(id + " did not spool its capture within " + timeout + "; log:\n" + runs.get(0).output());
            }
            Thread.sleep(20);
        }
    }

    /** True unless the replaying run was killed before it had spooled the whole capture. */
    boolean spooledWholeCapture()
    {
        return !firstRunKilledBeforeSpooling;
    }

    /** Runs so far (1 + restarts). */
    int runs()
    {
        return runs.size();
    }

    /** Waits (bounded) for the current run to exit; returns its exit code; throws with its log if it hangs. */
    int awaitExit(final Duration timeout) throws IOException, InterruptedException
    {
        return current().waitFor(timeout);
    }

    /** The current run's log. */
    String output() throws IOException
    {
        return current().output();
    }

    @Override
    public void close()
    {
        runs.forEach(NightjarProcess::close);
    }
}
