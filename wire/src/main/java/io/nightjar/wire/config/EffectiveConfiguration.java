package io.nightjar.wire.config;

import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every option's final value of one parsed command and where it came from (command line, the
 * {@code --config} file, default), secrets masked ({@link ConfigSecrets}); logged once at start
 * ({@link #summary()}), and used to say in an error message that a named option's value came
 * from the file ({@link #annotate(String)}). Immutable; made on the command's thread after parsing.
 */
public final class EffectiveConfiguration
{
    /**
     * One option's effective value.
     *
     * @param raw the value as given (null if unset), for masking secrets in messages.
     * @param shown the value as logged: masked if secret, "unset" if none.
     */
    public record Setting(OptionSpec option, String key, ConfigSource source, String raw, String shown)
    {
    }

    private final String command;
    private final Path file;
    private final List<Setting> settings;

    EffectiveConfiguration(final String command, final Path file, final List<Setting> settings)
    {
        this.command = command;
        this.file = file;
        this.settings = List.copyOf(settings);
    }

    /** Reads each option's value now; {@code sources} says where each came from. */
    static EffectiveConfiguration of(final String command, final Path file, final List<OptionSpec> options,
        final Map<OptionSpec, ConfigSource> sources)
    {
        final List<Setting> out = new ArrayList<>();
        for (final OptionSpec o : options)
        {
            final String raw = text(o.getValue());
            final String shown = raw == null ? "unset" : ConfigSecrets.isSecret(o) ? ConfigSecrets.MASK : raw;
            out.add(new Setting(o, OptionKeys.keyOf(o), sources.get(o), raw, shown));
        }
        return new EffectiveConfiguration(command, file, out);
    }

    private static String text(final Object value)
    {
        if (value == null)
        {
            return null;
        }
        if (value instanceof Collection<?> c)
        {
            return c.toString();
        }
        if (value.getClass().isArray())
        {
            final StringJoiner j = new StringJoiner(", ", "[", "]");
            for (int i = 0; i < Array.getLength(value); i++)
            {
                j.add(String.valueOf(Array.get(value, i)));
            }
            return j.toString();
        }
        return String.valueOf(value);
    }

    /** The {@code --config} file, or null. */
    public Path file()
    {
        return file;
    }

    /** Every option, in the command's order. */
    public List<Setting> settings()
    {
        return settings;
    }

    /** The setting of {@code key}, or null. */
    public Setting get(final String key)
    {
        return settings.stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
    }

    /**
     * One line for the log: {@code effective configuration of nightjar sensor: command line {spool=spool};
     * file /etc/nightjar/sensor.yaml {aggregator=agg:7443, ...}; defaults {bin=60s, ...}; unset {read, ...}}.
     */
    public String summary()
    {
        final StringJoiner cli = new StringJoiner(", ", "command line {", "}");
        final StringJoiner fromFile = new StringJoiner(", ", "file " + file + " {", "}");
        final StringJoiner defaults = new StringJoiner(", ", "defaults {", "}");
        final StringJoiner unset = new StringJoiner(", ", "unset {", "}");
        for (final Setting s : settings)
        {
            final String kv = s.key() + "=" + s.shown();
            switch (s.source())
            {
                case COMMAND_LINE -> cli.add(kv);
                case FILE -> fromFile.add(kv);
                default ->
                {
                    if (s.raw() == null)
                    {
                        unset.add(s.key());
                    }
                    else
                    {
                        defaults.add(kv);
                    }
                }
            }
        }
        final StringJoiner all = new StringJoiner("; ", "effective configuration of " + command + ": ", "");
        all.add(cli.toString());
        if (file != null)
        {
            all.add(fromFile.toString());
        }
        all.add(defaults.toString()).add(unset.toString());
        return all.toString();
    }

    /**
     * {@code message} (a command's error, which names options as {@code --option}) with each option
     * whose value came from the file followed by {@code (config key KEY from FILE)} at its first
     * mention, and the values of secret options masked.
     */
    public String annotate(final String message)
    {
        if (message == null)
        {
            return null;
        }
        String out = message;
        for (final Setting s : settings)
        {
            if (s.raw() != null && s.raw().length() >= 4 && ConfigSecrets.isSecret(s.option()))
            {
                out = out.replace(s.raw(), ConfigSecrets.MASK);
            }
            if (s.source() != ConfigSource.FILE)
            {
                continue;
            }
            for (final String name : s.option().names())
            {
                final Matcher m = Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])").matcher(out);
                if (m.find())
                {
                    out = out.substring(0, m.end()) + " (config key " + s.key() + " from " + file + ")" + out.substring(m.end());
                    break;
                }
            }
        }
        return out;
    }
}
