package io.nightjar.wire.config;

import io.nightjar.wire.tls.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFilesTest
{
    @TempDir
    Path dir;

    /** A command with the kinds of options the sensor and the aggregator have. */
    @Command(name = "probe", mixinStandardHelpOptions = true)
    static final class Probe implements Callable<Integer>
    {
        @Option(names = "--spool", required = true)
        Path spool;

        @Option(names = "--spool-max-size", defaultValue = "10g")
        String spoolMaxSize;

        @Option(names = "--darknet", split = ",")
        List<String> darknet = new ArrayList<>();

        @Option(names = "--read", arity = "1..*")
        List<Path> read;

        @Option(names = "--port")
        List<Integer> ports;

        @Option(names = "--max-flows", defaultValue = "4000000")
        int maxFlows;

        @Option(names = "--plaintext")
        boolean plaintext;

        @Option(names = "--key")
        Path key;

        @Option(names = "--anonymize-key")
        String anonymizeKey;

        @Override
        public Integer call()
        {
            Units.parseSize("--spool-max-size", spoolMaxSize);
            return 0;
        }
    }

    @Command(name = "tool", subcommands = Probe.class)
    static final class Tool implements Runnable
    {
        @Override
        public void run()
        {
        }
    }

    private CommandLine tool()
    {
        final CommandLine cl = new CommandLine(new Tool());
        ConfigFiles.install(cl.getSubcommands().get("probe"));
        cl.setExecutionStrategy(ConfigFiles.executionStrategy(new CommandLine.RunLast()));
        return cl;
    }

    private Path config(final String yaml) throws IOException
    {
        final Path f = dir.resolve("probe.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** Parses {@code probe args...}, completes it from the file and returns the command. */
    private Probe parse(final String... args)
    {
        final CommandLine cl = tool();
        final List<String> all = new ArrayList<>(List.of("probe"));
        all.addAll(List.of(args));
        final CommandLine.ParseResult r = cl.parseArgs(all.toArray(String[]::new));
        ConfigFiles.complete(r.subcommand());
        return cl.getSubcommands().get("probe").getCommand();
    }

    private EffectiveConfiguration effective(final String... args)
    {
        final CommandLine cl = tool();
        final List<String> all = new ArrayList<>(List.of("probe"));
        all.addAll(List.of(args));
        return ConfigFiles.complete(cl.parseArgs(all.toArray(String[]::new)).subcommand());
    }

    /** The one-line message Nightjar prints for a parse error coming from the file. */
    private String parseError(final String... args)
    {
        try
        {
            parse(args);
        }
        catch (final ParameterException ex)
        {
            final String described = ConfigFiles.describe(ex);
            assertThat(described).as("an error about the file: " + ex.getMessage()).isNotNull();
            return described;
        }
        throw new AssertionError("no error");
    }

    @Test
    void shouldTakeEveryKindOfOptionFromTheFile() throws IOException
    {
        final Path f = config("""
            spool: /var/lib/nightjar/spool
            spool-max-size: 500m
            darknet: [192.0.2.0/24, "2001:db8::/32"]
            read: [a.pcap, b.pcap, c.pcap]
            port: [22, 23]
            max-flows: 1000
            plaintext: true
            """);
        final Probe p = parse("--config", f.toString());
        assertThat(p.spool).isEqualTo(Path.of("/var/lib/nightjar/spool"));
        assertThat(p.spoolMaxSize).isEqualTo("500m");
        assertThat(p.darknet).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(p.read).containsExactly(Path.of("a.pcap"), Path.of("b.pcap"), Path.of("c.pcap"));
        assertThat(p.ports).containsExactly(22, 23);
        assertThat(p.maxFlows).isEqualTo(1000);
        assertThat(p.plaintext).isTrue();
    }

    @Test
    void shouldTakeAOneElementListAScalarForAListAndASplitString() throws IOException
    {
        assertThat(parse("--config=" + config("spool: s\nread: [a.pcap]\ndarknet: 192.0.2.0/24,198.51.100.0/24\n")).darknet)
            .containsExactly("192.0.2.0/24", "198.51.100.0/24");
        final Probe p = parse("--config", config("spool: s\nread: a.pcap\nport: 7\n").toString());
        assertThat(p.read).containsExactly(Path.of("a.pcap"));
        assertThat(p.ports).containsExactly(7);
    }

    @Test
    void shouldTakeFlagsAsTrueOrFalse() throws IOException
    {
        assertThat(parse("--config", config("spool: s\nplaintext: false\n").toString()).plaintext).isFalse();
        assertThat(parse("--config", config("spool: s\nplaintext: TRUE\n").toString()).plaintext).isTrue();
        final Path f = config("spool: s\nplaintext: yes please\n");
        assertThat(parseError("--config", f.toString()))
            .isEqualTo("config key plaintext in " + f + " (line 2): --plaintext is a flag: give true or false, not 'yes please'");
    }

    @Test
    void shouldLetTheCommandLineOverrideTheFile() throws IOException
    {
        final Path f = config("spool: s\nspool-max-size: 500m\nread: [a.pcap, b.pcap]\ndarknet: [192.0.2.0/24]\nmax-flows: 7\n");
        final Probe p = parse("--spool-max-size", "1g", "--config", f.toString(), "--read", "c.pcap", "--darknet", "198.51.100.0/24");
        assertThat(p.spoolMaxSize).isEqualTo("1g");
        assertThat(p.read).containsExactly(Path.of("c.pcap"));
        assertThat(p.darknet).containsExactly("198.51.100.0/24");
        assertThat(p.maxFlows).isEqualTo(7);
        assertThat(p.spool).isEqualTo(Path.of("s"));
    }

    @Test
    void shouldSatisfyARequiredOptionFromTheFileAndStillRequireItWithout() throws IOException
    {
        assertThat(parse("--config", config("spool: /s\n").toString()).spool).isEqualTo(Path.of("/s"));
        assertThatThrownBy(() -> parse("--config", config("").toString()))
            .isInstanceOf(CommandLine.MissingParameterException.class).hasMessageContaining("--spool");
    }

    @Test
    void shouldRunAsBeforeWithoutAConfigFile()
    {
        final Probe p = parse("--spool", "s", "--read", "a", "b");
        assertThat(p.read).containsExactly(Path.of("a"), Path.of("b"));
        assertThat(p.spoolMaxSize).isEqualTo("10g");
        assertThat(p.darknet).isEmpty();
    }

    @Test
    void shouldNotExpandVariablesInValues() throws IOException
    {
        final Probe p = parse("--config", config("spool: ${env:HOME}/spool\nspool-max-size: 'a$$b ${x:-y}'\n").toString());
        assertThat(p.spool).isEqualTo(Path.of("${env:HOME}/spool"));
        assertThat(p.spoolMaxSize).isEqualTo("a$$b ${x:-y}");
    }

    @Test
    void shouldNameAnUnknownKeyAndTheFileAndSuggestTheNearestKey() throws IOException
    {
        final Path f = config("spool: s\nspool-max-sise: 10g\n");
        assertThat(parseError("--config", f.toString()))
            .isEqualTo("config key spool-max-sise in " + f + " (line 2): no such option of `tool probe`; did you mean spool-max-size?");
        final Path dashes = config("--spool: s\n");
        assertThat(parseError("--config", dashes.toString())).endsWith("write keys without the leading dashes: spool");
        final Path far = config("colour: blue\n");
        assertThat(parseError("--config", far.toString())).contains("config key colour in " + far)
            .contains("valid keys: spool, spool-max-size, darknet, read, port, max-flows, plaintext, key, anonymize-key");
        assertThat(parseError("--config", config("help: true\n").toString())).contains("config key help").contains("no such option");
        assertThat(parseError("--config", config("config: other.yaml\n").toString())).contains("cannot name another one");
    }

    @Test
    void shouldNameTheKeyOfABadValue() throws IOException
    {
        final Path f = config("spool: s\nmax-flows: lots\n");
        assertThat(parseError("--config", f.toString()))
            .isEqualTo("config key max-flows in " + f + " (line 2): Invalid value for option '--max-flows': 'lots' is not an int");
        final Path list = config("spool: s\nport: [22, telnet]\n");
        assertThat(parseError("--config", list.toString())).startsWith("config key port in " + list + " (line 2): ").contains("telnet");
        final Path notList = config("spool: [a, b]\n");
        assertThat(parseError("--config", notList.toString()))
            .isEqualTo("config key spool in " + notList + " (line 1): --spool takes one value, not a list");
    }

    @Test
    void shouldNameAnUnreadableOrBadFileAndARefusedNestedMap() throws IOException
    {
        final Path missing = dir.resolve("nope.yaml");
        assertThat(parseError("--config", missing.toString())).isEqualTo("cannot read config file " + missing + ": no such file");
        final Path nested = config("spool: s\nship:\n  aggregator: a:1\n");
        assertThat(parseError("--config", nested.toString())).startsWith("config key ship in " + nested + " (line 2): nested keys");
        assertThat(parseError("--config", "a.yaml", "--config", "b.yaml")).isEqualTo("--config is given twice");
        assertThat(parseError("--spool", "s", "--config")).isEqualTo("--config needs a file");
    }

    @Test
    void shouldLeaveCommandLineErrorsAlone() throws IOException
    {
        final Path f = config("spool: s\n");
        assertThatThrownBy(() -> parse("--config", f.toString(), "--max-flows", "lots"))
            .isInstanceOfSatisfying(ParameterException.class, ex -> assertThat(ConfigFiles.describe(ex)).isNull());
    }

    @Test
    void shouldSayWhereEachValueCameFromAndMaskSecrets() throws IOException
    {
        final Path f = config("spool: s\nkey: /etc/nightjar/pki/s.key\nanonymize-key: 00112233445566778899\nread: [a, b]\n");
        final EffectiveConfiguration e = effective("--config", f.toString(), "--max-flows", "9");
        assertThat(e.get("max-flows").source()).isEqualTo(ConfigSource.COMMAND_LINE);
        assertThat(e.get("spool").source()).isEqualTo(ConfigSource.FILE);
        assertThat(e.get("spool-max-size").source()).isEqualTo(ConfigSource.DEFAULT);
        assertThat(e.get("key").shown()).isEqualTo("/etc/nightjar/pki/s.key");
        assertThat(e.get("anonymize-key").shown()).isEqualTo(ConfigSecrets.MASK);
        assertThat(e.summary())
            .isEqualTo("effective configuration of tool probe: command line {max-flows=9}; file " + f
                + " {spool=s, read=[a, b], key=/etc/nightjar/pki/s.key, anonymize-key=****};"
                + " defaults {spool-max-size=10g, darknet=[], plaintext=false}; unset {port}")
            .doesNotContain("0011223344");
        assertThat(effective("--spool", "s").summary()).startsWith("effective configuration of tool probe: command line {spool=s}; defaults {");
    }

    @Test
    void shouldNameTheConfigKeyInTheCommandsOwnErrors() throws IOException
    {
        final Path f = config("spool: s\nspool-max-size: lots\nanonymize-key: 00112233445566778899\n");
        final CommandLine cl = tool();
        final String[] message = new String[1];
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            message[0] = ConfigFiles.annotate(commandLine, ex.getMessage() + " (anonymize-key 00112233445566778899)");
            return 2;
        });
        assertThat(cl.execute("probe", "--config", f.toString())).isEqualTo(2);
        assertThat(message[0]).startsWith("--spool-max-size (config key spool-max-size from " + f + "): ").contains("'lots'")
            .endsWith("(anonymize-key ****)");
        // the same value on the command line: the message is the command's own
        assertThat(cl.execute("probe", "--config", f.toString(), "--spool-max-size", "lots")).isEqualTo(2);
        assertThat(message[0]).startsWith("--spool-max-size: ");
    }

    @Test
    void shouldMentionOnlyWholeOptionNames()
    {
        final EffectiveConfiguration e = new EffectiveConfiguration("x", Path.of("f.yaml"), List.of(
            new EffectiveConfiguration.Setting(CommandLine.Model.OptionSpec.builder("--spool").build(), "spool", ConfigSource.FILE, "s", "s")));
        assertThat(e.annotate("--spool-max-size and --spool, --spool")).isEqualTo("--spool-max-size and --spool (config key spool from f.yaml), --spool");
    }

    @Test
    void shouldSuggestKeysByEditDistance()
    {
        assertThat(OptionKeys.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(OptionKeys.distance("", "abc")).isEqualTo(3);
        final OptionKeys keys = OptionKeys.of(new CommandLine(new Probe()).getCommandSpec());
        assertThat(keys.nearest("max-size")).isEqualTo("spool-max-size");
        assertThat(keys.nearest("darknets")).isEqualTo("darknet");
        assertThat(keys.nearest("zzzzzzzz")).isNull();
        assertThat(keys.keys()).doesNotContain("help", "version", "h", "V");
    }
}
