package io.nightjar.sensor.capture;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A {@link ByteWindow} over a memory-mapped file. Files up to the window size (default 1 GiB) are mapped
 * once; larger files are mapped in windows that slide forward when a record crosses the end of the
 * current one, so files beyond 2 GiB read the same way. A window grows if a single record is bigger
 * than it.
 *
 * <p>Single-threaded. A window that slides away, and the last one on {@link #close()}, is unmapped at
 * once (if the JDK allows): handlers must not keep the buffer past their call, as
 * {@link PacketHandler} says.
 */
final class MappedWindow extends ByteWindow
{
    /** Default bytes per mapping: the whole file up to this size. */
    static final int DEFAULT_WINDOW_BYTES = 1 << 30;

    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private final FileChannel channel;
    private final long size;
    private final int windowBytes;

    /**
     * @param channel     the open file, read-only; owned (closed) by this window.
     * @param size        the file size in bytes, positive.
     * @param windowBytes bytes per mapping, positive.
     * @throws IOException if the first mapping fails.
     */
    MappedWindow(final FileChannel channel, final long size, final int windowBytes) throws IOException
    {
        this.channel = channel;
        this.size = size;
        this.windowBytes = windowBytes;
        map(0, (int)Math.min(size, windowBytes));
    }

    @Override
    boolean refill(final int need) throws IOException
    {
        final long start = base + position;
        final long remaining = size - start;
        if (remaining < need && base + limit == size)
        {
            return false;
        }
        map(start, (int)Math.min(remaining, Math.max(windowBytes, need)));
        return limit >= need;
    }

    @Override
    long filePosition()
    {
        return base + position;
    }

    @Override
    long fileSize()
    {
        return size;
    }

    @Override
    public void close() throws IOException
    {
        final ByteBuffer old = buffer;
        buffer = null;
        header = null;
        unmap(old);
        channel.close();
    }

    private void map(final long start, final int length) throws IOException
    {
        final ByteBuffer old = buffer;
        final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
        setBuffer(mapped);
        base = start;
        position = 0;
        limit = length;
        unmap(old);
    }

    private static void unmap(final ByteBuffer mapped)
    {
        if (mapped != null && INVOKE_CLEANER != null)
        {
            try
            {
                INVOKE_CLEANER.invoke(mapped);
            }
            catch (final Throwable ignore)
            {
                // The GC unmaps it later instead.
            }
        }
    }

    private static MethodHandle findCleaner()
    {
        try
        {
            final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            final Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return MethodHandles.lookup()
                .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                .bindTo(field.get(null));
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }
}
