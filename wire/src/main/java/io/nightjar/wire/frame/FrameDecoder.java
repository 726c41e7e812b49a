package io.nightjar.wire.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into {@link Frame}s, checking each header before any payload is
 * buffered: a wrong magic, version or type, or a length over the maximum, raises a
 * {@link FrameException} at once (never buffering a huge frame). After the first violation the
 * rest of the input is discarded; the handler after this one sends ERROR and closes.
 */
public final class FrameDecoder extends ByteToMessageDecoder
{
    /** The most a frame header makes the decoder reserve ahead of the bytes themselves. */
    static final int MAX_RESERVE = 4 << 20;

    private final int maxPayload;
    private final boolean fromSensor;
    private boolean failed;

    /**
     * A decoder for frames sent by a sensor ({@code fromSensor}) or by an aggregator.
     *
     * @param maxPayload largest payload accepted, bytes.
     */
    public FrameDecoder(final int maxPayload, final boolean fromSensor)
    {
        this.maxPayload = maxPayload;
        this.fromSensor = fromSensor;
    }

    /**
     * Bytes held of a frame not yet complete (0 between frames). Event-loop thread only; a
     * guard against peers trickling a frame reads it.
     */
    public int bufferedBytes()
    {
        return actualReadableBytes();
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (failed)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= Frame.HEADER_LENGTH)
        {
            final int start = in.readerIndex();
            final long length = in.getUnsignedInt(start + 8);
            final FrameType type = checkHeader(in, start, length);
            final long missing = Frame.HEADER_LENGTH + length - in.readableBytes();
            if (missing > 0)
            {
                // room for the rest of the frame now, so that the cumulation grows once instead of
                // doubling (and copying) several times while a large BATCH arrives; bounded, so that a
                // header alone cannot make a connection hold much more than it has sent
                if (missing <= MAX_RESERVE && in.writableBytes() < missing)
                {
                    in.ensureWritable((int)missing);
                }
                return;
            }
            final int flags = in.getUnsignedShort(start + 6);
            in.skipBytes(Frame.HEADER_LENGTH);
            out.add(new Frame(type, flags, in.readRetainedSlice((int)length)));
        }
    }

    private FrameType checkHeader(final ByteBuf in, final int start, final long length)
    {
        try
        {
            final int magic = in.getInt(start);
            if (magic != Frame.MAGIC)
            {
                throw new FrameException(ErrorCode.MALFORMED_FRAME, String.format("bad magic 0x%08x at byte %d", magic, start));
            }
            final int version = in.getUnsignedByte(start + 4);
            if (version != Frame.VERSION)
            {
                throw new FrameException(ErrorCode.UNSUPPORTED_VERSION, "frame version " + version + ", supported " + Frame.VERSION);
            }
            final FrameType type = FrameType.ofCode(in.getUnsignedByte(start + 5));
            if (type == null || (fromSensor ? !type.fromSensor() : !type.fromAggregator()))
            {
                throw new FrameException(ErrorCode.MALFORMED_FRAME, "frame type " + in.getUnsignedByte(start + 5) + " not allowed from "
                    + (fromSensor ? "a sensor" : "an aggregator"));
            }
            if (length > maxPayload)
            {
                throw new FrameException(ErrorCode.FRAME_TOO_LARGE, type + " frame of " + length + " bytes, maximum " + maxPayload);
            }
            return type;
        }
        catch (final FrameException ex)
        {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw ex;
        }
    }
}
