package io.nightjar.sensor.capture;

import java.io.IOException;

/**
 * A source of captured packets: a capture file (pcap or pcapng, plain or gzip) or, later, a live
 * interface. Pull-driven in slices so the caller can report progress and stop between slices.
 *
 * <p>Single-threaded: one thread calls {@link #read} until it returns -1, then {@link #close}.
 */
public interface PacketSource extends AutoCloseable
{
    /**
     * Delivers up to {@code maxPackets} packets to {@code handler}.
     *
     * <p>Damage in the input (a truncated record, a corrupt header) is not thrown: every complete
     * record before it is delivered, the damage is recorded in {@link #damage()} and the source
     * reports its end.
     *
     * @return the number of packets delivered (0 is possible, e.g. a slice of skipped blocks),
     *         or -1 once the source is exhausted or damaged beyond recovery.
     * @throws IOException only for I/O failures of the underlying file or device.
     */
    int read(PacketHandler handler, int maxPackets) throws IOException;

    /** Bytes of the input consumed so far (of the decompressed stream for gzip), for progress. */
    long position();

    /** Size of the input in bytes if known (the file size; for gzip the compressed size), else -1. */
    long size();

    /** Bytes of the underlying file consumed so far (compressed bytes for gzip), for progress against {@link #size()}. */
    long filePosition();

    /** The first damage found in the input, or {@code null} while the input is intact. */
    CaptureDamage damage();

    /** A human-readable name for logs and reports, usually the file path. */
    String name();

    @Override
    void close() throws IOException;
}
