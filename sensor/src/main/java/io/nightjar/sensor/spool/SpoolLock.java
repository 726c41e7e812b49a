package io.nightjar.sensor.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The spool's one-writer guard: an exclusive OS lock on {@code DIR/spool.lock} held while a
 * {@link SpoolWriter} is open, so that a second sensor started on the same directory (a duplicate
 * unit, a test run beside the service) fails at start, naming the holder's pid, instead of two
 * appenders corrupting each other's cycle files. The lock goes with the process, however it ends.
 */
public final class SpoolLock implements AutoCloseable
{
    /** The lock file's name. */
    public static final String FILE = "spool.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock.
     *
     * @throws UncheckedIOException naming the directory and the holder's pid if another writer holds it.
     */
    public static SpoolLock acquire(final Path directory)
    {
        final Path file = directory.resolve(FILE);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (lock == null)
            {
                final String holder = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
                channel.close();
                throw new UncheckedIOException(new IOException("spool " + directory + " is in use by another sensor"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; one writer per spool directory"));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new SpoolLock(channel, lock);
        }
        catch (final IOException ex)
        {
            try
            {
                if (channel != null)
                {
                    channel.close();
                }
            }
            catch (final IOException ignored)
            {
                // reporting the first failure
            }
            throw new UncheckedIOException("cannot lock spool " + directory + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
