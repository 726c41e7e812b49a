package io.nightjar.sensor.capture;

import java.nio.ByteBuffer;

/**
 * Receives the packets of a {@link PacketSource}, one call per captured record.
 *
 * <p>Called on the thread that drives the source. The buffer and the region
 * {@code [offset, offset + capturedLength)} are valid only for the duration of the call: a
 * handler copies what it keeps. Implementations must not allocate, block or throw per packet.
 */
@FunctionalInterface
public interface PacketHandler
{
    /**
     * One captured packet.
     *
     * @param buffer          holds the packet bytes; big-endian (network byte order); its position and
     *                        limit are unspecified: use absolute reads only, and never change the
     *                        buffer's state.
     * @param offset          absolute index of the first captured byte (the link-layer header).
     * @param capturedLength  bytes captured (at most the capture's snapshot length).
     * @param wireLength      original length of the packet on the wire, in bytes.
     * @param timestampNanos  capture time in nanoseconds since the Unix epoch (UTC).
     * @param linkType        LINKTYPE_* value of the record's interface (see {@link LinkType}).
     */
    void onPacket(ByteBuffer buffer, int offset, int capturedLength, int wireLength, long timestampNanos, int linkType);
}
