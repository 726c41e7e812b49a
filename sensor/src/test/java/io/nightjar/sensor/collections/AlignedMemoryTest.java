package io.nightjar.sensor.collections;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Native rows: zeroed at allocation, reads return writes, copies and sizes are checked. */
class AlignedMemoryTest
{
    @Test
    void shouldStartZeroedAndKeepWhatIsWritten()
    {
        final AlignedMemory m = new AlignedMemory(1024);
        for (long at = 0; at < 1024; at += 8)
        {
            assertThat(m.getLong(at)).isZero();
            m.putLong(at, at * 31 - 7);
        }
        for (long at = 0; at < 1024; at += 8)
        {
            assertThat(m.getLong(at)).isEqualTo(at * 31 - 7);
        }
        m.zero(64, 128);
        assertThat(m.getLong(56)).isEqualTo(56 * 31 - 7);
        assertThat(m.getLong(64)).isZero();
        assertThat(m.getLong(184)).isZero();
        assertThat(m.getLong(192)).isEqualTo(192 * 31 - 7);
        m.free();
    }

    @Test
    void shouldKeepWhatIsWrittenInABlockOfHugePagesWhereTheKernelOffersThem() throws java.io.IOException
    {
        final long bytes = AlignedMemory.HUGE_FROM + 4096;
        final java.nio.file.Path thp = java.nio.file.Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        final boolean offered = java.nio.file.Files.exists(thp) && java.nio.file.Files.readString(thp).matches("(?s).*\\[(madvise|always)\\].*");
        assertThat(AlignedMemory.hugePages(bytes)).isEqualTo(offered);
        assertThat(AlignedMemory.hugePages(AlignedMemory.HUGE_FROM - 1)).isFalse();
        final AlignedMemory m = new AlignedMemory(bytes);
        for (long at = 0; at < bytes; at += 4096)
        {
            assertThat(m.getLong(at)).isZero();
            m.putLong(at, ~at);
        }
        m.putLong(bytes - 8, 42);
        for (long at = 0; at < bytes - 8; at += 4096)
        {
            assertThat(m.getLong(at)).isEqualTo(~at);
        }
        assertThat(m.getLong(bytes - 8)).isEqualTo(42);
        m.free();
    }

    @Test
    void shouldCopyAPrefixAndRefuseACopyLargerThanEitherBlock()
    {
        final AlignedMemory small = new AlignedMemory(64);
        final AlignedMemory large = new AlignedMemory(256);
        small.putLong(0, 1);
        small.putLong(56, 2);
        large.copyFrom(small, 64);
        assertThat(large.getLong(0)).isEqualTo(1);
        assertThat(large.getLong(56)).isEqualTo(2);
        assertThat(large.getLong(64)).isZero();
        assertThatThrownBy(() -> small.copyFrom(large, 128)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> large.copyFrom(small, 65)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new AlignedMemory(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
