package io.nightjar.aggregator.privacy;

import io.nightjar.wire.schema.Addresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Crypto-PAn against the published reference vectors (IPv4: the reference distribution's sample
 * trace; IPv6: the Go {@code cryptopan} library's vectors, same key, and the Python {@code yacryptopan}
 * README's example) and its defining properties
 * over seeded random addresses: prefixes preserved exactly, a bijection, deterministic, keyed.
 */
class CryptoPanTest
{
    /** The key of the reference distribution's sample trace. */
    static final byte[] REFERENCE_KEY = bytes(21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131, 121, 121,
        101, 39, 98, 87, 76, 45, 42, 132, 34, 2);

    static byte[] bytes(final int... v)
    {
        final byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++)
        {
            b[i] = (byte)v[i];
        }
        return b;
    }

    static List<String[]> referenceIpv4() throws Exception
    {
        final List<String[]> pairs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(CryptoPanTest.class.getResourceAsStream("reference-ipv4.txt"),
            StandardCharsets.US_ASCII)))
        {
            for (String line = r.readLine(); line != null; line = r.readLine())
            {
                if (!line.isBlank() && !line.startsWith("#"))
                {
                    pairs.add(line.trim().split("\\s+"));
                }
            }
        }
        return pairs;
    }

    private static int ipv4(final String text)
    {
        return (int)Addresses.lo(Addresses.parse(text));
    }

    private static String ipv4(final int a)
    {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    private static String ipv6(final CryptoPan cp, final String text)
    {
        final byte[] a = Addresses.parse(text);
        return Addresses.toString(cp.anonymizeIpv6(Addresses.hi(a), Addresses.lo(a)), cp.resultLo());
    }

    @Test
    void shouldMapEveryAddressOfTheReferenceSampleTraceAsTheReferenceDoes() throws Exception
    {
        final List<String[]> pairs = referenceIpv4();
        assertThat(pairs).hasSizeGreaterThanOrEqualTo(70);
        final CryptoPan shared = new CryptoPan(REFERENCE_KEY);
        for (final String[] p : pairs)
        {
            assertThat(ipv4(shared.anonymizeIpv4(ipv4(p[0])))).as(p[0]).isEqualTo(p[1]);
            assertThat(ipv4(new CryptoPan(REFERENCE_KEY).anonymizeIpv4(ipv4(p[0])))).as(p[0] + " on a fresh instance").isEqualTo(p[1]);
        }
    }

    @Test
    void shouldMapIpv6AsTheGoCryptopanLibraryDoes()
    {
        // TestCryptopanIPv6 of github.com/Yawning/cryptopan, with the reference key
        final String[][] vectors = {
            {"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
            {"::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"},
            {"::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"},
            {"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
            {"2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"},
        };
        final CryptoPan cp = new CryptoPan(REFERENCE_KEY);
        for (final String[] v : vectors)
        {
            assertThat(ipv6(cp, v[0])).as(v[0]).isEqualTo(v[1]);
        }
    }

    @Test
    void shouldMapAsThePythonYacryptopanUsageExampleShows()
    {
        // README of github.com/keiichishima/yacryptopan: key b'32-char-str-for-AES-key-and-pad.'
        final CryptoPan cp = new CryptoPan("32-char-str-for-AES-key-and-pad.".getBytes(StandardCharsets.US_ASCII));
        assertThat(ipv4(cp.anonymizeIpv4(ipv4("192.0.2.1")))).isEqualTo("192.0.125.244");
        assertThat(ipv6(cp, "2001:db8::1")).isEqualTo("27fe:8bc7:fee:1e:1e1f:f0fe:f0e1:83fd");
    }

    @Test
    void shouldAgreeBetweenTheByteArrayAndTheNumericForms() throws Exception
    {
        final CryptoPan cp = new CryptoPan(REFERENCE_KEY);
        assertThat(cp.anonymize(new byte[] {(byte)128, 11, 68, (byte)132})).containsExactly(bytes(135, 242, 180, 132));
        assertThat(Addresses.toString(Addresses.hi(cp.anonymize(Addresses.parse("2001:db8::1"))), Addresses.lo(cp.anonymize(Addresses.parse("2001:db8::1")))))
            .isEqualTo("4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e");
        assertThatThrownBy(() -> cp.anonymize(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 128})
    void shouldPreserveTheCommonPrefixLengthOfSeededRandomPairs(final int bits)
    {
        final Random rnd = new Random(20020101L + bits);
        final byte[] key = new byte[32];
        rnd.nextBytes(key);
        final CryptoPan cp = new CryptoPan(key);
        for (int n = 0; n < 3000; n++)
        {
            // a second address sharing a random-length prefix with the first, then differing in the next bit
            final int k = rnd.nextInt(bits + 1);
            final long[] a = random(rnd, bits);
            final long[] b = random(rnd, bits);
            final long[] c = withPrefix(a, b, k, bits);
            final long[] ea = anonymize(cp, a, bits);
            final long[] ec = anonymize(cp, c, bits);
            final int expected = Math.min(bits, CryptoPan.commonPrefix(a[0], a[1], c[0], c[1]));
            assertThat(Math.min(bits, CryptoPan.commonPrefix(ea[0], ea[1], ec[0], ec[1]))).as("pair %d, prefix %d", n, k).isEqualTo(expected);
        }
    }

    @Test
    void shouldBeABijectionOnAnIpv4Slash16AndAnIpv6Slash116()
    {
        final CryptoPan cp = new CryptoPan(REFERENCE_KEY);
        final Set<Integer> v4 = new HashSet<>();
        final int base = ipv4("203.0.0.0");
        final int mappedBase = cp.anonymizeIpv4(base) & 0xffff0000;
        for (int i = 0; i < 1 << 16; i++)
        {
            final int out = cp.anonymizeIpv4(base | i);
            assertThat(out & 0xffff0000).isEqualTo(mappedBase);
            v4.add(out);
        }
        assertThat(v4).hasSize(1 << 16);
        final Set<String> v6 = new HashSet<>();
        final byte[] prefix = Addresses.parse("2001:db8:dead:beef:1:2:3:0");
        for (int i = 0; i < 1 << 12; i++)
        {
            final long h = cp.anonymizeIpv6(Addresses.hi(prefix), Addresses.lo(prefix) | i);
            v6.add(h + "/" + cp.resultLo());
        }
        assertThat(v6).hasSize(1 << 12);
    }

    @Test
    void shouldGiveTheSameAnswerInAnyOrderAndOnAnyInstance()
    {
        final Random rnd = new Random(7);
        final int[] v4 = new int[2000];
        for (int i = 0; i < v4.length; i++)
        {
            v4[i] = rnd.nextInt();
        }
        final CryptoPan sorted = new CryptoPan(REFERENCE_KEY);
        final int[] inOrder = v4.clone();
        java.util.Arrays.sort(inOrder);
        final long before = sorted.blocksEncrypted();
        final java.util.Map<Integer, Integer> expected = new java.util.HashMap<>();
        for (final int a : inOrder)
        {
            expected.put(a, sorted.anonymizeIpv4(a));
        }
        // prefix sharing in sorted order saves blocks, and changes no answer
        assertThat(sorted.blocksEncrypted() - before).isLessThan(32L * inOrder.length * 3 / 4);
        final CryptoPan shuffled = new CryptoPan(REFERENCE_KEY);
        for (final int a : v4)
        {
            assertThat(shuffled.anonymizeIpv4(a)).isEqualTo(expected.get(a));
            assertThat(new CryptoPan(REFERENCE_KEY).anonymizeIpv4(a)).isEqualTo(expected.get(a));
        }
    }

    @Test
    void shouldMapDifferentlyUnderAnotherKey()
    {
        final byte[] other = REFERENCE_KEY.clone();
        other[31] ^= 1;
        final CryptoPan a = new CryptoPan(REFERENCE_KEY);
        final CryptoPan b = new CryptoPan(other);
        final Random rnd = new Random(3);
        int same = 0;
        for (int i = 0; i < 1000; i++)
        {
            final int x = rnd.nextInt();
            if (a.anonymizeIpv4(x) == b.anonymizeIpv4(x))
            {
                same++;
            }
        }
        assertThat(same).isLessThan(5);
        assertThat(ipv6(a, "2001:db8::1")).isNotEqualTo(ipv6(b, "2001:db8::1"));
    }

    @Test
    void shouldRefuseAKeyOfTheWrongLength()
    {
        assertThatThrownBy(() -> new CryptoPan(new byte[16])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    private static long[] random(final Random rnd, final int bits)
    {
        return bits == 32 ? new long[] {(rnd.nextInt() & 0xffffffffL) << 32, 0} : new long[] {rnd.nextLong(), rnd.nextLong()};
    }

    /** The first {@code k} bits of {@code a}, then bit {@code k} flipped (when k < bits), then {@code b}'s bits. */
    private static long[] withPrefix(final long[] a, final long[] b, final int k, final int bits)
    {
        final long[] c = new long[2];
        for (int i = 0; i < bits; i++)
        {
            final long bit;
            if (i < k)
            {
                bit = get(a, i);
            }
            else if (i == k)
            {
                bit = get(a, i) ^ 1;
            }
            else
            {
                bit = get(b, i);
            }
            c[i >> 6] |= bit << (63 - (i & 63));
        }
        return c;
    }

    private static long get(final long[] v, final int i)
    {
        return (v[i >> 6] >>> (63 - (i & 63))) & 1;
    }

    private static long[] anonymize(final CryptoPan cp, final long[] a, final int bits)
    {
        if (bits == 32)
        {
            return new long[] {(cp.anonymizeIpv4((int)(a[0] >>> 32)) & 0xffffffffL) << 32, 0};
        }
        final long h = cp.anonymizeIpv6(a[0], a[1]);
        return new long[] {h, cp.resultLo()};
    }
}
