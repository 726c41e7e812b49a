package io.nightjar.deploy;

import io.nightjar.aggregator.cli.AggregatorCommand;
import io.nightjar.aggregator.report.ReportCommand;
import io.nightjar.sensor.cli.SensorCommand;
import io.nightjar.sensor.cli.SummarizeCommand;
import io.nightjar.sensor.generate.GenerateCommand;
import io.nightjar.wire.config.ConfigFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code nightjar} command line: the sensor's and the aggregator's commands side by side
 * (this module depends on both; they never depend on each other). Run by the {@code ./nightjar}
 * launcher.
 */
@Command(name = "nightjar", mixinStandardHelpOptions = true, version = "nightjar 0.1.0",
    description = {
        "Nightjar: a darknet telescope. Sensors summarise Internet background radiation arriving at unused",
        "address space into flow records; the aggregator turns them into threat-landscape statistics."},
    subcommands = CommandLine.HelpCommand.class)
public final class Nightjar implements Runnable
{
    /**
     * The subcommands, in the order of the usage message. Built by name, so that running one
     * command builds only its own model: picocli reads every option's annotations when it builds a
     * command, and the whole tree took 85 ms of a 0.3-s run of {@code summarize} on a small file.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static
    {
        SUBCOMMANDS.put("summarize", SummarizeCommand::new);
        SUBCOMMANDS.put("sensor", SensorCommand::new);
        SUBCOMMANDS.put("aggregator", AggregatorCommand::new);
        SUBCOMMANDS.put("token", io.nightjar.aggregator.cli.TokenCommand::new);
        SUBCOMMANDS.put("anonymize-key", io.nightjar.aggregator.cli.AnonymizeKeyCommand::new);
        SUBCOMMANDS.put("demo", io.nightjar.deploy.demo.DemoCommand::new);
        SUBCOMMANDS.put("generate", GenerateCommand::new);
        SUBCOMMANDS.put("report", ReportCommand::new);
        SUBCOMMANDS.put("geo-data", GeoDataCommand::new);
    }

    /** The long-running commands that take {@code --config FILE} (every option of theirs is a key of it). */
    public static final List<String> CONFIGURABLE = List.of("sensor", "aggregator");

    @Override
    public void run()
    {
        new CommandLine(this).usage(System.err);
    }

    /** Builds the command line with every subcommand and Nightjar's error handling: bad input is one clear line and exit code 2. */
    public static CommandLine commandLine()
    {
        return commandLine(null);
    }

    /**
     * The command line for {@code args}: when they start with a subcommand's name, only that
     * subcommand is built (it parses, runs and prints its usage exactly as in the whole tree);
     * otherwise (no arguments, {@code --help}, {@code help}, an unknown name) every one is.
     */
    public static CommandLine commandLine(final String[] argv)
    {
        final CommandLine cl = new CommandLine(new Nightjar());
        final String first = argv == null || argv.length == 0 ? null : argv[0];
        for (final Map.Entry<String, Supplier<Object>> e : SUBCOMMANDS.entrySet())
        {
            if (first == null || !SUBCOMMANDS.containsKey(first) || first.equals(e.getKey()))
            {
                cl.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        // the help command is listed last, as before
        final CommandLine help = cl.getSubcommands().get("help");
        cl.getCommandSpec().removeSubcommand("help");
        cl.addSubcommand("help", help);
        for (final String name : CONFIGURABLE)
        {
            final CommandLine sub = cl.getSubcommands().get(name);
            if (sub != null)
            {
                ConfigFiles.install(sub);
            }
        }
        // logs the effective configuration of a configurable command before running it
        cl.setExecutionStrategy(ConfigFiles.executionStrategy(cl.getExecutionStrategy()));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            final Throwable cause = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
            if (cause instanceof IllegalArgumentException || cause instanceof IOException)
            {
                // an option named in the message whose value came from --config FILE is named as that file's key
                commandLine.getErr().println("nightjar " + commandLine.getCommandName() + ": error: "
                    + ConfigFiles.annotate(commandLine, cause.getMessage()));
                return 2;
            }
            throw ex;
        });
        // report, and errors in a --config file: a bad or missing option is one line naming it (not the whole usage), exit 2;
        // other commands keep picocli's default
        final CommandLine.IParameterExceptionHandler usual = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) ->
        {
            final String config = ConfigFiles.describe(ex);
            if (config != null)
            {
                ex.getCommandLine().getErr().println("nightjar " + ex.getCommandLine().getCommandName() + ": error: " + config);
                return 2;
            }
            if (!"report".equals(ex.getCommandLine().getCommandName()))
            {
                return usual.handleParseException(ex, args);
            }
            ex.getCommandLine().getErr().println("nightjar report: error: " + ex.getMessage() + " (see nightjar report --help)");
            return 2;
        });
        return cl;
    }

    /** Entry point. */
    public static void main(final String[] args)
    {
        System.exit(commandLine(args).execute(args));
    }
}
