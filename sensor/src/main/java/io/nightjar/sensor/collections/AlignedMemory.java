package io.nightjar.sensor.collections;

import java.lang.ref.Cleaner;
import java.lang.reflect.Field;

/**
 * A block of native memory aligned to a cache line, read and written as native-order longs at byte
 * offsets: the rows of a table that every packet touches. A {@code DirectByteBuffer} does the same
 * with an index check, a memory-segment check and a byte-order test on every access (about six
 * instructions and three field loads in C2's code); here an access is one load or store, and the
 * owner checks its offsets once, where they are made (the flow table: PipelineBenchmark about 4%
 * faster).
 *
 * <p>Offsets are not checked: the owner keeps them inside {@link #bytes()} (a wrong one reads or
 * corrupts memory outside the block). The memory is freed by {@link #free()}, or when the block is
 * unreachable. Not thread-safe: one owner thread.
 */
public final class AlignedMemory
{
    /** The alignment of the block's start, bytes. */
    public static final int ALIGNMENT = 64;

    private static final sun.misc.Unsafe UNSAFE = unsafe();
    private static final Cleaner CLEANER = Cleaner.create();

    private final long address;
    private final long bytes;
    private final Cleaner.Cleanable cleanable;

    /**
     * Allocates {@code bytes} of zeroed memory, its start aligned to {@value #ALIGNMENT} bytes.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative.
     * @throws OutOfMemoryError         if the memory cannot be allocated.
     */
    public AlignedMemory(final long bytes)
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        final long raw = UNSAFE.allocateMemory(bytes + ALIGNMENT);
        UNSAFE.setMemory(raw, bytes + ALIGNMENT, (byte)0);
        this.address = (raw + ALIGNMENT - 1) & -ALIGNMENT;
        this.bytes = bytes;
        this.cleanable = CLEANER.register(this, new Release(raw));
    }

    /** Size of the block, bytes. */
    public long bytes()
    {
        return bytes;
    }

    /** The long at {@code offset} (native byte order). */
    public long getLong(final long offset)
    {
        return UNSAFE.getLong(address + offset);
    }

    /** Writes the long at {@code offset} (native byte order). */
    public void putLong(final long offset, final long value)
    {
        UNSAFE.putLong(address + offset, value);
    }

    /** Zeroes {@code length} bytes from {@code offset}. */
    public void zero(final long offset, final long length)
    {
        UNSAFE.setMemory(address + offset, length, (byte)0);
    }

    /** Copies the first {@code length} bytes of {@code source} to the start of this block. */
    public void copyFrom(final AlignedMemory source, final long length)
    {
        if (length < 0 || length > source.bytes || length > bytes)
        {
            throw new IndexOutOfBoundsException("copy of " + length + " bytes from " + source.bytes + " into " + bytes);
        }
        UNSAFE.copyMemory(source.address, address, length);
    }

    /** Frees the memory now; the block must not be used afterwards. */
    public void free()
    {
        cleanable.clean();
    }

    /** Frees the raw allocation once: on {@link #free()} or after the block became unreachable. */
    private static final class Release implements Runnable
    {
        private final long raw;

        Release(final long raw)
        {
            this.raw = raw;
        }

        @Override
        public void run()
        {
            UNSAFE.freeMemory(raw);
        }
    }

    private static sun.misc.Unsafe unsafe()
    {
        try
        {
            final Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe)field.get(null);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }
}
