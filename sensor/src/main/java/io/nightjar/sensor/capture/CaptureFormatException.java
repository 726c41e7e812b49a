package io.nightjar.sensor.capture;

import java.io.IOException;

/**
 * A capture file that cannot be read at all: empty, unknown magic, unsupported version, a damaged file
 * header. Thrown only when a source is opened; damage found later is reported by
 * {@link PacketSource#damage()} instead.
 *
 * <p>The message always names the file and the problem, e.g.
 * {@code "/data/a.pcap: unsupported pcap version 2.5"}.
 */
public final class CaptureFormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String problem;

    /**
     * @param file    the file as the user named it.
     * @param problem what is wrong with it.
     */
    public CaptureFormatException(final String file, final String problem)
    {
        super(file + ": " + problem);
        this.problem = problem;
    }

    /**
     * @param file    the file as the user named it.
     * @param problem what is wrong with it.
     * @param cause   the underlying failure (e.g. a corrupt gzip header).
     */
    public CaptureFormatException(final String file, final String problem, final Throwable cause)
    {
        super(file + ": " + problem, cause);
        this.problem = problem;
    }

    /** @return what is wrong with the file, without its name. */
    public String problem()
    {
        return problem;
    }
}
