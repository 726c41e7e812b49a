package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nightjar.aggregator.auth.Principal;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.wire.config.ConfigFile;
import io.nightjar.wire.config.ConfigFiles;
import io.nightjar.wire.config.ConfigSource;
import io.nightjar.wire.config.EffectiveConfiguration;
import io.nightjar.wire.config.OptionKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What can be checked offline about the operator's files in {@code deploy/} (no systemd, no container
 * engine): every path the Containerfiles COPY exists; every command line the systemd units, the
 * Containerfiles and compose.yaml run parses with the real {@code nightjar} command line (in-process,
 * {@link Nightjar#commandLine()}), with the example environment files' values substituted, and every
 * option they use is in that command's {@code --help}; the example configurations load as the
 * aggregator loads them; the example {@code --config} files of the sensor and the aggregator have a
 * valid key for every option the commands have (the systemd units run them); the JVM flags the units and images use are the build's.
 */
class DeployFilesTest
{
    private static final Path ROOT = Path.of(System.getProperty("nightjar.root", "..")).toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final String MAIN_CLASS = "io.nightjar.deploy.Nightjar";
    private static final Pattern BRACED = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    private static final String INSTALLED_AGGREGATOR_YAML = "/etc/nightjar/aggregator.yaml";
    /** "#key: value": an option of an example configuration left at its default (prose comments have a space after '#'). */
    private static final Pattern DISABLED_KEY = Pattern.compile("(?m)^#([a-z][a-z0-9-]*:.*)$");

    @Test
    void shouldCopyOnlyPathsThatExistIntoTheImages() throws IOException
    {
        final List<String> modules = modules();
        for (final String name : List.of("Containerfile.aggregator", "Containerfile.sensor"))
        {
            final List<String> copied = new ArrayList<>();
            for (final String line : logicalLines(DEPLOY.resolve("container").resolve(name), "#"))
            {
                final List<String> words = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
                if (!words.get(0).equals("COPY"))
                {
                    continue;
                }
                words.remove(0);
                if (words.stream().anyMatch(w -> w.startsWith("--from=")))
                {
                    continue;   // from the build stage, checked below
                }
                words.removeIf(w -> w.startsWith("--"));
                for (final String source : words.subList(0, words.size() - 1))
                {
                    assertThat(ROOT.resolve(source)).as(name + ": COPY " + source).exists();
                    copied.add(source);
                }
            }
            // the reactor needs every module's POM, and the build every source tree of deploy's modules
            assertThat(copied).as(name).contains("pom.xml");
            for (final String module : modules)
            {
                assertThat(copied).as(name + ": module " + module).contains(module + "/pom.xml");
            }
            assertThat(copied).as(name).contains("wire/src", "sensor/src", "aggregator/src", "deploy/src");
            final String text = Files.readString(DEPLOY.resolve("container").resolve(name));
            // what the build stage copies out is where Maven writes it (this very build wrote it)
            assertThat(text).contains("deploy/target/classes/nightjar/jvm.flags");
            assertThat(DEPLOY.resolve("target/classes/nightjar/jvm.flags")).exists();
            assertThat(text).contains("-cp '/opt/nightjar/lib/*' " + MAIN_CLASS);
            assertThat(DEPLOY.resolve("container").resolve(name + ".dockerignore")).exists();
        }
    }

    @Test
    void shouldRunOnlyCommandsAndOptionsTheCommandLineHasInTheImagesAndCompose() throws IOException
    {
        for (final String name : List.of("Containerfile.aggregator", "Containerfile.sensor"))
        {
            for (final String line : logicalLines(DEPLOY.resolve("container").resolve(name), "#"))
            {
                if (line.startsWith("CMD "))
                {
                    final List<String> args = jsonArray(line.substring(4));
                    checkCommandLine(name + " CMD", args);
                }
            }
        }
        final String aggregatorImage = Files.readString(DEPLOY.resolve("container/Containerfile.aggregator"));
        assertThat(aggregatorImage).contains("EXPOSE 7443 8080").contains("/healthz").contains("HEALTHCHECK");

        final Path composeFile = DEPLOY.resolve("container/compose.yaml");
        final JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(composeFile.toFile());
        final JsonNode services = compose.get("services");
        assertThat(services.size()).as("one aggregator and two sensors").isEqualTo(3);
        int sensors = 0;
        for (final Map.Entry<String, JsonNode> s : iterable(services))
        {
            final List<String> args = new ArrayList<>();
            s.getValue().get("command").forEach(a -> args.add(a.asText()));
            checkCommandLine("compose " + s.getKey(), args);
            sensors += args.get(0).equals("sensor") ? 1 : 0;
            final JsonNode build = s.getValue().get("build");
            if (build != null)
            {
                final Path context = composeFile.getParent().resolve(build.get("context").asText()).normalize();
                assertThat(context).isEqualTo(ROOT);
                assertThat(context.resolve(build.get("dockerfile").asText())).exists();
            }
            for (final JsonNode v : s.getValue().withArray("volumes"))
            {
                final String host = v.asText().split(":")[0];
                if (host.startsWith("../"))
                {
                    assertThat(composeFile.getParent().resolve(host).normalize()).as("compose " + s.getKey() + " volume").exists();
                }
            }
        }
        assertThat(sensors).isEqualTo(2);
    }

    @Test
    void shouldRunOnlyCommandsAndOptionsTheCommandLineHasInTheUnits() throws IOException
    {
        final Map<String, String> jvm = environmentFile(DEPLOY.resolve("src/main/resources/nightjar/jvm.env"));
        final Map<String, String> built = environmentFile(DEPLOY.resolve("target/classes/nightjar/jvm.env"));
        final String flags = Files.readString(DEPLOY.resolve("target/classes/nightjar/jvm.flags")).trim();
        assertThat(flags).contains("--add-opens");
        assertThat(built.get("NIGHTJAR_JVM_FLAGS")).as("jvm.env as built = jvm.flags").isEqualTo(flags);
        assertThat(jvm).containsKey("NIGHTJAR_JVM_FLAGS");

        checkUnit("nightjar-aggregator.service", "aggregator.env", "aggregator", null);
        checkUnit("nightjar-sensor@.service", "sensor.env", "sensor", "th-bkk-1");
        assertThat(Files.readString(DEPLOY.resolve("systemd/nightjar-aggregator.service"))).contains("--config " + INSTALLED_AGGREGATOR_YAML);
        assertThat(Files.readString(DEPLOY.resolve("systemd/nightjar-sensor@.service"))).contains("--config /etc/nightjar/sensor-%i.yaml");

        // capabilities: the sensor's capture needs raw sockets; the aggregator needs none
        final String aggregator = Files.readString(DEPLOY.resolve("systemd/nightjar-aggregator.service"));
        final String sensor = Files.readString(DEPLOY.resolve("systemd/nightjar-sensor@.service"));
        assertThat(aggregator).contains("\nAmbientCapabilities=\n", "\nCapabilityBoundingSet=\n");
        assertThat(sensor).contains("\nAmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN\n");
        for (final String unit : List.of(aggregator, sensor))
        {
            assertThat(unit).contains("User=nightjar", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/nightjar/",
                "ProtectHome=yes", "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service", "MemoryMax=",
                "Restart=on-failure", "TimeoutStopSec=", "EnvironmentFile=/opt/nightjar/jvm.env", "EnvironmentFile=/etc/nightjar/");
        }

        // the sensor unit runs live capture from its YAML (interface:) until stopped; stop leaves room above stop-grace
        assertThat(sensor).contains("SuccessExitStatus=143", "TimeoutStopSec=30s");
        assertThat(spec("sensor").findOption("--interface")).isNotNull();
    }

    private static CommandLine.Model.CommandSpec spec(final String command)
    {
        return Nightjar.commandLine().getSubcommands().get(command).getCommandSpec();
    }

    @Test
    void shouldLoadTheExampleConfigurationsAsTheAggregatorDoes() throws Exception
    {
        final SensorRegistry asean = SensorRegistry.load(DEPLOY.resolve("examples/sensors.asean.yaml"));
        assertThat(asean.sensors()).hasSizeGreaterThanOrEqualTo(8);
        assertThat(asean.sensors().values().stream().map(SensorEntry::country).distinct().count()).isGreaterThanOrEqualTo(8);
        final String organisations = String.join(" ", asean.sensors().values().stream().map(SensorEntry::organisation).toList());
        for (final Character.UnicodeScript script : List.of(Character.UnicodeScript.THAI, Character.UnicodeScript.KHMER,
            Character.UnicodeScript.LAO, Character.UnicodeScript.MYANMAR))
        {
            assertThat(organisations.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == script)).as(script.name()).isTrue();
        }
        assertThat(organisations).contains("Ứng cứu");   // Vietnamese diacritics survive the YAML
        // compose's two sensors are on the allow-list it mounts
        assertThat(asean.allows("th-bkk-1") && asean.allows("vn-han-1")).isTrue();
        assertThat(SensorRegistry.load(DEPLOY.resolve("sensors.example.yaml")).sensors()).isNotEmpty();

        // every example token in the comments opens the example file, with the scope the comment says
        final Path tokensFile = DEPLOY.resolve("examples/tokens.example.yaml");
        final Tokens tokens = Tokens.load(tokensFile);
        assertThat(tokens.size()).isEqualTo(3);
        final Matcher m = Pattern.compile("#\\s+(regional|member state ([A-Z]{2})).*?:\\s+(nj_EXAMPLE-\\S+)")
            .matcher(Files.readString(tokensFile));
        int found = 0;
        while (m.find())
        {
            final Principal p = tokens.check(m.group(3));
            assertThat(p).as(m.group(3)).isNotNull();
            assertThat(p.memberState()).isEqualTo(m.group(2));
            assertThat(p.organisation()).contains("EXAMPLE");
            found++;
        }
        assertThat(found).isEqualTo(3);

        assertThat(Files.isExecutable(DEPLOY.resolve("certs/make-certs.sh"))).isTrue();
    }

    @Test
    void shouldHaveAValidExampleKeyForEveryOptionOfTheConfigurableCommands(@TempDir final Path dir) throws IOException
    {
        assertThat(Nightjar.CONFIGURABLE).containsExactly("sensor", "aggregator");
        for (final String command : Nightjar.CONFIGURABLE)
        {
            final Path example = DEPLOY.resolve("examples").resolve(command + ".yaml");
            final String text = Files.readString(example);
            // as it is, and with every "#key: value" enabled: the real loader against the real command
            final Path enabled = dir.resolve(command + ".yaml");
            Files.writeString(enabled, DISABLED_KEY.matcher(text).replaceAll("$1"));
            for (final Path file : List.of(example, enabled))
            {
                final EffectiveConfiguration effective = parseWithConfig(command, file);
                assertThat(effective.settings()).as(file.toString()).allSatisfy(s -> assertThat(s.source()).isNotEqualTo(ConfigSource.COMMAND_LINE));
            }
            final ConfigFile all = ConfigFile.read(enabled);
            final OptionKeys keys = OptionKeys.of(Nightjar.commandLine().getSubcommands().get(command).getCommandSpec());
            for (final CommandLine.Model.OptionSpec o : keys.options())
            {
                assertThat(all.get(OptionKeys.keyOf(o)))
                    .as("examples/%s.yaml has a key (or a \"#%s: value\" line) with a comment for %s", command, OptionKeys.keyOf(o), o.longestName())
                    .isNotNull();
            }
        }
        // the two examples are what the units run: every value from the file, but what the unit's command line gives
        final EffectiveConfiguration sensor = parseWithConfig("sensor", DEPLOY.resolve("examples/sensor.yaml"));
        assertThat(sensor.get("aggregator").raw()).isEqualTo("agg.cert.example:7443");
        assertThat(sensor.get("darknet").raw()).isEqualTo("[198.51.100.0/24, 2001:db8:dead::/48]");
        assertThat(sensor.get("quiet").raw()).isEqualTo("true");
        final EffectiveConfiguration aggregator = parseWithConfig("aggregator", DEPLOY.resolve("examples/aggregator.yaml"));
        assertThat(aggregator.get("key").shown()).isEqualTo("/etc/nightjar/pki/aggregator.key");
        assertThat(aggregator.get("max-frame").source()).isEqualTo(ConfigSource.FILE);
    }

    private static EffectiveConfiguration parseWithConfig(final String command, final Path file)
    {
        final CommandLine.ParseResult parsed = Nightjar.commandLine().parseArgs(command, "--config", file.toString());
        return ConfigFiles.complete(parsed.subcommand());
    }

    /** The unit's ExecStart, with the example env file's values, must parse as a nightjar command line. */
    private static void checkUnit(final String unit, final String envExample, final String command, final String instance) throws IOException
    {
        final List<String> lines = logicalLines(DEPLOY.resolve("systemd").resolve(unit), "#");
        final List<String> exec = lines.stream().filter(l -> l.startsWith("ExecStart=")).toList();
        assertThat(exec).as(unit).hasSize(1);
        final Map<String, String> env = new LinkedHashMap<>(environmentFile(DEPLOY.resolve("src/main/resources/nightjar/jvm.env")));
        env.putAll(environmentFile(DEPLOY.resolve("examples").resolve(envExample)));
        final List<String> words = Arrays.asList(exec.get(0).substring("ExecStart=".length()).trim().split("\\s+"));
        assertThat(words.get(0)).startsWith("/");
        final int main = words.indexOf(MAIN_CLASS);
        assertThat(main).as(unit + ": runs " + MAIN_CLASS).isPositive();
        assertThat(words.get(main - 1)).isEqualTo("/opt/nightjar/lib/*");
        final List<String> args = new ArrayList<>();
        for (final String w : words.subList(main + 1, words.size()))
        {
            final String word = instance == null ? w : w.replace("%i", instance);
            assertThat(word).as(unit + ": specifier").doesNotContain("%");
            if (word.matches("\\$[A-Z0-9_]+"))
            {
                // systemd: an unbraced $VAR alone is split at whitespace into zero or more words
                final String value = env.getOrDefault(word.substring(1), "");
                args.addAll(Arrays.asList(value.trim().split("\\s+")).stream().filter(s -> !s.isEmpty()).toList());
                continue;
            }
            args.add(installedExample(substitute(unit, envExample, env, word)));
        }
        for (final String w : words.subList(0, main))
        {
            if (w.matches("\\$[A-Z0-9_]+"))
            {
                assertThat(env).as(unit + ": " + w + " is set").containsKey(w.substring(1));
                continue;
            }
            final String jvmWord = substitute(unit, envExample, env, w);
            if (jvmWord.startsWith("-Dnightjar.duckdb.settings="))
            {
                // what the store runs as DuckDB SET statements when it opens
                try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement())
                {
                    for (final String setting : jvmWord.substring("-Dnightjar.duckdb.settings=".length()).split(";"))
                    {
                        st.execute("SET " + setting);
                    }
                }
                catch (final java.sql.SQLException ex)
                {
                    fail(unit + ": " + jvmWord + ": " + ex.getMessage());
                }
            }
        }
        assertThat(args.get(0)).isEqualTo(command);
        checkCommandLine(unit, args);
    }

    /** A configuration file's installed path (/etc/nightjar/...) as the example it is made from; other words unchanged. */
    private static String installedExample(final String word)
    {
        if (word.equals(INSTALLED_AGGREGATOR_YAML))
        {
            return DEPLOY.resolve("examples/aggregator.yaml").toString();
        }
        if (word.matches("/etc/nightjar/sensor-[a-z0-9.-]+\\.yaml"))
        {
            return DEPLOY.resolve("examples/sensor.yaml").toString();
        }
        return word;
    }

    /** One word of ExecStart: unit-file double quotes removed, ${VAR} replaced by the example env file's value. */
    private static String substitute(final String unit, final String envExample, final Map<String, String> env, final String word)
    {
        final String unquoted = word.length() > 1 && word.startsWith("\"") && word.endsWith("\"") ? word.substring(1, word.length() - 1) : word;
        final Matcher m = BRACED.matcher(unquoted);
        final StringBuilder out = new StringBuilder();
        while (m.find())
        {
            assertThat(env).as(unit + ": " + m.group(1) + " is set in examples/" + envExample).containsKey(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(env.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code args} (a subcommand and its options) parse with the real command line, and each option is in its --help. */
    private static void checkCommandLine(final String where, final List<String> args)
    {
        final CommandLine cl = Nightjar.commandLine();
        assertThat(cl.getSubcommands()).as(where + ": command").containsKey(args.get(0));
        try
        {
            final CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
            assertThat(parsed.subcommand()).as(where).isNotNull();
            assertThat(parsed.subcommand().unmatched()).as(where).isEmpty();
        }
        catch (final CommandLine.ParameterException ex)
        {
            fail(where + ": `nightjar " + String.join(" ", args) + "` does not parse: " + ex.getMessage());
        }
        final StringWriter help = new StringWriter();
        final CommandLine fresh = Nightjar.commandLine();
        fresh.setOut(new PrintWriter(help));
        assertThat(fresh.execute(args.get(0), "--help")).isZero();
        for (final String a : args)
        {
            if (a.startsWith("--"))
            {
                final String name = a.split("=")[0];
                assertThat(Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])").matcher(help.toString()).find())
                    .as(where + ": " + name + " in nightjar " + args.get(0) + " --help").isTrue();
            }
        }
    }

    /** Lines of a unit or Containerfile with backslash continuations joined, comments and blank lines dropped. */
    private static List<String> logicalLines(final Path file, final String comment) throws IOException
    {
        final List<String> out = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String raw : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            final String line = raw.strip();
            if (current.length() == 0 && (line.isEmpty() || line.startsWith(comment)))
            {
                continue;
            }
            if (line.endsWith("\\"))
            {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            out.add(current.toString().strip());
            current.setLength(0);
        }
        return out;
    }

    /** A systemd EnvironmentFile as systemd reads one here: KEY=value lines, '#' and ';' comments. */
    private static Map<String, String> environmentFile(final Path file) throws IOException
    {
        final Map<String, String> env = new LinkedHashMap<>();
        for (final String raw : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))
            {
                continue;
            }
            final int eq = line.indexOf('=');
            assertThat(eq).as(file + ": " + line).isPositive();
            String value = line.substring(eq + 1);
            assertThat(value).as(file + ": no quoting or shell syntax: " + line).doesNotContain("\"", "$(", "`");
            env.put(line.substring(0, eq), value);
        }
        return env;
    }

    private static List<String> modules() throws IOException
    {
        final List<String> modules = new ArrayList<>();
        final Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (m.find())
        {
            modules.add(m.group(1));
        }
        assertThat(modules).contains("deploy");
        return modules;
    }

    private static List<String> jsonArray(final String text) throws IOException
    {
        final List<String> out = new ArrayList<>();
        new ObjectMapper().readTree(text).forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(final JsonNode node)
    {
        final List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        node.fields().forEachRemaining(out::add);
        return out;
    }

}
