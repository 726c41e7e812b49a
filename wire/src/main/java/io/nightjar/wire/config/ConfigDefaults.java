package io.nightjar.wire.config;

import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A command's {@code --config} file as picocli default values: picocli asks it for the value of
 * every option the command line did not give, after parsing the command line, so the command line
 * overrides the file and the file overrides the options' own defaults. A multi-valued option
 * gets its first value here (picocli takes one string per default) and the rest in
 * {@link #complete(ParseResult)}. Values are escaped so that picocli does not expand
 * {@code ${...}} (variables, the environment) in them. One per command; loaded again at every parse, on the parsing thread.
 */
final class ConfigDefaults implements IDefaultValueProvider
{
    private final CommandSpec spec;
    private ConfigFile file = ConfigFile.none();
    private OptionKeys keys;
    private Map<OptionSpec, ConfigEntry> entries = Map.of();
    private final Map<ArgSpec, String> served = new IdentityHashMap<>();
    private EffectiveConfiguration effective;

    ConfigDefaults(final CommandSpec spec)
    {
        this.spec = spec;
    }

    /**
     * Reads {@code path} (null: no file) and checks its keys against the command's options.
     *
     * @throws ConfigException naming the file and key.
     */
    void load(final Path path)
    {
        file = ConfigFile.none();
        entries = Map.of();
        served.clear();
        effective = null;
        keys = OptionKeys.of(spec);
        if (path != null)
        {
            final ConfigFile read = ConfigFile.read(path);
            entries = keys.check(read);
            file = read;
        }
    }

    @Override
    public String defaultValue(final ArgSpec arg)
    {
        if (!(arg instanceof OptionSpec o))
        {
            return null;
        }
        final ConfigEntry e = entries.get(o);
        if (e == null || e.values().isEmpty())
        {
            return null;
        }
        final String value = o.arity().max() == 0 ? e.value().toLowerCase(Locale.ROOT) : e.value();
        served.put(o, value);
        return value.replace("$", "$$");   // picocli expands ${...} in defaults; "$$" is its escaped "$"
    }

    /**
     * The message for a parse error about a value this file supplied (naming the key, the file and
     * the line), or null if the error is not about one.
     */
    String describe(final ParameterException ex)
    {
        final ArgSpec arg = ex.getArgSpec();
        if (!(arg instanceof OptionSpec o) || !served.containsKey(arg) || (ex.getValue() != null && !ex.getValue().equals(served.get(arg))))
        {
            return null;
        }
        return file.where(entries.get(o)) + ": " + ex.getMessage();
    }

    /**
     * Gives the multi-valued options their further values from the file, and records where every
     * option's value came from.
     *
     * @param result this command's parse result.
     * @throws ParameterException naming the key if a further value is bad.
     */
    EffectiveConfiguration complete(final ParseResult result)
    {
        final Map<OptionSpec, ConfigSource> sources = new IdentityHashMap<>();
        for (final OptionSpec o : keys.options())
        {
            final ConfigEntry e = entries.get(o);
            if (result.hasMatchedOption(o))
            {
                sources.put(o, ConfigSource.COMMAND_LINE);
            }
            else if (e != null)
            {
                sources.put(o, ConfigSource.FILE);
                if (e.values().size() > 1)
                {
                    applyAll(o, e);
                }
            }
            else
            {
                sources.put(o, ConfigSource.DEFAULT);
            }
        }
        effective = EffectiveConfiguration.of(spec.qualifiedName(), file.file(), keys.options(), sources);
        return effective;
    }

    /** Parses {@code --option=value} for each value with a copy of the option bound to the same field. */
    private void applyAll(final OptionSpec o, final ConfigEntry e)
    {
        final CommandSpec one = CommandSpec.create();
        one.addOption(OptionSpec.builder(o).required(false).build());
        final List<String> args = new ArrayList<>();
        for (final String v : e.values())
        {
            args.add(o.longestName() + "=" + v);
        }
        try
        {
            new CommandLine(one).parseArgs(args.toArray(String[]::new));
        }
        catch (final ParameterException ex)
        {
            final String message = file.where(e) + ": " + ex.getMessage();
            throw new ParameterException(spec.commandLine(), message, new ConfigException(message));
        }
    }

    /** The configuration of the last {@link #complete(ParseResult)} of this parse, or null. */
    EffectiveConfiguration effective()
    {
        return effective;
    }
}
