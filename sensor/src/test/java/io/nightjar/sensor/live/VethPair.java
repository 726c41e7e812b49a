package io.nightjar.sensor.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: a veth pair made for one test, its capture end in this namespace and its sending end
 * inside a network namespace of its own, with IPv6 off on both ends so that the kernel sends nothing
 * of its own onto the wire. Packets are sent into it with {@code tcpreplay} from the namespace.
 * Needs root, {@code ip} (iproute2) and {@code tcpreplay}: {@link #unavailableReason()} says which
 * is missing, for the test's skip message. {@link #close()} deletes the namespace and both ends.
 */
public final class VethPair implements AutoCloseable
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String namespace;
    private final String captureEnd;
    private final String sendEnd;

    private VethPair(final String namespace, final String captureEnd, final String sendEnd)
    {
        this.namespace = namespace;
        this.captureEnd = captureEnd;
        this.sendEnd = sendEnd;
    }

    /** Null when a veth pair can be made here, else why not (for {@code Assumptions}). */
    public static String unavailableReason()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "live-capture tests need root (network namespaces, veth pairs, raw sockets); running as " + System.getProperty("user.name");
        }
        for (final String tool : List.of("ip", "tcpreplay"))
        {
            if (!onPath(tool))
            {
                return "live-capture tests need `" + tool + "` (Debian package " + (tool.equals("ip") ? "iproute2" : tool)
                    + "; `./nightjar test` installs it)";
            }
        }
        try
        {
            final VethPair probe = create();
            probe.close();
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return "cannot make a network namespace with a veth pair here: " + ex.getMessage();
        }
    }

    private static boolean onPath(final String tool)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
        {
            if (Files.isExecutable(Path.of(dir, tool)))
            {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/usr/bin", tool));
    }

    /** Makes a new namespace and veth pair, both ends up. */
    public static VethPair create() throws IOException
    {
        final String tag = (ProcessHandle.current().pid() % 100_000) + "x" + SEQUENCE.incrementAndGet();
        final VethPair v = new VethPair("nj-test-" + tag, "njc" + tag, "njs" + tag);
        try
        {
            run("ip", "netns", "add", v.namespace);
            run("ip", "link", "add", v.captureEnd, "type", "veth", "peer", "name", v.sendEnd, "netns", v.namespace);
            run("sysctl", "-q", "-w", "net.ipv6.conf." + v.captureEnd + ".disable_ipv6=1");
            run("ip", "netns", "exec", v.namespace, "sysctl", "-q", "-w", "net.ipv6.conf." + v.sendEnd + ".disable_ipv6=1");
            run("ip", "link", "set", v.captureEnd, "up");
            run("ip", "netns", "exec", v.namespace, "ip", "link", "set", v.sendEnd, "up");
            return v;
        }
        catch (final IOException | RuntimeException ex)
        {
            v.close();
            throw ex;
        }
    }

    /** The end to capture on (in this namespace). */
    public String captureInterface()
    {
        return captureEnd;
    }

    /**
     * Sends every packet of {@code capture} into the pair from the namespace at {@code pps} packets/s
     * and returns the number tcpreplay reports as sent.
     */
    public long replay(final Path capture, final int pps) throws IOException
    {
        final String out = run("ip", "netns", "exec", namespace, "tcpreplay", "-i", sendEnd, "--pps", Integer.toString(pps), capture.toString());
        for (final String line : out.split("\n"))
        {
            final String t = line.trim();
            if (t.startsWith("Successful packets:"))
            {
                return Long.parseLong(t.substring("Successful packets:".length()).trim());
            }
        }
        throw new IOException("tcpreplay did not say how many packets it sent:\n" + out);
    }

    /** Deletes the namespace (and with it the pair). */
    @Override
    public void close()
    {
        try
        {
            run("ip", "netns", "del", namespace);
        }
        catch (final IOException | RuntimeException ex)
        {
            // best effort: the namespace may not have been made
        }
        try
        {
            run("ip", "link", "del", captureEnd);
        }
        catch (final IOException | RuntimeException ex)
        {
            // gone with the namespace
        }
    }

    /** Runs a command, returns its output (stdout and stderr), throws with the output if it fails. */
    static String run(final String... command) throws IOException
    {
        final Path out = Files.createTempFile("nj-cmd", ".out");
        try
        {
            final Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 60 s");
            }
            final String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + text.trim());
            }
            return text;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }
}
