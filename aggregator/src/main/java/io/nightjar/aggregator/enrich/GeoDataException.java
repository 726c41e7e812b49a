package io.nightjar.aggregator.enrich;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A geo data file is missing or cannot be read as what it should be; the message names the file,
 * what is wrong and (for CSV files) the line. {@link Enricher#load} turns it into one WARN line.
 */
public final class GeoDataException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final Path file;

    /** A problem with {@code file}. */
    public GeoDataException(final Path file, final String message, final Throwable cause)
    {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file()
    {
        return file;
    }
}
