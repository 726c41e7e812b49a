package io.nightjar.wire.frame;

/**
 * A protocol violation found while reading frames: carries the {@link ErrorCode} to send back
 * before closing the connection.
 */
public final class FrameException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int code;

    /** A violation with its error code and a message for the peer and the log. */
    public FrameException(final int code, final String message)
    {
        super(message);
        this.code = code;
    }

    /** The {@link ErrorCode}. */
    public int code()
    {
        return code;
    }
}
