package io.nightjar.wire.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Encodes frames and decodes their payloads. Strings are u16 length + UTF-8; all numbers are
 * big-endian. Payloads:
 * <pre>
 *  HELLO:     str sensorId, str software, u16 schemaVersion, str spoolId
 *  BATCH:     i64 sequence, i64 firstPosition, i64 lastPosition, u32 rows, then one Arrow IPC stream
 *  ACK:       i64 sequence (highest durable, 0 = none), i64 position (spool position of its last record)
 *  HEARTBEAT: u16 n, then n x i64 ({@link Heartbeat} fields in order; receivers ignore extra ones)
 *  ERROR:     u16 code, str message
 * </pre>
 * Decoders throw {@link FrameException} ({@link ErrorCode#MALFORMED_FRAME}) on short or
 * inconsistent payloads.
 */
public final class Frames
{
    /** Length of a BATCH payload's fixed part, before the Arrow stream. */
    public static final int BATCH_HEADER_LENGTH = 28;

    private Frames()
    {
    }

    /** A frame's header written into a new buffer with room for {@code payloadLength} more bytes. */
    public static ByteBuf header(final ByteBufAllocator alloc, final FrameType type, final int flags, final int payloadLength)
    {
        final ByteBuf b = alloc.buffer(Frame.HEADER_LENGTH + payloadLength);
        writeHeader(b, type, flags, payloadLength);
        return b;
    }

    /** Writes a frame header. */
    public static void writeHeader(final ByteBuf b, final FrameType type, final int flags, final int payloadLength)
    {
        b.writeInt(Frame.MAGIC);
        b.writeByte(Frame.VERSION);
        b.writeByte(type.code());
        b.writeShort(flags);
        b.writeInt(payloadLength);
    }

    /** A HELLO frame. */
    public static ByteBuf hello(final ByteBufAllocator alloc, final Hello hello)
    {
        final byte[] id = utf8(hello.sensorId());
        final byte[] sw = utf8(hello.software());
        final byte[] spool = utf8(hello.spoolId());
        final int length = 2 + id.length + 2 + sw.length + 2 + 2 + spool.length;
        final ByteBuf b = header(alloc, FrameType.HELLO, 0, length);
        b.writeShort(id.length).writeBytes(id);
        b.writeShort(sw.length).writeBytes(sw);
        b.writeShort(hello.schemaVersion());
        b.writeShort(spool.length).writeBytes(spool);
        return b;
    }

    /** Decodes a HELLO payload. */
    public static Hello readHello(final ByteBuf p)
    {
        final String id = readString(p, "sensor id");
        final String sw = readString(p, "software");
        need(p, 2, "schema version");
        final int version = p.readUnsignedShort();
        return new Hello(id, sw, version, readString(p, "spool id"));
    }

    /**
     * The header of a BATCH frame whose Arrow stream of {@code arrowLength} bytes the caller writes
     * next into the returned buffer (which has room for it).
     */
    public static ByteBuf batchHeader(final ByteBufAllocator alloc, final BatchHeader h, final int flags, final int arrowLength)
    {
        final ByteBuf b = header(alloc, FrameType.BATCH, flags, BATCH_HEADER_LENGTH + arrowLength);
        b.writeLong(h.sequence()).writeLong(h.firstPosition()).writeLong(h.lastPosition()).writeInt(h.rows());
        return b;
    }

    /** Decodes a BATCH payload's fixed part; the Arrow stream is what remains readable. */
    public static BatchHeader readBatchHeader(final ByteBuf p)
    {
        need(p, BATCH_HEADER_LENGTH, "batch header");
        final BatchHeader h = new BatchHeader(p.readLong(), p.readLong(), p.readLong(), p.readInt());
        if (h.sequence() <= 0 || h.rows() < 0)
        {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "batch sequence " + h.sequence() + " rows " + h.rows());
        }
        return h;
    }

    /** An ACK frame. */
    public static ByteBuf ack(final ByteBufAllocator alloc, final Ack ack)
    {
        final ByteBuf b = header(alloc, FrameType.ACK, 0, 16);
        b.writeLong(ack.sequence()).writeLong(ack.position());
        return b;
    }

    /** Decodes an ACK payload. */
    public static Ack readAck(final ByteBuf p)
    {
        need(p, 16, "ack");
        return new Ack(p.readLong(), p.readLong());
    }

    /** A HEARTBEAT frame. */
    public static ByteBuf heartbeat(final ByteBufAllocator alloc, final Heartbeat h)
    {
        final long[] values = h.toArray();
        final ByteBuf b = header(alloc, FrameType.HEARTBEAT, 0, 2 + 8 * values.length);
        b.writeShort(values.length);
        for (final long v : values)
        {
            b.writeLong(v);
        }
        return b;
    }

    /** Decodes a HEARTBEAT payload (missing trailing fields read as 0, extra ones are ignored). */
    public static Heartbeat readHeartbeat(final ByteBuf p)
    {
        need(p, 2, "heartbeat count");
        final int n = p.readUnsignedShort();
        need(p, 8L * n, "heartbeat fields");
        final long[] values = new long[Math.max(n, Heartbeat.FIELDS)];
        for (int i = 0; i < n; i++)
        {
            values[i] = p.readLong();
        }
        return Heartbeat.fromArray(values);
    }

    /** An ERROR frame. */
    public static ByteBuf error(final ByteBufAllocator alloc, final int code, final String message)
    {
        byte[] m = utf8(message);
        if (m.length > 4096)
        {
            m = java.util.Arrays.copyOf(m, 4096);
        }
        final ByteBuf b = header(alloc, FrameType.ERROR, 0, 2 + 2 + m.length);
        b.writeShort(code);
        b.writeShort(m.length).writeBytes(m);
        return b;
    }

    /** Decodes an ERROR payload. */
    public static ErrorMessage readError(final ByteBuf p)
    {
        need(p, 2, "error code");
        final int code = p.readUnsignedShort();
        return new ErrorMessage(code, readString(p, "error message"));
    }

    private static String readString(final ByteBuf p, final String what)
    {
        need(p, 2, what + " length");
        final int n = p.readUnsignedShort();
        need(p, n, what);
        final String s = p.toString(p.readerIndex(), n, StandardCharsets.UTF_8);
        p.skipBytes(n);
        return s;
    }

    private static void need(final ByteBuf p, final long n, final String what)
    {
        if (p.readableBytes() < n)
        {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "payload too short for " + what + ": " + p.readableBytes() + " < " + n + " bytes");
        }
    }

    private static byte[] utf8(final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xffff)
        {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        return b;
    }

    /**
     * HELLO payload. The spool id names the sensor's spool (made when the spool is created): spool
     * positions are only comparable within one spool, so a new spool restarts positions at 0.
     */
    public record Hello(String sensorId, String software, int schemaVersion, String spoolId)
    {
    }

    /** BATCH payload's fixed part: sequence (from 1), spool positions of the first and last record document, rows. */
    public record BatchHeader(long sequence, long firstPosition, long lastPosition, int rows)
    {
    }

    /** ACK payload: highest durable sequence (0 = none yet) and the spool position of its last document. */
    public record Ack(long sequence, long position)
    {
    }

    /** ERROR payload. */
    public record ErrorMessage(int code, String message)
    {
    }
}
