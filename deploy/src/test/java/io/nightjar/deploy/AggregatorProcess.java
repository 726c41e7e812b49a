package io.nightjar.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An aggregator run as its own process on fixed ports and one data directory, so that a test can
 * kill it with SIGKILL and start it again where it stood (the same DuckDB file, the same ports).
 * Each incarnation logs to its own file. Used by one test thread.
 */
final class AggregatorProcess implements AutoCloseable
{
    private final Path pki;
    private final Path data;
    private final Path logs;
    private final int ingestPort;
    private final int httpPort;
    private NightjarProcess process;
    private int incarnation;

    private AggregatorProcess(final Path pki, final Path data, final Path logs) throws IOException
    {
        this.pki = pki;
        this.data = data;
        this.logs = logs;
        this.ingestPort = Fixtures.freePort();
        this.httpPort = Fixtures.freePort();
    }

    /** Starts the first incarnation. */
    static AggregatorProcess start(final Path pki, final Path data, final Path logs) throws IOException
    {
        final AggregatorProcess a = new AggregatorProcess(pki, data, logs);
        a.startIncarnation();
        return a;
    }

    private void startIncarnation() throws IOException
    {
        process = NightjarProcess.start(logs.resolve("aggregator-" + incarnation++ + ".log"), "aggregator",
            "--listen", "127.0.0.1:" + ingestPort, "--http", "127.0.0.1:" + httpPort, "--data", data.toString(),
            "--cert", pki.resolve("aggregator.pem").toString(), "--key", pki.resolve("aggregator.key").toString(),
            "--ca", pki.resolve("ca.pem").toString(), "--tokens", Fixtures.tokenFile(pki).toString(), "--no-geo");
    }

    /** SIGKILL, then a new incarnation on the same data directory and ports. */
    void kill9AndRestart() throws IOException, InterruptedException
    {
        process.kill9();
        startIncarnation();
    }

    /** Where sensors connect. */
    InetSocketAddress ingest()
    {
        return new InetSocketAddress("127.0.0.1", ingestPort);
    }

    /** The HTTP API. */
    InetSocketAddress http()
    {
        return new InetSocketAddress("127.0.0.1", httpPort);
    }

    /** Incarnations started so far. */
    int incarnations()
    {
        return incarnation;
    }

    /** Waits until the HTTP API answers (the store is open), up to {@code timeout}. */
    void awaitReady(final Duration timeout) throws InterruptedException, IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (Fixtures.storedFlows(http(), "none") < 0)
        {
            if (System.nanoTime() > deadline || !process.isAlive())
            {
                throw new AssertionError("aggregator not answering within " + timeout + "; log:\n" + process.output());
            }
            Thread.sleep(50);
        }
    }

    /** SIGTERM and wait (bounded) for a clean exit; returns the exit code. */
    int stop(final Duration timeout) throws InterruptedException, IOException
    {
        process.terminate();
        return process.waitFor(timeout);
    }

    /** The current incarnation's log. */
    String output() throws IOException
    {
        return process.output();
    }

    @Override
    public void close()
    {
        process.close();
    }
}
