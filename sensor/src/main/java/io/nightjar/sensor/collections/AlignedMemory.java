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
    /** The alignment of the block's start, bytes (a huge page's for blocks offered huge pages). */
    public static final int ALIGNMENT = 64;
    /** A transparent huge page on x86-64 Linux, bytes. */
    static final long HUGE_PAGE = 2L << 20;
    /**
     * Blocks from this size on are offered huge pages: below it the second-level TLB (1,500 to
     * 2,000 entries of 4 KiB) already covers the block, and the advice would only cost the start of
     * JNA (about 30 ms of a short {@code summarize}, whose flow rows are 4 MiB).
     */
    static final long HUGE_FROM = 16L << 20;

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
        final boolean huge = hugePages(bytes);
        final long align = huge ? HUGE_PAGE : ALIGNMENT;
        final long raw = UNSAFE.allocateMemory(bytes + align);
        this.address = (raw + align - 1) & -align;
        this.bytes = bytes;
        this.cleanable = CLEANER.register(this, new Release(raw));
        if (huge)
        {
            // before the first touch, so that the kernel backs the block with huge pages as it faults it in
            HugePages.advise(address, (bytes + HUGE_PAGE - 1) & -HUGE_PAGE);
        }
        UNSAFE.setMemory(address, bytes, (byte)0);
    }

    /** Whether blocks of this size are offered huge pages (where the kernel has them in madvise or always mode). */
    public static boolean hugePages(final long bytes)
    {
        return bytes >= HUGE_FROM && HugePages.MADVISE != null;
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

    /**
     * {@code madvise(MADV_HUGEPAGE)} through JNA (the sensor's binding to libpcap), where the kernel
     * offers transparent huge pages on request: a table read at random over tens of megabytes then
     * needs one TLB entry per 2 MiB instead of one per 4 KiB (the flow table's 27 MB of rows in
     * PipelineBenchmark: about +2.5%, four paired runs). Best effort: without JNA, libc or the
     * kernel's consent the block keeps small pages.
     */
    private static final class HugePages
    {
        private static final int MADV_HUGEPAGE = 14;
        /** libc's madvise, or null where huge pages are not offered on request (or JNA or libc is missing). */
        static final com.sun.jna.Function MADVISE = madvise();

        private static com.sun.jna.Function madvise()
        {
            try
            {
                final String mode = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
                if (!com.sun.jna.Platform.isLinux() || !(mode.contains("[madvise]") || mode.contains("[always]")))
                {
                    return null;
                }
                return com.sun.jna.NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME).getFunction("madvise");
            }
            catch (final java.io.IOException | RuntimeException | LinkageError e)
            {
                return null;
            }
        }

        static void advise(final long address, final long length)
        {
            try
            {
                MADVISE.invokeInt(new Object[] {new com.sun.jna.Pointer(address), new com.sun.jna.NativeLong(length), MADV_HUGEPAGE});
            }
            catch (final RuntimeException | LinkageError e)
            {
                // small pages then
            }
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
