package io.nightjar.sensor.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes a classic libpcap capture file: a 24-byte global header (magic 0xa1b2c3d4 for microsecond
 * or 0xa1b23c4d for nanosecond timestamps, version 2.4, snaplen, link type) followed by one
 * 16-byte record header (seconds, sub-second units, captured length, original length) and the
 * captured bytes per packet. All header fields are in the byte order chosen at construction.
 *
 * <p>Buffered in a 1 MiB array and allocation-free per packet. Not thread-safe: one writer thread
 * calls {@code write} and then {@link #close()}. Timestamps are given in nanoseconds since the Unix
 * epoch and truncated to microseconds in a microsecond file.
 */
public final class PcapWriter implements CaptureWriter
{
    /** Magic of a microsecond-resolution file. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Magic of a nanosecond-resolution file. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    /** Default snapshot length, as tcpdump's. */
    public static final int DEFAULT_SNAPLEN = 262_144;

    private static final int BUFFER_BYTES = 1 << 20;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private final boolean little;
    private final boolean nanos;
    private final int snaplen;
    private int pos;
    private long packets;
    private long bytesWritten;

    /**
     * Starts a file on {@code out} (which this writer closes).
     *
     * @param linkType a LINKTYPE_* value, see {@link io.nightjar.sensor.capture.LinkType}.
     * @param snaplen  largest captured length; longer packets are cut to it by {@link #write(long, byte[], int, int)}.
     * @param nanos    nanosecond (true) or microsecond (false) timestamps.
     * @param order    byte order of every header field.
     */
    public PcapWriter(final OutputStream out, final int linkType, final int snaplen, final boolean nanos, final ByteOrder order)
        throws IOException
    {
        if (snaplen <= 0)
        {
            throw new IllegalArgumentException("snaplen must be positive, got " + snaplen);
        }
        this.out = out;
        this.little = order == ByteOrder.LITTLE_ENDIAN;
        this.nanos = nanos;
        this.snaplen = snaplen;
        put32(nanos ? MAGIC_NANOS : MAGIC_MICROS);
        put16(2);
        put16(4);
        put32(0); // thiszone
        put32(0); // sigfigs
        put32(snaplen);
        put32(linkType);
    }

    /** Opens {@code path} (gzip when it ends in {@code .gz}) with the given parameters. */
    public static PcapWriter open(final Path path, final int linkType, final int snaplen, final boolean nanos, final ByteOrder order)
        throws IOException
    {
        return new PcapWriter(CaptureFiles.open(path), linkType, snaplen, nanos, order);
    }

    /** Opens {@code path}: microseconds, little-endian, snaplen {@link #DEFAULT_SNAPLEN}. */
    public static PcapWriter open(final Path path, final int linkType) throws IOException
    {
        return open(path, linkType, DEFAULT_SNAPLEN, false, ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes a packet of wire length {@code length}, capturing at most snaplen bytes of it. */
    @Override
    public void write(final long timestampNanos, final byte[] frame, final int off, final int length) throws IOException
    {
        write(timestampNanos, frame, off, Math.min(length, snaplen), length);
    }

    /**
     * Writes a record with explicit captured and original (wire) lengths; {@code capturedLength}
     * bytes are taken from {@code frame}. Captured length above snaplen is allowed (the file is then
     * inconsistent on purpose, as damaged captures are).
     */
    public void write(final long timestampNanos, final byte[] frame, final int off, final int capturedLength, final int originalLength)
        throws IOException
    {
        final int need = 16 + capturedLength;
        if (pos + need > buf.length)
        {
            flushBuffer();
        }
        final long secs = Math.floorDiv(timestampNanos, 1_000_000_000L);
        final long sub = Math.floorMod(timestampNanos, 1_000_000_000L);
        put32((int)secs);
        put32((int)(nanos ? sub : sub / 1000));
        put32(capturedLength);
        put32(originalLength);
        if (capturedLength > buf.length - pos)
        {
            flushBuffer();
            out.write(frame, off, capturedLength);
            bytesWritten += capturedLength;
        }
        else
        {
            System.arraycopy(frame, off, buf, pos, capturedLength);
            pos += capturedLength;
        }
        packets++;
    }

    /** Packets written so far. */
    public long packets()
    {
        return packets;
    }

    /** Bytes of the (uncompressed) file produced so far, including buffered ones. */
    @Override
    public long fileBytes()
    {
        return bytesWritten + pos;
    }

    /** Writes buffered records to the stream and flushes it. */
    public void flush() throws IOException
    {
        flushBuffer();
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            flushBuffer();
        }
        finally
        {
            out.close();
        }
    }

    private void flushBuffer() throws IOException
    {
        if (pos > 0)
        {
            out.write(buf, 0, pos);
            bytesWritten += pos;
            pos = 0;
        }
    }

    private void put16(final int v)
    {
        final byte[] b = buf;
        final int p = pos;
        if (little)
        {
            b[p] = (byte)v;
            b[p + 1] = (byte)(v >>> 8);
        }
        else
        {
            b[p] = (byte)(v >>> 8);
            b[p + 1] = (byte)v;
        }
        pos = p + 2;
    }

    private void put32(final int v)
    {
        final byte[] b = buf;
        final int p = pos;
        if (little)
        {
            b[p] = (byte)v;
            b[p + 1] = (byte)(v >>> 8);
            b[p + 2] = (byte)(v >>> 16);
            b[p + 3] = (byte)(v >>> 24);
        }
        else
        {
            b[p] = (byte)(v >>> 24);
            b[p + 1] = (byte)(v >>> 16);
            b[p + 2] = (byte)(v >>> 8);
            b[p + 3] = (byte)v;
        }
        pos = p + 4;
    }
}
