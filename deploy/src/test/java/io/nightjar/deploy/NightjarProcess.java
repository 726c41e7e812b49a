package io.nightjar.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code nightjar} command run as its own JVM (the test's classpath and the project's JVM
 * flags), so tests can kill it with SIGKILL like an operator's worst day. Output goes to a file.
 */
final class NightjarProcess implements AutoCloseable
{
    private final Process process;
    private final Path log;

    private NightjarProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
    }

    static NightjarProcess start(final Path log, final String... args) throws IOException
    {
        return start(log, List.of(), args);
    }

    /** Starts {@code nightjar args} with extra JVM options {@code jvm} (e.g. {@code -Dnightjar.clock.offset=PT5H}). */
    static NightjarProcess start(final Path log, final List<String> jvm, final String... args) throws IOException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("nightjar.jvm.flags", "").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                cmd.add(flag);
            }
        }
        cmd.addAll(jvm);
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            Nightjar.class.getName()));
        cmd.addAll(Arrays.asList(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("NIGHTJAR_LOG_LEVEL", "INFO");
        return new NightjarProcess(pb.start(), log);
    }

    /** Waits for exit; returns the exit code, or throws with the log when {@code timeout} passes. */
    int waitFor(final Duration timeout) throws InterruptedException, IOException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("process did not exit within " + timeout + "; log:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL, and wait for it to be gone (throws with the log if it is still there after 10 s). */
    void kill9() throws InterruptedException, IOException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new AssertionError("process " + process.pid() + " survived SIGKILL for 10 s; log:\n" + output());
        }
    }

    /** SIGTERM (what systemd sends on stop); then {@link #waitFor}. */
    void terminate()
    {
        process.destroy();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    String output() throws IOException
    {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
