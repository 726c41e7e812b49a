package io.nightjar.wire.config;

/**
 * A configuration file that cannot be used: unreadable, not YAML, an unknown key, a bad value.
 * The message names the file and, where there is one, the key and its line; it is meant to be
 * shown to the operator as it is (one line, exit code 2).
 */
public final class ConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /** @param message the whole message, naming the file (and the key). */
    public ConfigException(final String message)
    {
        super(message);
    }
}
