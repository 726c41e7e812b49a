package io.nightjar.sensor.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes a pcapng capture file (draft-ietf-opsawg-pcapng): one Section Header Block in the byte
 * order chosen at construction, then Interface Description Blocks ({@link #addInterface}, with the
 * link type, snaplen and an {@code if_tsresol} option), Enhanced Packet Blocks
 * ({@link #writeEnhanced}) and Simple Packet Blocks ({@link #writeSimple}). Every block field is in
 * the section's byte order; packet data is padded to 32 bits.
 *
 * <p>Buffered in a 1 MiB array and allocation-free per packet. Not thread-safe: one writer thread.
 * Timestamps are given in nanoseconds since the Unix epoch and converted to the interface's
 * resolution (10^-tsresol seconds, truncating).
 */
public final class PcapngWriter implements CaptureWriter
{
    /** Block type of a Section Header Block. */
    public static final int SHB = 0x0a0d0d0a;
    /** Block type of an Interface Description Block. */
    public static final int IDB = 1;
    /** Block type of a Simple Packet Block. */
    public static final int SPB = 3;
    /** Block type of an Enhanced Packet Block. */
    public static final int EPB = 6;
    /** Byte-order magic of the SHB. */
    public static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;

    private static final int BUFFER_BYTES = 1 << 20;
    private static final int MAX_INTERFACES = 256;
    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L};

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private final boolean little;
    private final int[] snaplens = new int[MAX_INTERFACES];
    private final long[] nanosPerUnit = new long[MAX_INTERFACES];
    private int interfaces;
    private int pos;
    private long packets;
    private long bytesWritten;

    /** Starts a section on {@code out} (which this writer closes), with an unknown section length. */
    public PcapngWriter(final OutputStream out, final ByteOrder order) throws IOException
    {
        this.out = out;
        this.little = order == ByteOrder.LITTLE_ENDIAN;
        put32(SHB);
        put32(28);
        put32(BYTE_ORDER_MAGIC);
        put16(1);
        put16(0);
        put32(-1); // section length -1: not specified (64 bits)
        put32(-1);
        put32(28);
    }

    /** Opens {@code path} (gzip when it ends in {@code .gz}). */
    public static PcapngWriter open(final Path path, final ByteOrder order) throws IOException
    {
        return new PcapngWriter(CaptureFiles.open(path), order);
    }

    /**
     * Writes an IDB and returns its interface id (0, 1, ...).
     *
     * @param snaplen  largest captured length, 0 for none.
     * @param tsresol  timestamp resolution as a negative power of ten: 6 = µs, 9 = ns (0..9).
     */
    public int addInterface(final int linkType, final int snaplen, final int tsresol) throws IOException
    {
        if (tsresol < 0 || tsresol > 9)
        {
            throw new IllegalArgumentException("tsresol must be 0..9 (a power of ten), got " + tsresol);
        }
        if (interfaces == MAX_INTERFACES)
        {
            throw new IllegalStateException("at most " + MAX_INTERFACES + " interfaces");
        }
        ensure(32);
        put32(IDB);
        put32(32);
        put16(linkType);
        put16(0);
        put32(snaplen);
        put16(9); // if_tsresol
        put16(1);
        buf[pos] = (byte)tsresol;
        buf[pos + 1] = 0;
        buf[pos + 2] = 0;
        buf[pos + 3] = 0;
        pos += 4;
        put16(0); // opt_endofopt
        put16(0);
        put32(32);
        snaplens[interfaces] = snaplen;
        nanosPerUnit[interfaces] = POW10[9 - tsresol];
        return interfaces++;
    }

    /** An EPB on interface 0, cut to its snaplen. */
    @Override
    public void write(final long timestampNanos, final byte[] frame, final int off, final int length) throws IOException
    {
        writeEnhanced(0, timestampNanos, frame, off, length);
    }

    /** An EPB of wire length {@code length} on {@code interfaceId}, cut to the interface's snaplen. */
    public void writeEnhanced(final int interfaceId, final long timestampNanos, final byte[] frame, final int off, final int length)
        throws IOException
    {
        final int snap = snaplens[checkInterface(interfaceId)];
        writeEnhanced(interfaceId, timestampNanos, frame, off, snap > 0 ? Math.min(snap, length) : length, length);
    }

    /** An EPB with explicit captured and original lengths; {@code capturedLength} bytes come from {@code frame}. */
    public void writeEnhanced(final int interfaceId, final long timestampNanos, final byte[] frame, final int off,
        final int capturedLength, final int originalLength) throws IOException
    {
        final long units = Math.floorDiv(timestampNanos, nanosPerUnit[checkInterface(interfaceId)]);
        final int padded = (capturedLength + 3) & ~3;
        final int total = 32 + padded;
        ensure(total);
        put32(EPB);
        put32(total);
        put32(interfaceId);
        put32((int)(units >>> 32));
        put32((int)units);
        put32(capturedLength);
        put32(originalLength);
        putData(frame, off, capturedLength, padded);
        put32(total);
        packets++;
    }

    /** An SPB (no timestamp, interface 0) of wire length {@code length}, cut to interface 0's snaplen. */
    public void writeSimple(final byte[] frame, final int off, final int length) throws IOException
    {
        final int snap = snaplens[checkInterface(0)];
        final int captured = snap > 0 ? Math.min(snap, length) : length;
        final int padded = (captured + 3) & ~3;
        final int total = 16 + padded;
        ensure(total);
        put32(SPB);
        put32(total);
        put32(length);
        putData(frame, off, captured, padded);
        put32(total);
        packets++;
    }

    /** Packets written so far. */
    public long packets()
    {
        return packets;
    }

    @Override
    public long fileBytes()
    {
        return bytesWritten + pos;
    }

    /** Writes buffered blocks to the stream and flushes it. */
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

    private int checkInterface(final int id)
    {
        if (id < 0 || id >= interfaces)
        {
            throw new IllegalStateException("no interface " + id + " (add interfaces first; " + interfaces + " defined)");
        }
        return id;
    }

    private void putData(final byte[] frame, final int off, final int len, final int padded) throws IOException
    {
        if (padded > buf.length - pos)
        {
            // a block larger than the buffer: its header is already buffered, stream the data through
            flushBuffer();
            out.write(frame, off, len);
            bytesWritten += len;
            for (int i = len; i < padded; i++)
            {
                out.write(0);
                bytesWritten++;
            }
            return;
        }
        System.arraycopy(frame, off, buf, pos, len);
        for (int i = len; i < padded; i++)
        {
            buf[pos + i] = 0;
        }
        pos += padded;
    }

    private void ensure(final int bytes) throws IOException
    {
        if (pos + bytes > buf.length)
        {
            flushBuffer();
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
