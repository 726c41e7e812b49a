package io.nightjar.sensor.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Base of the header flyweights: a view over {@code [offset, offset + length)} of a buffer owned by
 * somebody else. Owns no memory; {@link #wrap} re-points it, so one instance serves every packet.
 *
 * <p>All multi-byte fields of the protocols decoded here are in network byte order (big-endian);
 * the accessors convert whatever order the buffer happens to be set to. Reads are absolute and never
 * change the buffer's position, limit or order. Not thread-safe: one flyweight per decoding thread.
 */
public abstract class Flyweight
{
    /** The buffer viewed. */
    protected ByteBuffer buffer;
    /** Absolute index of the first byte of the header. */
    protected int offset;
    /** Bytes available from {@link #offset} (captured bytes, not the wire length). */
    protected int length;
    private boolean swap;

    /** Points this view at a header. */
    public final void wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.swap = buffer.order() != ByteOrder.BIG_ENDIAN;
    }

    /** Absolute index of the first byte of the header. */
    public final int offset()
    {
        return offset;
    }

    /** Captured bytes available from the start of the header. */
    public final int available()
    {
        return length;
    }

    /** Unsigned byte at {@code index} bytes from the start of the header. */
    protected final int u8(final int index)
    {
        return buffer.get(offset + index) & 0xff;
    }

    /** Unsigned big-endian 16-bit value at {@code index}. */
    protected final int u16(final int index)
    {
        final short s = buffer.getShort(offset + index);
        return (swap ? Short.reverseBytes(s) : s) & 0xffff;
    }

    /** Big-endian 32-bit value at {@code index}. */
    protected final int i32(final int index)
    {
        final int v = buffer.getInt(offset + index);
        return swap ? Integer.reverseBytes(v) : v;
    }

    /** Big-endian 64-bit value at {@code index}. */
    protected final long i64(final int index)
    {
        final long v = buffer.getLong(offset + index);
        return swap ? Long.reverseBytes(v) : v;
    }
}
