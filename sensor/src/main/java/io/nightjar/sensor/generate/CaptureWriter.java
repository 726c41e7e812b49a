package io.nightjar.sensor.generate;

import java.io.IOException;

/**
 * What the traffic generator needs of a capture-file writer: append one packet with a timestamp,
 * cut to the file's snaplen, and close. Implemented by {@link PcapWriter} and {@link PcapngWriter}.
 *
 * <p>Single-threaded: one writer thread owns an instance.
 */
public interface CaptureWriter extends AutoCloseable
{
    /**
     * Appends a packet of wire length {@code length} from {@code frame[off..]}; at most the
     * snaplen is stored. {@code timestampNanos} is nanoseconds since the Unix epoch.
     */
    void write(long timestampNanos, byte[] frame, int off, int length) throws IOException;

    /** Bytes of the uncompressed file produced so far. */
    long fileBytes();

    @Override
    void close() throws IOException;
}
