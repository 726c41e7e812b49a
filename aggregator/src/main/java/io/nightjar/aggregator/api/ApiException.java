package io.nightjar.aggregator.api;

/** A request the API refuses: HTTP status, the parameter at fault (or null) and a message for the caller. */
public final class ApiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String parameter;

    /** A refusal with its status, the bad parameter (may be null) and a message. */
    public ApiException(final int status, final String parameter, final String message)
    {
        super(message);
        this.status = status;
        this.parameter = parameter;
    }

    /** HTTP status. */
    public int status()
    {
        return status;
    }

    /** Name of the bad parameter, or null. */
    public String parameter()
    {
        return parameter;
    }
}
