package io.nightjar.wire.frame;

/** Codes of ERROR frames. After sending one, the sender closes the connection. */
public final class ErrorCode
{
    /** Bytes that are not a frame of this protocol (magic, version, type, truncated payload). */
    public static final int MALFORMED_FRAME = 1;
    /** A frame longer than the receiver's maximum. */
    public static final int FRAME_TOO_LARGE = 2;
    /** A frame type not allowed now (e.g. BATCH before HELLO, a second HELLO, sequence going back). */
    public static final int OUT_OF_ORDER = 3;
    /** The sensor id is not allowed, or does not match the client certificate. */
    public static final int UNAUTHORISED = 4;
    /** The schema version is not supported. */
    public static final int UNSUPPORTED_VERSION = 5;
    /** A BATCH body that is not an Arrow stream of the expected schema, or with foreign rows. */
    public static final int INVALID_BATCH = 6;
    /** A batch that overlaps stored data in a way that cannot be deduplicated. */
    public static final int OVERLAP = 7;
    /** The peer sent nothing for too long (a stalled or half-sent frame). */
    public static final int TIMEOUT = 8;
    /** The receiver failed (e.g. the store could not commit); retry later. */
    public static final int INTERNAL = 9;
    /** Another connection of the same sensor replaced this one. */
    public static final int REPLACED = 10;

    private ErrorCode()
    {
    }
}
