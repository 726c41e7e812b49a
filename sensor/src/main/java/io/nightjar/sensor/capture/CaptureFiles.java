package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.nightjar.sensor.capture.CaptureFileDescriptor.*;

/**
 * Opens capture files: classic pcap (microsecond or nanosecond, either byte order), pcapng (any byte order,
 * several sections and interfaces) and either of them gzip-compressed, told apart by their magic bytes,
 * not their names.
 *
 * <p>The sources returned read the file in place, memory-mapped (gzip: decompressed into one reused
 * window), and allocate nothing per packet. Damage inside the file is not thrown: see
 * {@link PacketSource#damage()}.
 *
 * <p>Thread-safe (stateless); each source it returns is single-threaded.
 */
public final class CaptureFiles
{
    private CaptureFiles()
    {
    }

    /**
     * Opens a capture file for reading.
     *
     * @param file the file.
     * @return a source positioned at the first packet; the caller closes it.
     * @throws CaptureFormatException if the file is missing, unreadable, empty, not a capture file, of an
     *                                unsupported version, or its file header is damaged; the message names
     *                                the file and the problem.
     * @throws IOException            for other I/O failures.
     */
    public static PacketSource open(final Path file) throws IOException
    {
        return open(file, MappedWindow.DEFAULT_WINDOW_BYTES, InflatingWindow.DEFAULT_WINDOW_BYTES);
    }

    /**
     * As {@link #open(Path)}, with the window sizes chosen (tests use small ones to exercise remapping).
     *
     * @param file               the file.
     * @param mappedWindowBytes  bytes per memory mapping.
     * @param inflateWindowBytes initial bytes of the decompression window.
     * @return the source.
     * @throws IOException as {@link #open(Path)}.
     */
    static PacketSource open(final Path file, final int mappedWindowBytes, final int inflateWindowBytes)
        throws IOException
    {
        final String name = file.toString();
        if (Files.isDirectory(file))
        {
            throw new CaptureFormatException(name, "is a directory, not a capture file");
        }
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CaptureFormatException(name, "no such file", ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new CaptureFormatException(name, "permission denied", ex);
        }
        catch (final IOException ex)
        {
            throw new CaptureFormatException(name, "cannot open: " + ex, ex);
        }

        ByteWindow window = null;
        boolean opened = false;
        try
        {
            final long size = channel.size();
            if (size == 0)
            {
                throw new CaptureFormatException(name, "empty file");
            }
            final ByteBuffer start = ByteBuffer.allocate(4);
            while (start.hasRemaining() && channel.read(start, start.position()) > 0)
            {
                // Read the first bytes whole.
            }
            if (start.position() >= 2 && (start.getShort(0) & 0xFFFF) == GZIP_MAGIC_16)
            {
                window = new InflatingWindow(Channels.newInputStream(channel), size, inflateWindowBytes, name);
                if (!window.ensure(4))
                {
                    throw new CaptureFormatException(name, "gzip file holds only " + (window.limit - window.position) +
                        " bytes" + (window.streamProblem == null ? "" : " (" + window.streamProblem + ")"));
                }
            }
            else
            {
                if (size < 4)
                {
                    throw new CaptureFormatException(name, "too short for a capture file: " + size + " bytes");
                }
                window = new MappedWindow(channel, size, mappedWindowBytes);
            }

            final int magic = window.buffer.getInt(window.position);
            final PacketSource source;
            try
            {
                if (magic == PCAPNG_SHB_TYPE)
                {
                    source = PcapngFileSource.open(name, window);
                }
                else if (PcapFileSource.isPcapMagic(magic) || PcapFileSource.isPcapMagic(Integer.reverseBytes(magic)))
                {
                    source = PcapFileSource.open(name, window);
                }
                else
                {
                    throw new CaptureFormatException(name, String.format(
                        "unknown format: magic 0x%08x is neither pcap, pcapng nor gzip", magic));
                }
            }
            catch (final CaptureFormatException ex)
            {
                if (window.streamProblem == null)
                {
                    throw ex;
                }
                throw new CaptureFormatException(name, ex.problem() + " (" + window.streamProblem + ")", ex);
            }
            opened = true;
            return source;
        }
        finally
        {
            if (!opened)
            {
                if (window != null)
                {
                    window.close();
                }
                else
                {
                    channel.close();
                }
            }
        }
    }
}
