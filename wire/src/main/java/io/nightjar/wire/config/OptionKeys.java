package io.nightjar.wire.config;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration keys of one command: every option except {@code --help}, {@code --version} and
 * {@code --config} itself, keyed by its long name without the leading dashes ({@code --spool-max-size}
 * is {@code spool-max-size}; each further name of an option is an alias). Checks a
 * {@link ConfigFile} against them: unknown keys (with the nearest valid key suggested), a list for
 * a single-valued option, a flag that is not {@code true}/{@code false}. Built when a file is loaded,
 * so options added to the command later are picked up without code. Immutable.
 */
public final class OptionKeys
{
    private final String command;
    private final List<OptionSpec> options = new ArrayList<>();
    private final Map<String, OptionSpec> byKey = new LinkedHashMap<>();

    private OptionKeys(final CommandSpec spec)
    {
        this.command = spec.qualifiedName();
        for (final OptionSpec o : spec.options())
        {
            if (o.usageHelp() || o.versionHelp() || o.longestName().equals(ConfigFiles.OPTION))
            {
                continue;
            }
            options.add(o);
            byKey.put(keyOf(o), o);
            for (final String name : o.names())
            {
                byKey.putIfAbsent(strip(name), o);
            }
        }
    }

    /** The keys of {@code spec}'s options as they are now. */
    public static OptionKeys of(final CommandSpec spec)
    {
        return new OptionKeys(spec);
    }

    /** An option's key: its longest name without the leading dashes. */
    public static String keyOf(final OptionSpec option)
    {
        return strip(option.longestName());
    }

    private static String strip(final String name)
    {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-')
        {
            i++;
        }
        return name.substring(i);
    }

    /** The configurable options, in the command's order. */
    public List<OptionSpec> options()
    {
        return options;
    }

    /** Every valid key (aliases included). */
    public List<String> keys()
    {
        return List.copyOf(byKey.keySet());
    }

    /**
     * Each of {@code file}'s entries with its option.
     *
     * @throws ConfigException naming the file, the key and its line for an unknown key, a key given
     *     twice through an alias, a list for a single-valued option or a flag that is not true/false.
     */
    public Map<OptionSpec, ConfigEntry> check(final ConfigFile file)
    {
        final Map<OptionSpec, ConfigEntry> out = new IdentityHashMap<>();
        for (final ConfigEntry e : file.entries())
        {
            final String where = file.where(e);
            if (strip(ConfigFiles.OPTION).equals(e.key()))
            {
                throw new ConfigException(where + ": a config file cannot name another one");
            }
            final OptionSpec o = byKey.get(e.key());
            if (o == null)
            {
                throw new ConfigException(where + ": no such option of `" + command + "`; " + hint(e.key()));
            }
            if (out.containsKey(o))
            {
                throw new ConfigException(where + ": the same option as key " + out.get(o).key() + " (line " + out.get(o).line() + ")");
            }
            if (e.list() && !o.isMultiValue())
            {
                throw new ConfigException(where + ": " + o.longestName() + " takes one value, not a list");
            }
            if (o.arity().max() == 0)
            {
                final String v = e.value().toLowerCase(Locale.ROOT);
                if (!v.equals("true") && !v.equals("false"))
                {
                    throw new ConfigException(where + ": " + o.longestName() + " is a flag: give true or false, not '" + e.value() + "'");
                }
            }
            out.put(o, e);
        }
        return out;
    }

    private String hint(final String key)
    {
        if (key.startsWith("-") && byKey.containsKey(strip(key)))
        {
            return "write keys without the leading dashes: " + strip(key);
        }
        final String nearest = nearest(key);
        return nearest != null ? "did you mean " + nearest + "?" : "valid keys: " + String.join(", ", byKey.keySet());
    }

    /** The valid key closest to {@code key} (edit distance, or containing it), or null if none is close. */
    public String nearest(final String key)
    {
        final String k = strip(key).toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : byKey.keySet())
        {
            final int d = distance(k, candidate);
            if (d > Math.max(2, k.length() / 3) && !(k.length() >= 3 && (candidate.contains(k) || k.contains(candidate))))
            {
                continue;
            }
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int distance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
