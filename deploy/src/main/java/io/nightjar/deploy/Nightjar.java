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
import java.util.List;

/**
 * The {@code nightjar} command line: the sensor's and the aggregator's commands side by side
 * (this module depends on both; they never depend on each other). Run by the {@code ./nightjar}
 * launcher.
 */
@Command(name = "nightjar", mixinStandardHelpOptions = true, version = "nightjar 0.1.0",
    description = {
        "Nightjar: a darknet telescope. Sensors summarise Internet background radiation arriving at unused",
        "address space into flow records; the aggregator turns them into threat-landscape statistics."},
    subcommands = {
        SummarizeCommand.class,
        SensorCommand.class,
        AggregatorCommand.class,
        io.nightjar.aggregator.cli.TokenCommand.class,
        io.nightjar.aggregator.cli.AnonymizeKeyCommand.class,
        io.nightjar.deploy.demo.DemoCommand.class,
        GenerateCommand.class,
        ReportCommand.class,
        GeoDataCommand.class,
        CommandLine.HelpCommand.class})
public final class Nightjar implements Runnable
{
    /** The long-running commands that take {@code --config FILE} (every option of theirs is a key of it). */
    public static final List<String> CONFIGURABLE = List.of("sensor", "aggregator");

    @Override
    public void run()
    {
        new CommandLine(this).usage(System.err);
    }

    /** Builds the command line with Nightjar's error handling: bad input is one clear line and exit code 2. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new Nightjar());
        for (final String name : CONFIGURABLE)
        {
            ConfigFiles.install(cl.getSubcommands().get(name));
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
        System.exit(commandLine().execute(args));
    }
}
