package io.nightjar.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests, made once per JVM by the operator's own script
 * ({@code deploy/certs/make-certs.sh}): the network's PKI with sensors s1..s4, and a second,
 * unrelated PKI whose sensor certificates the aggregator must refuse.
 */
final class TestPki
{
    private static Path network;
    private static Path foreign;

    private TestPki()
    {
    }

    /** The repository root (where {@code nightjar} lives). */
    static Path root()
    {
        return Path.of(System.getProperty("nightjar.root", "..")).toAbsolutePath().normalize();
    }

    static synchronized Path network() throws IOException, InterruptedException
    {
        if (network == null)
        {
            network = make("network", "s1", "s2", "s3", "s4");
        }
        return network;
    }

    static synchronized Path foreign() throws IOException, InterruptedException
    {
        if (foreign == null)
        {
            foreign = make("foreign", "s1");
        }
        return foreign;
    }

    private static Path make(final String name, final String... sensors) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory("nightjar-pki-" + name);
        final List<String> cmd = new ArrayList<>(List.of(root().resolve("deploy/certs/make-certs.sh").toString(), "--out", dir.toString()));
        cmd.addAll(List.of(sensors));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("make-certs.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
        {
            throw new IllegalStateException("make-certs.sh failed: " + Files.readString(dir.resolve("make-certs.log")));
        }
        return dir;
    }
}
