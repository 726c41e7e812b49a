package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A sliding view over a capture stream (a mapped file or a decompressed gzip stream) that the file
 * readers parse in place. Bytes {@code [position, limit)} of {@link #buffer} are the stream bytes
 * {@code [base + position, base + limit)}; {@link #refill(int)} slides or grows the view when a
 * record does not fit.
 *
 * <p>Two views of the same memory: {@link #buffer} is big-endian (network byte order) and is what
 * packet handlers get; {@link #header} reads the file's own fields in the file's byte order, set
 * once per file or pcapng section, so no read needs a byte swap.
 *
 * <p>Single-threaded: owned by the one reader that drives it. Nothing here allocates unless the view
 * moves (once per window, never per packet).
 */
abstract class ByteWindow implements AutoCloseable
{
    /** The window's memory, big-endian; handed to packet handlers. */
    ByteBuffer buffer;
    /** The same memory in the file's byte order, for header fields. */
    ByteBuffer header;
    /** Stream offset of index 0 of {@link #buffer}, in bytes. */
    long base;
    /** Index of the next unread byte. */
    int position;
    /** Index one past the last valid byte. */
    int limit;
    /** Why the stream ended early (e.g. a corrupt gzip member), or null. */
    String streamProblem;

    private ByteOrder order = ByteOrder.BIG_ENDIAN;

    /**
     * Makes at least {@code need} bytes from {@link #position} available, sliding the window (which may
     * change {@link #buffer}, {@link #base} and {@link #position}). On failure the window holds every
     * byte left in the stream, fewer than {@code need}.
     *
     * @param need bytes wanted, positive.
     * @return true if they are available.
     * @throws IOException only for I/O failures of the file.
     */
    abstract boolean refill(int need) throws IOException;

    /** @return bytes of the underlying file consumed so far (compressed bytes for gzip). */
    abstract long filePosition();

    /** @return size of the underlying file in bytes. */
    abstract long fileSize();

    @Override
    public abstract void close() throws IOException;

    /**
     * @param need bytes wanted from {@link #position}.
     * @return true if they are available (refilling if needed).
     * @throws IOException only for I/O failures of the file.
     */
    final boolean ensure(final int need) throws IOException
    {
        return limit - position >= need || refill(need);
    }

    /** @return stream offset of {@link #position}. */
    final long streamPosition()
    {
        return base + position;
    }

    /**
     * Sets the byte order of {@link #header} (the file's or the pcapng section's).
     *
     * @param newOrder byte order of the file's header fields.
     */
    final void order(final ByteOrder newOrder)
    {
        order = newOrder;
        header = buffer.duplicate().order(newOrder);
    }

    /** @return the current byte order of {@link #header}. */
    final ByteOrder order()
    {
        return order;
    }

    /**
     * Installs new memory for the window (after a remap or a grow).
     *
     * @param memory the new memory; its position and limit are ignored.
     */
    final void setBuffer(final ByteBuffer memory)
    {
        buffer = memory.order(ByteOrder.BIG_ENDIAN);
        header = memory.duplicate().order(order);
    }
}
