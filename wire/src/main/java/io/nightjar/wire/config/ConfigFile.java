package io.nightjar.wire.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flat YAML configuration file: {@code key: value} and {@code key: [value, ...]} (or a block
 * list) at the top level, nothing nested. Values are kept as the text of the YAML scalars, as
 * written ({@code 10g}, {@code 0.0.0.0:7443}, {@code true}), so that the commands parse them exactly
 * as they parse their command-line options: no YAML typing, no variables, no environment. Reading
 * refuses what the commands could not use (nested maps, lists of lists, a key twice, a key without
 * a value) with a {@link ConfigException} naming the file, the key and its line. An empty file (or
 * one of comments only) has no entries. Immutable once read.
 */
public final class ConfigFile
{
    private static final YAMLFactory YAML = new YAMLFactory();

    private final Path file;
    private final Map<String, ConfigEntry> entries;

    private ConfigFile(final Path file, final Map<String, ConfigEntry> entries)
    {
        this.file = file;
        this.entries = entries;
    }

    /** No file: no entries. */
    public static ConfigFile none()
    {
        return new ConfigFile(null, Map.of());
    }

    /**
     * Reads {@code file}.
     *
     * @throws ConfigException naming the file (and the key) when it cannot be read or used.
     */
    public static ConfigFile read(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": permission denied");
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": " + ex.getMessage());
        }
        try (JsonParser p = YAML.createParser(bytes))
        {
            return new ConfigFile(file, entries(file, p));
        }
        catch (final JsonProcessingException ex)
        {
            throw new ConfigException("config file " + file + " is not valid YAML (line " + ex.getLocation().getLineNr() + "): "
                + ex.getOriginalMessage().lines().findFirst().orElse(""));
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": " + ex.getMessage());
        }
    }

    private static Map<String, ConfigEntry> entries(final Path file, final JsonParser p) throws IOException
    {
        final Map<String, ConfigEntry> entries = new LinkedHashMap<>();
        final JsonToken root = p.nextToken();
        if (root == null)
        {
            return Map.of();
        }
        if (root != JsonToken.START_OBJECT)
        {
            throw new ConfigException("config file " + file + " (line " + line(p) + "): expected 'key: value' lines, not " + describe(root));
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken())
        {
            final String key = p.currentName();
            final int line = line(p);
            final String where = "config key " + key + " in " + file + " (line " + line + ")";
            final JsonToken value = p.nextToken();
            final ConfigEntry entry;
            if (value == JsonToken.START_ARRAY)
            {
                final List<String> values = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken())
                {
                    values.add(scalar(where, p, e, "a list item"));
                }
                entry = new ConfigEntry(key, values, true, line);
            }
            else
            {
                entry = new ConfigEntry(key, List.of(scalar(where, p, value, "a value")), false, line);
            }
            if (entries.put(key, entry) != null)
            {
                throw new ConfigException(where + ": given twice");
            }
        }
        if (p.nextToken() != null)
        {
            throw new ConfigException("config file " + file + " (line " + line(p) + "): more than one YAML document");
        }
        return entries;
    }

    private static String scalar(final String where, final JsonParser p, final JsonToken t, final String what) throws IOException
    {
        if (t == JsonToken.START_OBJECT)
        {
            throw new ConfigException(where + ": nested keys are not supported; give " + what + " (keys are the long option names,"
                + " e.g. 'spool-max-size: 10g')");
        }
        if (t == JsonToken.START_ARRAY)
        {
            throw new ConfigException(where + ": a list inside a list is not supported; give " + what);
        }
        if (t == JsonToken.VALUE_NULL)
        {
            throw new ConfigException(where + ": has no value; give " + what + " or remove the key to keep the default");
        }
        return p.getText();
    }

    private static int line(final JsonParser p)
    {
        return p.currentTokenLocation().getLineNr();
    }

    private static String describe(final JsonToken t)
    {
        return t == JsonToken.START_ARRAY ? "a list" : "a single value";
    }

    /** The file, or null for {@link #none()}. */
    public Path file()
    {
        return file;
    }

    /** The entry of {@code key}, or null. */
    public ConfigEntry get(final String key)
    {
        return entries.get(key);
    }

    /** Every entry, in the file's order. */
    public Collection<ConfigEntry> entries()
    {
        return entries.values();
    }

    /** "config key KEY in FILE (line N)", the start of every message about an entry. */
    public String where(final ConfigEntry entry)
    {
        return "config key " + entry.key() + " in " + file + " (line " + entry.line() + ")";
    }
}
