package io.nightjar.aggregator.privacy;

import io.nightjar.wire.schema.Addresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Key files: raw 32 bytes and 64 hex digits give the same key, wrong sizes and unreadable files are
 * refused naming the file, generated keys are private and never overwrite; and the stored-form
 * anonymiser keeps IPv4 as IPv4-mapped while agreeing with the reference mapping.
 */
class CryptoPanKeyTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadRawAndHexKeyFilesAlike() throws Exception
    {
        final Path raw = dir.resolve("raw.key");
        Files.write(raw, CryptoPanTest.REFERENCE_KEY);
        final Path hex = dir.resolve("hex.key");
        Files.writeString(hex, HexFormat.of().formatHex(CryptoPanTest.REFERENCE_KEY).toUpperCase() + "\n");
        final CryptoPanKey a = CryptoPanKey.load(raw);
        final CryptoPanKey b = CryptoPanKey.load(hex);
        assertThat(a.id()).isEqualTo(b.id()).hasSize(16);
        assertThat(a.newCryptoPan().anonymizeIpv4(0x800b4484)).isEqualTo(b.newCryptoPan().anonymizeIpv4(0x800b4484));
        assertThat(a.toString()).doesNotContain(HexFormat.of().formatHex(CryptoPanTest.REFERENCE_KEY));
    }

    @Test
    void shouldRefuseAWrongSizeOrAMissingFileNamingIt() throws Exception
    {
        final Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "00112233445566778899aabbccddeeff\n");
        assertThatThrownBy(() -> CryptoPanKey.load(shortKey)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(shortKey.toString()).hasMessageContaining("32 raw bytes or 64 hex digits").hasMessageContaining("33 bytes");
        final Path missing = dir.resolve("missing.key");
        assertThatThrownBy(() -> CryptoPanKey.load(missing)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(missing.toString()).hasMessageContaining("cannot read");
    }

    @Test
    void shouldGenerateAPrivateKeyAndNeverOverwriteOne() throws Exception
    {
        final Path file = dir.resolve("keys/deployment.key");
        final CryptoPanKey made = CryptoPanKey.generate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).matches("[0-9a-f]{64}\n");
        assertThat(CryptoPanKey.load(file).id()).isEqualTo(made.id());
        assertThatThrownBy(() -> CryptoPanKey.generate(file)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(CryptoPanKey.load(file).id()).isEqualTo(made.id());
        assertThat(CryptoPanKey.generate(dir.resolve("other.key")).id()).isNotEqualTo(made.id());
        try (var s = Files.list(file.getParent()))
        {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("deployment.key");
        }
    }

    @Test
    void shouldKeepIpv4MappedAndAnonymiseItsIpv4PartAsTheReference()
    {
        final SourceAnonymizer anon = new SourceAnonymizer(CryptoPanKey.of(CryptoPanTest.REFERENCE_KEY), 4);
        assertThat(Addresses.toString(anon.anonymizeStored(Addresses.parse("128.11.68.132")))).isEqualTo("135.242.180.132");
        assertThat(Addresses.isIpv4Mapped(anon.anonymizeStored(Addresses.parse("129.118.74.4")))).isTrue();
        assertThat(Addresses.toString(anon.anonymizeStored(Addresses.parse("2001:db8::1")))).isEqualTo("4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e");
        assertThat(Addresses.toString(anon.anonymizeStored(Addresses.parse("128.11.68.132")))).isEqualTo("135.242.180.132");
        assertThat(anon.cacheHits()).isEqualTo(1);
        assertThat(anon.cacheMisses()).isEqualTo(3);
        assertThat(anon.anonymizeStored(null)).isNull();
    }

    @Test
    void shouldStayCorrectWhenTheCacheEvicts()
    {
        final SourceAnonymizer small = new SourceAnonymizer(CryptoPanKey.of(CryptoPanTest.REFERENCE_KEY), 2);
        final CryptoPan direct = new CryptoPan(CryptoPanTest.REFERENCE_KEY);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 10; i++)
            {
                final int a = 0x0a000000 + i * 7919;
                final byte[] stored = Addresses.toBytes(0, 0xffff00000000L | (a & 0xffffffffL));
                assertThat(Addresses.lo(small.anonymizeStored(stored)) & 0xffffffffL).isEqualTo(direct.anonymizeIpv4(a) & 0xffffffffL);
            }
        }
        assertThat(small.cacheMisses()).isEqualTo(30);
    }
}
