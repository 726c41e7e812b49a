package io.nightjar.wire.config;

import java.util.List;

/**
 * One {@code key: value} of a configuration file: the key as written, its values as the YAML
 * scalars' text (one for a scalar, any number for a list), whether it was written as a list, and
 * its line (1-based) for error messages. Immutable.
 */
public record ConfigEntry(String key, List<String> values, boolean list, int line)
{
    /** Copies {@code values}. */
    public ConfigEntry
    {
        values = List.copyOf(values);
    }

    /** The single value of a scalar entry (the first of a list). */
    public String value()
    {
        return values.isEmpty() ? null : values.get(0);
    }
}
