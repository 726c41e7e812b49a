package io.nightjar.wire.config;

/** Where an option's effective value came from. */
public enum ConfigSource
{
    /** Given on the command line (which overrides the file). */
    COMMAND_LINE("command line"),
    /** A key of the {@code --config} file. */
    FILE("file"),
    /** Neither: the option's default (or unset). */
    DEFAULT("default");

    private final String label;

    ConfigSource(final String label)
    {
        this.label = label;
    }

    /** How the configuration log names it. */
    public String label()
    {
        return label;
    }
}
