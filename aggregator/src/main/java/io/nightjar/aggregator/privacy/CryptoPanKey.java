package io.nightjar.aggregator.privacy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * A deployment's Crypto-PAn key: 32 bytes, read from a file holding either the raw 32 bytes
 * ({@code head -c 32 /dev/urandom > FILE}) or 64 hexadecimal digits (what {@link #generate} writes,
 * with or without a final newline). One key per deployment: every aggregator given the same key maps
 * every source identically, so exports of different aggregators (and sensors) can be joined; a new
 * key is a new, unrelated mapping. The file should be mode 0600 (or 0640 with the service's group);
 * a file others may read or the group may write is used, with a warning. Read once at start; immutable; the key bytes never appear in {@link #toString()} or logs.
 */
public final class CryptoPanKey
{
    private static final Logger LOG = LoggerFactory.getLogger(CryptoPanKey.class);
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] key;
    private final String source;

    private CryptoPanKey(final byte[] key, final String source)
    {
        this.key = key;
        this.source = source;
    }

    /** The key of these 32 bytes (copied), e.g. for tests. */
    public static CryptoPanKey of(final byte[] key)
    {
        if (key.length != CryptoPan.KEY_BYTES)
        {
            throw new IllegalArgumentException("a Crypto-PAn key is " + CryptoPan.KEY_BYTES + " bytes, not " + key.length);
        }
        return new CryptoPanKey(key.clone(), "bytes");
    }

    /**
     * Reads a key file. Throws {@link IllegalArgumentException} naming the file when it cannot be read
     * or holds neither 32 raw bytes nor 64 hex digits.
     */
    public static CryptoPanKey load(final Path file)
    {
        final byte[] content;
        try
        {
            content = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("anonymisation key " + file + ": cannot read it (" + ex.getClass().getSimpleName() + ": "
                + ex.getMessage() + ")", ex);
        }
        try
        {
            final byte[] key = parse(file, content);
            warnIfOthersMayRead(file);
            return new CryptoPanKey(key, file.toString());
        }
        finally
        {
            Arrays.fill(content, (byte)0);
        }
    }

    private static byte[] parse(final Path file, final byte[] content)
    {
        if (content.length == CryptoPan.KEY_BYTES)
        {
            return content.clone();
        }
        final String text = new String(content, StandardCharsets.US_ASCII).strip();
        if (text.length() == 2 * CryptoPan.KEY_BYTES && text.chars().allMatch(c -> Character.digit(c, 16) >= 0))
        {
            return HEX.parseHex(text);
        }
        throw new IllegalArgumentException("anonymisation key " + file + ": must hold " + CryptoPan.KEY_BYTES + " raw bytes or "
            + 2 * CryptoPan.KEY_BYTES + " hex digits, but has " + content.length + " bytes (make one with `nightjar anonymize-key --out FILE`)");
    }

    private static void warnIfOthersMayRead(final Path file)
    {
        try
        {
            final Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            // group read is how a root-owned file reaches the service user (0640 root:nightjar); others, or group write, is not
            if (perms.stream().anyMatch(p -> p.name().startsWith("OTHERS")) || perms.contains(PosixFilePermission.GROUP_WRITE))
            {
                LOG.warn("anonymisation key {} is mode {}: anyone who may read it can undo the anonymisation; 0600 (or 0640 with the service's group)"
                    + " is recommended", file, PosixFilePermissions.toString(perms));
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            // no POSIX permissions here (or they cannot be read): nothing to warn about
        }
    }

    /**
     * Writes a new random key as 64 hex digits and a newline into {@code file}, mode 0600, created
     * atomically; refuses to overwrite an existing file (that would change the deployment's mapping).
     */
    public static CryptoPanKey generate(final Path file) throws IOException
    {
        if (Files.exists(file))
        {
            throw new FileAlreadyExistsException(file.toString(), null, "refusing to overwrite an existing key (a new key is a new mapping)");
        }
        final byte[] key = new byte[CryptoPan.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        final Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, ".cryptopan-key", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try
        {
            Files.writeString(tmp, HEX.formatHex(key) + "\n", StandardCharsets.US_ASCII);
            // a link, not a move: fails rather than replaces when the file appeared meanwhile
            Files.createLink(file, tmp);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
        return new CryptoPanKey(key, file.toString());
    }

    /** A new Crypto-PAn instance of this key (one per thread). */
    public CryptoPan newCryptoPan()
    {
        return new CryptoPan(key);
    }

    /**
     * A public identifier of the key: the first 8 bytes of SHA-256 over a label and the key, hex. It
     * tells which exports share a mapping and reveals nothing usable about the key.
     */
    public String id()
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("nightjar cryptopan key id\0".getBytes(StandardCharsets.US_ASCII));
            return HEX.formatHex(Arrays.copyOf(sha.digest(key), 8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available", ex);
        }
    }

    @Override
    public String toString()
    {
        return "CryptoPanKey[" + source + ", id " + id() + "]";
    }
}
