package io.nightjar.benchmarks;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Runs the JMH benchmarks of this jar with the JVM flags the launcher uses: those of the parent
 * POM's {@code nightjar.jvm.flags} (filtered into the {@code nightjar/jvm.flags} resource) plus
 * {@code -XX:+UseParallelGC -XX:InlineSmallCode=1000}, as {@code ./nightjar} runs. Accepts every
 * JMH option; defaults, used when the option is absent: {@code -f 1 -wi 3 -w 2s -i 5 -r 2s}. A
 * {@code -jvmArgsAppend} given on the command line is added after the project's flags instead of
 * replacing them.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar                       # everything
 * java -jar benchmarks/target/benchmarks.jar PipelineBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar -l                    # list
 * </pre>
 */
public final class BenchmarkMain
{
    /** Classpath resource holding the project's JVM flags, whitespace separated. */
    public static final String FLAGS_RESOURCE = "nightjar/jvm.flags";
    /** Flags the launcher adds to the project's (transparent huge pages only where the kernel offers them, as the launcher does). */
    public static final List<String> LAUNCHER_FLAGS = transparentHugePages()
        ? List.of("-XX:+UseParallelGC", "-XX:InlineSmallCode=1000", "-XX:+UseTransparentHugePages")
        : List.of("-XX:+UseParallelGC", "-XX:InlineSmallCode=1000");

    private BenchmarkMain()
    {
    }

    public static void main(final String[] args) throws IOException, RunnerException
    {
        final CommandLineOptions cli;
        try
        {
            cli = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line: " + ex.getMessage());
            System.exit(1);
            return;
        }
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers() ||
            cli.shouldListResultFormats())
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }

        final List<String> jvmArgs = new ArrayList<>(projectFlags());
        jvmArgs.addAll(LAUNCHER_FLAGS);
        jvmArgs.addAll(cli.getJvmArgsAppend().orElse(List.of()));

        final ChainedOptionsBuilder options = new OptionsBuilder().parent(cli).jvmArgsAppend(jvmArgs.toArray(new String[0]));
        if (!cli.getForkCount().hasValue())
        {
            options.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue())
        {
            options.warmupIterations(3);
        }
        if (!cli.getWarmupTime().hasValue())
        {
            options.warmupTime(TimeValue.seconds(2));
        }
        if (!cli.getMeasurementIterations().hasValue())
        {
            options.measurementIterations(5);
        }
        if (!cli.getMeasurementTime().hasValue())
        {
            options.measurementTime(TimeValue.seconds(2));
        }
        System.err.println("nightjar benchmarks: fork JVM flags " + String.join(" ", jvmArgs));
        new Runner(options.build()).run();
    }

    /** Whether the kernel's transparent huge pages are {@code always} or {@code madvise} (what the JVM's flag needs). */
    static boolean transparentHugePages()
    {
        try
        {
            final String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            return mode.contains("[always]") || mode.contains("[madvise]");
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /** The project's JVM flags from {@value #FLAGS_RESOURCE}, or fails if the build did not filter them. */
    static Collection<String> projectFlags() throws IOException
    {
        try (InputStream in = BenchmarkMain.class.getClassLoader().getResourceAsStream(FLAGS_RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException(FLAGS_RESOURCE + " missing from the classpath: build with Maven");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (text.contains("${"))
            {
                throw new IllegalStateException(FLAGS_RESOURCE + " was not filtered by the build: " + text);
            }
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
        }
    }
}
