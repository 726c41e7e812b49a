package io.nightjar.aggregator.privacy;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Crypto-PAn, the keyed prefix-preserving address anonymisation of Xu, Fan, Ammar and Moon
 * ("Prefix-Preserving IP Address Anonymization", ICNP 2002), computed as Jinliang Fan's reference
 * C++ implementation ({@code panonymizer}) does: the first 16 bytes of the 32-byte key are the
 * AES-128 key, the last 16 bytes encrypted with it are the pad; for each bit {@code i} of the
 * address, the block made of the address's first {@code i} bits followed by the pad's remaining
 * bits is encrypted, and the most significant bit of the result is XORed into bit {@code i}. Two
 * addresses sharing a {@code k}-bit prefix therefore map to addresses sharing exactly a {@code k}-bit
 * prefix, the mapping is a bijection of each address space, and the same key gives the same mapping
 * everywhere.
 *
 * <p>IPv4 addresses take 32 AES blocks. IPv6 addresses use the same construction over all 128 bits
 * of the block (128 AES blocks), the extension implemented by Yawning Angel's Go {@code cryptopan}
 * and by the Python {@code yacryptopan}; the Go library's IPv6 test vectors and yacryptopan's README
 * example hold for this class.
 * An IPv4 address is the top 32 bits of the block in both cases, which is how the reference builds
 * its block, so the published IPv4 sample trace holds too.
 *
 * <p>Consecutive calls share work: bit {@code i} depends only on the first {@code i} bits of the
 * input, so when an address shares a {@code k}-bit prefix with the previous one of the same family,
 * its first {@code k + 1} pad bits are taken from that call. Anonymising addresses in sorted order
 * (as an export does) saves about {@code log2(n)} blocks each.
 *
 * <p>Not thread-safe: an instance owns its {@link Cipher} and buffers, and one thread at a time may
 * call it. No allocation per call except {@link #anonymize(byte[])}'s result.
 */
public final class CryptoPan
{
    /** Key length: 16 bytes of AES-128 key, then 16 bytes from which the pad is made. */
    public static final int KEY_BYTES = 32;

    private final Cipher aes;
    private final long padHi;
    private final long padLo;
    private final byte[] block = new byte[16];
    private final byte[] encrypted = new byte[16];

    // the previous call, for prefix sharing: its width (0 = none), input and pad bits (left-aligned)
    private int lastBits;
    private long inHi;
    private long inLo;
    private long lastOtpHi;
    private long lastOtpLo;
    private long blocks;

    /** Crypto-PAn with this 32-byte key (copied; the caller may wipe its array). */
    public CryptoPan(final byte[] key)
    {
        if (key == null || key.length != KEY_BYTES)
        {
            throw new IllegalArgumentException("a Crypto-PAn key is " + KEY_BYTES + " bytes, not " + (key == null ? "null" : key.length));
        }
        final byte[] aesKey = Arrays.copyOfRange(key, 0, 16);
        try
        {
            aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
            final byte[] pad = aes.doFinal(key, 16, 16);
            padHi = longAt(pad, 0);
            padLo = longAt(pad, 8);
            Arrays.fill(pad, (byte)0);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES/ECB/NoPadding is not available: " + ex.getMessage(), ex);
        }
        finally
        {
            Arrays.fill(aesKey, (byte)0);
        }
    }

    /** The anonymised IPv4 address (32 bits, the first octet in the top byte). */
    public int anonymizeIpv4(final int address)
    {
        final long hi = (address & 0xffffffffL) << 32;
        otp(hi, 0, 32);
        return address ^ (int)(lastOtpHi >>> 32);
    }

    /** The high 64 bits of the anonymised IPv6 address {@code (hi, lo)}; {@link #resultLo()} gives the low 64. */
    public long anonymizeIpv6(final long hi, final long lo)
    {
        otp(hi, lo, 128);
        return hi ^ lastOtpHi;
    }

    /** The low 64 bits of the IPv6 address anonymised by the last {@link #anonymizeIpv6} call. */
    public long resultLo()
    {
        return inLo ^ lastOtpLo;
    }

    /** A new array: the anonymised form of a 4-byte IPv4 or a 16-byte IPv6 address (network byte order). */
    public byte[] anonymize(final byte[] address)
    {
        if (address.length == 4)
        {
            final int a = anonymizeIpv4((int)(longAt(address, 0, 4)));
            return new byte[] {(byte)(a >>> 24), (byte)(a >>> 16), (byte)(a >>> 8), (byte)a};
        }
        if (address.length == 16)
        {
            final long hi = anonymizeIpv6(longAt(address, 0), longAt(address, 8));
            final byte[] out = new byte[16];
            putLong(out, 0, hi);
            putLong(out, 8, resultLo());
            return out;
        }
        throw new IllegalArgumentException("an address is 4 or 16 bytes, not " + address.length);
    }

    /** AES blocks encrypted so far (the pad's included), to see what prefix sharing saves. */
    public long blocksEncrypted()
    {
        return blocks;
    }

    /** Computes the one-time pad of a left-aligned address of {@code bits} bits into lastOtp*, remembering the input. */
    private void otp(final long hi, final long lo, final int bits)
    {
        int start = 0;
        long otpHi = 0;
        long otpLo = 0;
        if (lastBits == bits)
        {
            // pad bits 0..k depend only on input bits before them: shared with the previous input
            start = Math.min(bits, commonPrefix(hi, lo, inHi, inLo) + 1);
            otpHi = lastOtpHi & maskHi(start);
            otpLo = lastOtpLo & maskLo(start);
        }
        for (int i = start; i < bits; i++)
        {
            final long mHi = maskHi(i);
            final long mLo = maskLo(i);
            putLong(block, 0, (hi & mHi) | (padHi & ~mHi));
            putLong(block, 8, (lo & mLo) | (padLo & ~mLo));
            encrypt();
            final long bit = (encrypted[0] >>> 7) & 1L;
            if (i < 64)
            {
                otpHi |= bit << (63 - i);
            }
            else
            {
                otpLo |= bit << (127 - i);
            }
        }
        lastBits = bits;
        inHi = hi;
        inLo = lo;
        lastOtpHi = otpHi;
        lastOtpLo = otpLo;
    }

    private void encrypt()
    {
        try
        {
            aes.update(block, 0, 16, encrypted, 0);
            blocks++;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES block encryption failed: " + ex.getMessage(), ex);
        }
    }

    /** Length of the common prefix of two 128-bit values. */
    static int commonPrefix(final long aHi, final long aLo, final long bHi, final long bLo)
    {
        final long x = aHi ^ bHi;
        if (x != 0)
        {
            return Long.numberOfLeadingZeros(x);
        }
        final long y = aLo ^ bLo;
        return y != 0 ? 64 + Long.numberOfLeadingZeros(y) : 128;
    }

    /** High 64 bits of a mask of the top {@code n} of 128 bits. */
    private static long maskHi(final int n)
    {
        return n == 0 ? 0 : n >= 64 ? -1L : -1L << (64 - n);
    }

    /** Low 64 bits of a mask of the top {@code n} of 128 bits. */
    private static long maskLo(final int n)
    {
        return n <= 64 ? 0 : n >= 128 ? -1L : -1L << (128 - n);
    }

    private static long longAt(final byte[] b, final int offset)
    {
        return longAt(b, offset, 8);
    }

    /** Big-endian value of {@code length} bytes at {@code offset}. */
    private static long longAt(final byte[] b, final int offset, final int length)
    {
        long v = 0;
        for (int i = 0; i < length; i++)
        {
            v = (v << 8) | (b[offset + i] & 0xffL);
        }
        return v;
    }

    /** Writes {@code v} big-endian at {@code offset}. */
    private static void putLong(final byte[] b, final int offset, final long v)
    {
        for (int i = 0; i < 8; i++)
        {
            b[offset + i] = (byte)(v >>> (56 - 8 * i));
        }
    }
}
