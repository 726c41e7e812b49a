package io.nightjar.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code nightjar demo --exit} as a user runs it, in its own JVM: certificates, three sensors'
 * generated traffic shipped over mutual TLS, headline statistics from the API, the dashboard URL;
 * every generated packet is counted once by the aggregator.
 */
class DemoTest
{
    @Test
    void shouldRunTheWholeSystemAndCountEveryGeneratedPacket(@TempDir final Path dir) throws Exception
    {
        final Path log = dir.resolve("demo.log");
        try (NightjarProcess demo = NightjarProcess.start(log, "demo", "--exit", "--packets", "20000", "--rate", "20", "--http", "127.0.0.1:0",
            "--dir", dir.resolve("demo").toString()))
        {
            assertThat(demo.waitFor(Duration.ofMinutes(4))).as(demo.output()).isZero();
        }
        final String out = Files.readString(log);
        assertThat(out).contains("Threat landscape").contains("(3 sensors)").contains("packets 60,000 ").contains("scan events (ORION): ")
            .contains("DoS attacks inferred from backscatter")
            .containsPattern("top TCP ports \\(avg packets per sensor, sources\\): \\d+ \\(")
            .containsPattern("Dashboard: http://127\\.0\\.0\\.1:\\d+/").contains("coverage");
        assertThat(dir.resolve("demo/aggregator/api-token")).exists();
    }
}
