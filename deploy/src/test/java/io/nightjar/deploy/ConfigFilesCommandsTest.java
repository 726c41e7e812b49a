package io.nightjar.deploy;

import io.nightjar.wire.config.ConfigFiles;
import io.nightjar.wire.config.ConfigSource;
import io.nightjar.wire.config.EffectiveConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --config FILE} on the real {@code nightjar sensor} and {@code nightjar aggregator}: a file alone
 * gives the same options as the equivalent command line, and errors in it are one line naming the key.
 */
class ConfigFilesCommandsTest
{
    @TempDir
    Path dir;

    private Path write(final String name, final String yaml) throws IOException
    {
        final Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    private static EffectiveConfiguration effective(final String... args)
    {
        return ConfigFiles.complete(Nightjar.commandLine().parseArgs(args).subcommand());
    }

    /** key -> value of every option. */
    private static Map<String, String> values(final EffectiveConfiguration e)
    {
        final Map<String, String> out = new LinkedHashMap<>();
        e.settings().forEach(s -> out.put(s.key(), s.raw()));
        return out;
    }

    private static void assertSame(final EffectiveConfiguration fromFile, final EffectiveConfiguration fromCommandLine)
    {
        assertThat(values(fromFile)).isEqualTo(values(fromCommandLine));
        for (final EffectiveConfiguration.Setting s : fromCommandLine.settings())
        {
            final ConfigSource expected = s.source() == ConfigSource.COMMAND_LINE ? ConfigSource.FILE : ConfigSource.DEFAULT;
            assertThat(fromFile.get(s.key()).source()).as(s.key()).isEqualTo(expected);
        }
    }

    @Test
    void shouldGiveTheSensorTheSameOptionsFromAFileAsFromTheCommandLine() throws IOException
    {
        final Path f = write("sensor.yaml", """
            read: [a.pcap, b.pcap.gz]
            spool: /var/lib/nightjar/spool/th-bkk-1
            spool-max-size: 500m
            spool-max-age: 7d
            darknet: [198.51.100.0/24, "2001:db8:dead::/48"]
            bin: 5m
            max-flows: 1000
            max-destinations: 2000
            quiet: true
            aggregator: agg.cert.example:7443
            sensor-id: th-bkk-1
            cert: /etc/nightjar/pki/sensors/th-bkk-1.pem
            key: /etc/nightjar/pki/sensors/th-bkk-1.key
            ca: /etc/nightjar/pki/ca.pem
            plaintext: true
            deadline: 1m
            batch-rows: 100
            """);
        final EffectiveConfiguration cli = effective("sensor", "--read", "a.pcap", "b.pcap.gz", "--spool", "/var/lib/nightjar/spool/th-bkk-1",
            "--spool-max-size", "500m", "--spool-max-age", "7d", "--darknet", "198.51.100.0/24,2001:db8:dead::/48", "--bin", "5m",
            "--max-flows", "1000", "--max-destinations", "2000", "--quiet", "--aggregator", "agg.cert.example:7443",
            "--sensor-id", "th-bkk-1", "--cert", "/etc/nightjar/pki/sensors/th-bkk-1.pem", "--key", "/etc/nightjar/pki/sensors/th-bkk-1.key",
            "--ca", "/etc/nightjar/pki/ca.pem", "--plaintext", "--deadline", "1m", "--batch-rows", "100");
        final EffectiveConfiguration file = effective("sensor", "--config", f.toString());
        assertSame(file, cli);
        assertThat(file.get("read").raw()).isEqualTo("[a.pcap, b.pcap.gz]");
        assertThat(file.summary()).startsWith("effective configuration of nightjar sensor: command line {}; file " + f + " {read=[a.pcap, b.pcap.gz],");
    }

    @Test
    void shouldGiveTheAggregatorTheSameOptionsFromAFileAsFromTheCommandLine() throws IOException
    {
        final Path f = write("aggregator.yaml", """
            listen: 127.0.0.1:7443
            http: 127.0.0.1:8081
            data: /var/lib/nightjar/aggregator
            cert: /etc/nightjar/pki/aggregator.pem
            key: /etc/nightjar/pki/aggregator.key
            ca: /etc/nightjar/pki/ca.pem
            sensors: /etc/nightjar/sensors.yaml
            tokens: /etc/nightjar/tokens.yaml
            plaintext: true
            max-frame: 16m
            idle-timeout: 2m
            no-geo: true
            """);
        final EffectiveConfiguration cli = effective("aggregator", "--listen", "127.0.0.1:7443", "--http", "127.0.0.1:8081",
            "--data", "/var/lib/nightjar/aggregator", "--cert", "/etc/nightjar/pki/aggregator.pem", "--key", "/etc/nightjar/pki/aggregator.key",
            "--ca", "/etc/nightjar/pki/ca.pem", "--sensors", "/etc/nightjar/sensors.yaml", "--tokens", "/etc/nightjar/tokens.yaml",
            "--plaintext", "--max-frame", "16m", "--idle-timeout", "2m", "--no-geo");
        assertSame(effective("aggregator", "--config", f.toString()), cli);
        // and the command line overrides the file
        final EffectiveConfiguration both = effective("aggregator", "--config", f.toString(), "--http", "127.0.0.1:9090");
        assertThat(both.get("http").raw()).isEqualTo("127.0.0.1:9090");
        assertThat(both.get("http").source()).isEqualTo(ConfigSource.COMMAND_LINE);
        assertThat(both.get("listen").source()).isEqualTo(ConfigSource.FILE);
    }

    private static String[] run(final String... args)
    {
        final CommandLine cl = Nightjar.commandLine();
        final StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        final int rc = cl.execute(args);
        return new String[] {Integer.toString(rc), err.toString()};
    }

    @Test
    void shouldStopWithOneLineNamingTheKeyOfAnUnknownKeyOrABadValue() throws IOException
    {
        final Path unknown = write("unknown.yaml", "spool: s\nspool-max-sise: 10g\n");
        assertThat(run("sensor", "--config", unknown.toString())).containsExactly("2",
            "nightjar sensor: error: config key spool-max-sise in " + unknown + " (line 2): no such option of `nightjar sensor`;"
                + " did you mean spool-max-size?\n");
        final Path badType = write("bad-type.yaml", "data: d\nplaintext: true\nlisten: 127.0.0.1:0\nmax-frame: [64m]\n");
        assertThat(run("aggregator", "--config", badType.toString())).containsExactly("2",
            "nightjar aggregator: error: config key max-frame in " + badType + " (line 4): --max-frame takes one value, not a list\n");
        final Path badInt = write("bad-int.yaml", "spool: s\nbatch-rows: many\n");
        assertThat(run("sensor", "--config", badInt.toString())[1])
            .isEqualTo("nightjar sensor: error: config key batch-rows in " + badInt + " (line 2): Invalid value for option '--batch-rows':"
                + " 'many' is not an int\n");
    }

    @Test
    void shouldNameTheKeyWhenTheCommandRefusesAValueFromTheFile() throws IOException
    {
        final Path size = write("size.yaml", "spool: " + dir.resolve("spool") + "\nspool-max-size: lots\n");
        final String[] sensor = run("sensor", "--config", size.toString());
        assertThat(sensor[0]).isEqualTo("2");
        assertThat(sensor[1]).startsWith("nightjar sensor: error: --spool-max-size (config key spool-max-size from " + size + "): ")
            .contains("'lots'");
        assertThat(dir.resolve("spool")).doesNotExist();

        final Path plaintext = write("plaintext.yaml", "data: " + dir.resolve("data") + "\nplaintext: true\nlisten: 0.0.0.0:7443\nno-geo: true\n");
        final String[] aggregator = run("aggregator", "--config", plaintext.toString());
        assertThat(aggregator).containsExactly("2", "nightjar aggregator: error: --plaintext (config key plaintext from " + plaintext
            + ") is only allowed with a loopback --listen (config key listen from " + plaintext + ") address, not 0.0.0.0:7443\n");
        // the same mistake on the command line is reported as before
        assertThat(run("aggregator", "--data", dir.resolve("data").toString(), "--plaintext", "--listen", "0.0.0.0:7443", "--no-geo")[1])
            .isEqualTo("nightjar aggregator: error: --plaintext is only allowed with a loopback --listen address, not 0.0.0.0:7443\n");
    }

    @Test
    void shouldShowTheFilesValuesAsDefaultsInHelp() throws IOException
    {
        final Path f = write("help.yaml", "spool: s\nspool-max-size: 123g\n");
        final CommandLine cl = Nightjar.commandLine();
        final StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("sensor", "--config", f.toString(), "--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE").contains("(default: 123g)");
    }
}
