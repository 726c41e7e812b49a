package io.nightjar.wire.frame;

import io.netty.buffer.ByteBuf;

/**
 * One received frame: its type, flags and payload. The payload is a retained slice that the
 * receiver must {@link #release}.
 *
 * <p>Frame layout, network byte order (big-endian):
 * <pre>
 *   0  u32 magic   0x4E4A5746 ("NJWF")
 *   4  u8  version {@value #VERSION}
 *   5  u8  type    ({@link FrameType#code()})
 *   6  u16 flags   (BATCH: bit 0 set = bin summaries, clear = flow records)
 *   8  u32 length  of the payload that follows (at most the receiver's maximum)
 *  12  payload
 * </pre>
 *
 * @param type    the frame type.
 * @param flags   the header flags.
 * @param payload the payload bytes.
 */
public record Frame(FrameType type, int flags, ByteBuf payload)
{
    /** The header's magic number, "NJWF". */
    public static final int MAGIC = 0x4E4A5746;
    /** Protocol version in the header. */
    public static final int VERSION = 1;
    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 12;
    /** Default maximum payload length: 64 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD = 64 << 20;
    /** BATCH flag: the Arrow stream holds bin summaries, not flow records. */
    public static final int FLAG_BINS = 1;

    /** Releases the payload. */
    public void release()
    {
        payload.release();
    }
}
