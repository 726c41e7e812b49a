package io.nightjar.wire.arrow;

/** A BATCH body that is not an Arrow IPC stream of the expected schema, or whose rows break the rules. */
public final class InvalidBatchException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** With a message saying what is wrong. */
    public InvalidBatchException(final String message)
    {
        super(message);
    }

    /** With a message and the reader's exception. */
    public InvalidBatchException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
