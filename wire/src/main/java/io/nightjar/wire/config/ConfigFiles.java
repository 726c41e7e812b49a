package io.nightjar.wire.config;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.Stack;

/**
 * YAML configuration files for picocli commands, generically: {@link #install} gives a command a
 * {@code --config FILE} option whose keys are the command's long option names without the dashes
 * ({@code spool-max-size: 10g}, {@code darknet: [192.0.2.0/24, 2001:db8::/32]}, {@code plaintext: true});
 * the command line overrides the file, the file overrides the options' defaults. Every option the
 * command has (also ones added later) is a key, with no code per option.
 * <p>
 * How: when picocli meets the command on the command line, a preprocessor scans the command's
 * arguments for {@code --config}, reads and checks the file ({@link ConfigFile}, {@link OptionKeys})
 * and sets it as the command's {@link picocli.CommandLine.IDefaultValueProvider}. The
 * {@link #executionStrategy execution strategy} then completes multi-valued options, logs the
 * {@link EffectiveConfiguration} (INFO, secrets masked) and runs the command. Errors about the file
 * are {@link ParameterException}s whose message names the file and key ({@link #describe}); a
 * command's own errors, which name {@code --option}, are rewritten by {@link #annotate} to say that
 * the value came from the file. Called from the main thread that builds and runs the command line.
 */
public final class ConfigFiles
{
    /** The option's name. */
    public static final String OPTION = "--config";

    private ConfigFiles()
    {
    }

    /** Gives {@code command} a {@code --config FILE} option (call once, before parsing). */
    public static void install(final CommandLine command)
    {
        final CommandSpec spec = command.getCommandSpec();
        final ConfigDefaults defaults = new ConfigDefaults(spec);
        spec.addOption(OptionSpec.builder(OPTION).paramLabel("FILE").type(Path.class)
            .description("YAML file of option values: each key is a long option name without the dashes (spool-max-size: 10g;"
                + " a list for a repeatable option; true or false for a flag). The command line overrides it; unknown keys"
                + " and bad values stop the start. See README, \"Configuration files\".")
            .build());
        spec.defaultValueProvider(defaults);
        spec.preprocessor((args, commandSpec, argSpec, info) ->
        {
            try
            {
                defaults.load(scan(args));
            }
            catch (final ConfigException ex)
            {
                throw new ParameterException(command, ex.getMessage(), ex);
            }
            return false;
        });
    }

    /** The {@code --config} value among a command's remaining arguments (a stack: the next argument on top), or null. */
    static Path scan(final Stack<String> args)
    {
        Path found = null;
        for (int i = args.size() - 1; i >= 0; i--)
        {
            final String a = args.get(i);
            if (a.equals("--"))
            {
                break;
            }
            String value = null;
            if (a.equals(OPTION))
            {
                if (i == 0)
                {
                    throw new ConfigException(OPTION + " needs a file");
                }
                value = args.get(--i);
            }
            else if (a.startsWith(OPTION + "="))
            {
                value = a.substring(OPTION.length() + 1);
            }
            if (value != null)
            {
                if (found != null)
                {
                    throw new ConfigException(OPTION + " is given twice");
                }
                found = Path.of(value);
            }
        }
        return found;
    }

    /**
     * Wraps {@code delegate} (e.g. picocli's {@code RunLast}): for a command with {@code --config}
     * support (unless it is asked for help), completes its options from the file and logs the
     * effective configuration at INFO, under the command class's logger, before running it.
     */
    public static IExecutionStrategy executionStrategy(final IExecutionStrategy delegate)
    {
        return parseResult ->
        {
            ParseResult last = parseResult;
            while (last.hasSubcommand())
            {
                last = last.subcommand();
            }
            if (defaults(last.commandSpec()) != null && !last.isUsageHelpRequested() && !last.isVersionHelpRequested())
            {
                final EffectiveConfiguration effective = complete(last);
                LoggerFactory.getLogger(last.commandSpec().userObject().getClass()).info("{}", effective.summary());
            }
            return delegate.execute(parseResult);
        };
    }

    /**
     * Completes the options of a parsed command from its {@code --config} file (the further values
     * of multi-valued options) and returns its effective configuration.
     *
     * @param result the command's own parse result (for a subcommand: {@code parseResult.subcommand()}).
     * @throws IllegalArgumentException if the command has no {@code --config} support.
     * @throws ParameterException naming the key if a value is bad.
     */
    public static EffectiveConfiguration complete(final ParseResult result)
    {
        final ConfigDefaults d = defaults(result.commandSpec());
        if (d == null)
        {
            throw new IllegalArgumentException(result.commandSpec().qualifiedName() + " has no " + OPTION + " option");
        }
        return d.complete(result);
    }

    /**
     * The one-line message for a parse error caused by the config file (naming the file and key),
     * or null if {@code ex} is about the command line.
     */
    public static String describe(final ParameterException ex)
    {
        if (ex.getCause() instanceof ConfigException c)
        {
            return c.getMessage();
        }
        final ConfigDefaults d = ex.getCommandLine() == null ? null : defaults(ex.getCommandLine().getCommandSpec());
        return d == null ? null : d.describe(ex);
    }

    /**
     * {@code message}, an error of {@code command} naming options as {@code --option}, with each
     * option whose value came from the file named as such ({@code --spool-max-size (config key
     * spool-max-size from FILE)}) and secret values masked; unchanged for other commands.
     */
    public static String annotate(final CommandLine command, final String message)
    {
        final ConfigDefaults d = command == null ? null : defaults(command.getCommandSpec());
        return d == null || d.effective() == null ? message : d.effective().annotate(message);
    }

    private static ConfigDefaults defaults(final CommandSpec spec)
    {
        return spec.defaultValueProvider() instanceof ConfigDefaults d ? d : null;
    }
}
