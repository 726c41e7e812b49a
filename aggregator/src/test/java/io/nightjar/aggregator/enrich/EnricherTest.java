package io.nightjar.aggregator.enrich;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lookups against the real data, checked against rows of the CSV files read here independently
 * (java.net.InetAddress and BigInteger, not the loader's parser), and the behaviour on missing
 * and damaged files.
 */
class EnricherTest
{
    private static final BigInteger MAPPED_PREFIX = BigInteger.valueOf(0xffffL).shiftLeft(32);

    private static Path geo;
    private static Enricher enricher;

    @BeforeAll
    static void load()
    {
        geo = GeoTestData.directory();
        enricher = Enricher.load(geo);
    }

    @AfterAll
    static void close()
    {
        if (enricher != null)
        {
            enricher.close();
        }
    }

    /** One CSV row as the test reads it. */
    record Row(int line, BigInteger first, BigInteger last, long asn, String name)
    {
    }


    static BigInteger number(final String text) throws IOException
    {
        return GeoTestData.number(text);
    }

    static List<Row> rows(final String file) throws IOException
    {
        final List<String> lines = Files.readAllLines(geo.resolve(file), StandardCharsets.UTF_8);
        final List<Row> rows = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++)
        {
            final List<String> f = GeoTestData.csv(lines.get(i));
            rows.add(new Row(i + 1, number(f.get(0)), number(f.get(1)), Long.parseLong(f.get(2)), f.get(3)));
        }
        return rows;
    }

    /** 16-byte store form of an address number (IPv4 numbers below 2^32 become IPv4-mapped). */
    static byte[] store(final BigInteger n, final boolean ipv4)
    {
        final BigInteger v = ipv4 ? n.or(MAPPED_PREFIX) : n;
        final byte[] raw = v.toByteArray();
        final byte[] out = new byte[16];
        final int len = Math.min(16, raw.length);
        System.arraycopy(raw, raw.length - len, out, 16 - len, len);
        return out;
    }

    /** Every 10,000th row, the first and last rows and those named; skips the address a later overlapping row takes over. */
    private static void checkSampledRows(final List<Row> rows, final boolean ipv4, final long... alsoAsns)
    {
        final List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 10_000)
        {
            picked.add(i);
        }
        picked.add(rows.size() - 1);
        for (final long asn : alsoAsns)
        {
            for (int i = 0; i < rows.size(); i++)
            {
                if (rows.get(i).asn() == asn)
                {
                    picked.add(i);
                    break;
                }
            }
        }
        int checked = 0;
        for (final int i : picked)
        {
            final Row r = rows.get(i);
            final BigInteger limit = i + 1 < rows.size() ? rows.get(i + 1).first() : null;
            final BigInteger mid = r.first().add(r.last()).shiftRight(1);
            for (final BigInteger a : new BigInteger[] {r.first(), mid, r.last()})
            {
                if (limit != null && a.compareTo(limit) >= 0)
                {
                    continue; // the next row overlaps this one: it wins there
                }
                final byte[] address = store(a, ipv4);
                assertThat(enricher.asn(address)).as("ASN of %s (line %d)", a, r.line()).isEqualTo(r.asn());
                assertThat(enricher.asName(address)).as("AS name of %s (line %d)", a, r.line()).isEqualTo(r.name());
                assertThat(enricher.lookup(address).asn()).isEqualTo(r.asn());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(30);
    }

    @Test
    void shouldAnswerTheCsvAsnForFirstMiddleAndLastAddressOfSampledIpv4Rows() throws IOException
    {
        final List<Row> rows = rows(Enricher.ASN_IPV4_FILE);
        assertThat(rows.stream().anyMatch(r -> r.asn() > (1L << 31))).as("the data has an ASN above 2^31").isTrue();
        checkSampledRows(rows, true, 4_294_967_294L, 13335);
    }

    @Test
    void shouldAnswerTheCsvAsnForFirstMiddleAndLastAddressOfSampledIpv6Rows() throws IOException
    {
        checkSampledRows(rows(Enricher.ASN_IPV6_FILE), false, 6939, 2500);
    }

    @Test
    void shouldKeepAsnsAbove2To31Unsigned() throws IOException
    {
        final Row big = rows(Enricher.ASN_IPV4_FILE).stream().filter(r -> r.asn() > (1L << 31)).findFirst().orElseThrow();
        final Enrichment e = enricher.lookup(store(big.first(), true));
        assertThat(e.asn()).isEqualTo(big.asn()).isGreaterThan(Integer.MAX_VALUE);
        assertThat(e.asName()).isEqualTo(big.name());
    }

    @Test
    void shouldTakeIpv4MappedAddressesAsTheStoreHoldsThem() throws IOException
    {
        // ::ffff:1.0.0.1, written out byte by byte as the sensor ships it
        final byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xff, (byte)0xff, 1, 0, 0, 1};
        final Enrichment e = enricher.lookup(mapped);
        assertThat(e.country()).isEqualTo("AU");
        assertThat(e.asn()).isEqualTo(13335);
        assertThat(e.asName()).isEqualTo("Cloudflare, Inc.");
        assertThat(enricher.country(store(number("8.8.8.8"), true))).isEqualTo("US");
        assertThat(enricher.country(store(number("2001:200::1"), false))).isEqualTo("JP");
        // the same IPv4 bits without the ::ffff prefix are an IPv6 address (::1.0.0.1), not 1.0.0.1
        final byte[] compat = mapped.clone();
        compat[10] = 0;
        compat[11] = 0;
        assertThat(enricher.asn(compat)).isZero();
    }

    @Test
    void shouldAnswerUnknownForPrivateDocumentationAndUnlistedRanges() throws IOException
    {
        for (final String a : new String[] {"10.1.2.3", "192.168.1.1", "203.0.113.5", "127.0.0.1", "2001:db8::1", "fe80::1"})
        {
            final Enrichment e = enricher.lookup(store(number(a), a.indexOf(':') < 0));
            assertThat(e).as(a).isEqualTo(Enrichment.UNKNOWN);
        }
        // the address right after a row that the next row does not start at: in no range
        final List<Row> rows = rows(Enricher.ASN_IPV4_FILE);
        int gaps = 0;
        for (int i = 0; i + 1 < rows.size() && gaps < 5; i += 997)
        {
            final BigInteger after = rows.get(i).last().add(BigInteger.ONE);
            if (after.compareTo(rows.get(i + 1).first()) < 0)
            {
                assertThat(enricher.asn(store(after, true))).as("address after line %d", rows.get(i).line()).isZero();
                assertThat(enricher.asName(store(after, true))).isNull();
                gaps++;
            }
        }
        assertThat(gaps).isPositive();
    }

    @Test
    void shouldIdentifyTheDataItLoaded()
    {
        assertThat(enricher.hasCountry()).isTrue();
        assertThat(enricher.hasAsnIpv4()).isTrue();
        assertThat(enricher.hasAsnIpv6()).isTrue();
        assertThat(enricher.version()).contains("dbip-country.mmdb", "built ", "asn-ipv4.csv crc32c", "asn-ipv6.csv crc32c");
        assertThat(Enricher.ATTRIBUTION).contains("DB-IP", "db-ip.com", "routeviews.org", "nro.net", "CC BY 4.0");
        assertThat(Enricher.ATTRIBUTION_HTML).contains("<a href='https://db-ip.com'>IP Geolocation by DB-IP</a>");
    }

    @Test
    void shouldWarnOncePerMissingFileAndAnswerUnknown(@TempDir final Path empty)
    {
        final List<ILoggingEvent> warnings = captureWarnings(() ->
        {
            try (Enricher e = Enricher.load(empty))
            {
                assertThat(e.isEmpty()).isTrue();
                assertThat(e.lookup(store(BigInteger.valueOf(0x01000001L), true))).isEqualTo(Enrichment.UNKNOWN);
                assertThat(e.version()).isEqualTo(Enricher.none().version()).contains("country: none");
            }
        });
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(empty.toString(), "dbip-country.mmdb", "asn-ipv4.csv", "asn-ipv6.csv",
            "not found", "no country and no ASN", "./nightjar geo-data");
    }

    @Test
    void shouldWarnNamingTheOneMissingFile(@TempDir final Path dir) throws IOException
    {
        Files.copy(geo.resolve(Enricher.COUNTRY_FILE), dir.resolve(Enricher.COUNTRY_FILE));
        Files.copy(geo.resolve(Enricher.ASN_IPV6_FILE), dir.resolve(Enricher.ASN_IPV6_FILE));
        final List<ILoggingEvent> warnings = captureWarnings(() ->
        {
            try (Enricher e = Enricher.load(dir))
            {
                final Enrichment one = e.lookup(store(BigInteger.valueOf(0x01000001L), true));
                assertThat(one.country()).isEqualTo("AU");
                assertThat(one.asn()).isZero();
                assertThat(e.hasAsnIpv6()).isTrue();
                assertThat(e.version()).contains("asn ipv4: none");
            }
        });
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(dir.resolve("asn-ipv4.csv").toString(), "not found", "IPv4 sources get no ASN");
    }

    @Test
    void shouldWarnNamingACorruptCountryDatabaseAndKeepTheAsnData(@TempDir final Path dir) throws IOException
    {
        final byte[] real = Files.readAllBytes(geo.resolve(Enricher.COUNTRY_FILE));
        // the first half only: the metadata section at the end is gone
        Files.write(dir.resolve(Enricher.COUNTRY_FILE), java.util.Arrays.copyOf(real, real.length / 2));
        Files.copy(geo.resolve(Enricher.ASN_IPV4_FILE), dir.resolve(Enricher.ASN_IPV4_FILE));
        Files.copy(geo.resolve(Enricher.ASN_IPV6_FILE), dir.resolve(Enricher.ASN_IPV6_FILE));
        final List<ILoggingEvent> warnings = captureWarnings(() ->
        {
            try (Enricher e = Enricher.load(dir))
            {
                assertThat(e.hasCountry()).isFalse();
                final Enrichment one = e.lookup(store(BigInteger.valueOf(0x01000001L), true));
                assertThat(one.country()).isNull();
                assertThat(one.asn()).isEqualTo(13335);
            }
        });
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(dir.resolve("dbip-country.mmdb").toString(), "not a readable MaxMind DB");
    }

    @Test
    void shouldRejectADamagedAsnFileNamingTheLine(@TempDir final Path dir) throws IOException
    {
        final Path csv = dir.resolve(Enricher.ASN_IPV4_FILE);
        Files.writeString(csv, "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n2.0.0.0,2.0.0.255,3215,Orange\n3.0.0.0,3.0.0.999,16509,Amazon\n");
        assertThatThrownBy(() -> AsnTable.loadIpv4(csv)).isInstanceOf(GeoDataException.class)
            .hasMessageContaining(csv.toString()).hasMessageContaining("line 3").hasMessageContaining("3.0.0.999");
        Files.writeString(csv, "2.0.0.0,2.0.0.255,3215,Orange\n1.0.0.0,1.0.0.255,13335,X\n");
        assertThatThrownBy(() -> AsnTable.loadIpv4(csv)).hasMessageContaining("line 2").hasMessageContaining("not sorted");
        Files.writeString(csv, "1.0.0.0,1.0.0.255\n");
        assertThatThrownBy(() -> AsnTable.loadIpv4(csv)).hasMessageContaining("line 1").hasMessageContaining("4 comma-separated columns");
        final List<ILoggingEvent> warnings = captureWarnings(() -> Enricher.load(dir).close());
        assertThat(warnings).anySatisfy(w -> assertThat(w.getFormattedMessage()).contains(csv.toString(), "line 1", "IPv4 sources get no ASN"));
    }

    @Test
    void shouldParseQuotedNamesAndCompressedIpv6Forms(@TempDir final Path dir) throws IOException
    {
        final Path csv = dir.resolve("v6.csv");
        Files.writeString(csv, "::,::ff,1,\"LLC \"\"SPUTNIK\"\"\"\r\n2001:db8::,2001:db8:0:0:ffff:ffff:ffff:ffff,4294967295,\"A, B\"\n"
            + "2001:db8:1::1,2001:db8:1::1,7,\n");
        final AsnTable t = AsnTable.loadIpv6(csv);
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.name(t.findIpv6(0, 0x80))).isEqualTo("LLC \"SPUTNIK\"");
        final int i = t.findIpv6(0x20010db800000000L, 0x1234L);
        assertThat(t.asn(i)).isEqualTo(4_294_967_295L);
        assertThat(t.name(i)).isEqualTo("A, B");
        assertThat(t.findIpv6(0x20010db800000000L, -1L)).isEqualTo(i); // ...:ffff:ffff:ffff:ffff, compared unsigned
        assertThat(t.findIpv6(0x20010db800000001L, 0)).isEqualTo(-1);
        assertThat(t.name(t.findIpv6(0x20010db800010000L, 1))).isEmpty();
        assertThat(t.findIpv6(0x20010db800010000L, 2)).isEqualTo(-1);
    }

    private static List<ILoggingEvent> captureWarnings(final Runnable action)
    {
        final Logger logger = (Logger)LoggerFactory.getLogger(Enricher.class);
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try
        {
            action.run();
        }
        finally
        {
            logger.detachAppender(appender);
        }
        return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }
}
