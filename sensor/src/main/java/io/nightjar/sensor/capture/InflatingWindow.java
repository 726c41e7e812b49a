package io.nightjar.sensor.capture;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A {@link ByteWindow} over a gzip-compressed capture: decompresses into one reusable heap buffer,
 * compacting the unread tail to the front and refilling behind it. The buffer grows only when a
 * single record is bigger than it. Concatenated gzip members read as one stream.
 *
 * <p>A corrupt or truncated gzip stream is content damage, not an I/O failure: the window ends there
 * and says why in {@link #streamProblem}.
 *
 * <p>Single-threaded.
 */
final class InflatingWindow extends ByteWindow
{
    /** Default bytes of decompressed data held at once. */
    static final int DEFAULT_WINDOW_BYTES = 1 << 20;
    private static final int INFLATER_INPUT_BYTES = 1 << 16;

    private final CountingInputStream compressed;
    private final long fileSize;
    private InputStream inflated;
    private byte[] array;
    private boolean endOfStream;

    /**
     * @param file        the compressed file positioned at its start; owned (closed) by this window.
     * @param fileSize    size of the compressed file in bytes.
     * @param windowBytes initial buffer size, positive.
     * @param name        the file's name, for the message of a corrupt gzip header.
     * @throws CaptureFormatException if the gzip header is corrupt.
     * @throws IOException for I/O failures of the file.
     */
    InflatingWindow(final InputStream file, final long fileSize, final int windowBytes, final String name)
        throws IOException
    {
        this.compressed = new CountingInputStream(file);
        this.fileSize = fileSize;
        try
        {
            this.inflated = new GZIPInputStream(compressed, INFLATER_INPUT_BYTES);
        }
        catch (final ZipException | EOFException ex)
        {
            compressed.close();
            throw new CaptureFormatException(name, "corrupt gzip header: " + ex.getMessage(), ex);
        }
        array = new byte[windowBytes];
        setBuffer(ByteBuffer.wrap(array));
    }

    @Override
    boolean refill(final int need) throws IOException
    {
        final int unread = limit - position;
        if (need > array.length)
        {
            final byte[] bigger = new byte[(int)Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * array.length))];
            System.arraycopy(array, position, bigger, 0, unread);
            array = bigger;
            setBuffer(ByteBuffer.wrap(bigger));
        }
        else if (position > 0)
        {
            System.arraycopy(array, position, array, 0, unread);
        }
        base += position;
        position = 0;
        limit = unread;

        final byte[] memory = array;
        while (limit < memory.length && !endOfStream)
        {
            try
            {
                final int read = inflated.read(memory, limit, memory.length - limit);
                if (read < 0)
                {
                    endOfStream = true;
                }
                else
                {
                    limit += read;
                }
            }
            catch (final ZipException | EOFException ex)
            {
                endOfStream = true;
                streamProblem = "gzip stream damaged after " + (base + limit) + " decompressed bytes (" +
                    ex.getMessage() + ")";
            }
        }
        return limit >= need;
    }

    @Override
    long filePosition()
    {
        return compressed.count;
    }

    @Override
    long fileSize()
    {
        return fileSize;
    }

    @Override
    public void close() throws IOException
    {
        inflated.close();
    }

    /** Counts the compressed bytes the inflater has taken, for progress. */
    private static final class CountingInputStream extends FilterInputStream
    {
        long count;

        CountingInputStream(final InputStream in)
        {
            super(in);
        }

        @Override
        public int read() throws IOException
        {
            final int b = in.read();
            if (b >= 0)
            {
                count++;
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException
        {
            final int n = in.read(b, off, len);
            if (n > 0)
            {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(final long n) throws IOException
        {
            final long skipped = in.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
