package io.nightjar.aggregator.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.privacy.CryptoPan;
import io.nightjar.aggregator.privacy.CryptoPanKey;
import io.nightjar.wire.schema.Addresses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.nightjar.aggregator.stats.StatsFixture.at;
import static io.nightjar.wire.schema.TrafficClass.BACKSCATTER;
import static io.nightjar.wire.schema.TrafficClass.TCP_SCAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/v1/export?anonymize=cryptopan} on a real aggregator started with a Crypto-PAn key (the
 * reference sample trace's key): the Parquet read back holds, row for row, the Crypto-PAn image of
 * every source and victim (text and 16 bytes agreeing, IPv4 still IPv4-mapped), no original address
 * anywhere (Parquet or CSV), and the common-prefix length of every pair of one family unchanged.
 */
class AnonymizedExportTest
{
    private static final String TOKEN = "nj_anon-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final byte[] KEY = {21, 34, 23, (byte)141, 51, (byte)164, (byte)207, (byte)128, 19, 10, 91, 22, 73, (byte)144, 125, 16, (byte)216,
        (byte)152, (byte)143, (byte)131, 121, 121, 101, 39, 98, 87, 76, 45, 42, (byte)132, 34, 2};
    /** Sources, each on its own port so that rows pair up; IPv4 sharing /24, /23, /8 prefixes, IPv6 sharing /64, /48. */
    private static final List<String> SOURCES = List.of("128.11.68.132", "129.118.74.4", "192.0.2.1", "192.0.2.77", "192.0.3.5", "203.0.113.5",
        "10.185.25.118", "2001:db8::1", "2001:db8::2", "2001:db8:0:1::9", "2001:db8:5::1");
    @TempDir
    static Path dir;
    private static Aggregator aggregator;
    private static String base;

    @BeforeAll
    static void start() throws Exception
    {
        try (StatsFixture data = new StatsFixture(dir))
        {
            data.sensor("th-1", "TH", "ThaiCERT", 256).sensor("vn-1", "VN", "VNCERT/CC", 1024);
            for (int i = 0; i < SOURCES.size(); i++)
            {
                data.flow(i % 2 == 0 ? "th-1" : "vn-1", i % 3, SOURCES.get(i), 6, 1000 + i, TCP_SCAN, 10 + i).add();
            }
            // ICMP errors quoting packets to a victim: one victim is also a scanning source, one is not
            data.flow("th-1", 0, "192.0.2.1", 1, 3 << 8 | 1, BACKSCATTER, 7).victim("128.11.68.132").add()
                .flow("vn-1", 1, "2001:db8::2", 58, 1 << 8, BACKSCATTER, 5).victim("198.18.7.9").add();
            data.commit();
        }
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        aggregator = new Aggregator(Aggregator.Settings.of(any, any, dir, null,
                SensorRegistry.of(List.of(new SensorEntry("th-1", "TH", "ThaiCERT", 256), new SensorEntry("vn-1", "VN", "VNCERT/CC", 1024))))
            .withTokens(Tokens.of(List.of(new Tokens.Entry("ASEAN", null, Tokens.sha256(TOKEN))))).withAnonymizeKey(CryptoPanKey.of(KEY)));
        base = "http://127.0.0.1:" + aggregator.httpAddress().getPort();
    }

    @AfterAll
    static void stop()
    {
        aggregator.close();
    }

    private static JsonNode export(final String query) throws Exception
    {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/export?" + query + "&from=" + at(0) + "&to=" + at(5)))
            .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The Crypto-PAn image of a stored address, computed here from the algorithm alone. */
    private static byte[] expected(final String text)
    {
        final byte[] a = Addresses.parse(text);
        final CryptoPan cp = new CryptoPan(KEY);
        if (Addresses.isIpv4Mapped(a))
        {
            final long v4 = cp.anonymizeIpv4((int)Addresses.lo(a)) & 0xffffffffL;
            return Addresses.toBytes(0, 0xffff00000000L | v4);
        }
        final long hi = cp.anonymizeIpv6(Addresses.hi(a), Addresses.lo(a));
        return Addresses.toBytes(hi, cp.resultLo());
    }

    @Test
    void shouldWriteTheCryptoPanImageOfEverySourceAndVictimAndNoOriginal() throws Exception
    {
        final JsonNode r = export("anonymize=cryptopan");
        assertThat(r.path("anonymize").asText()).isEqualTo("cryptopan");
        assertThat(r.path("key_id").asText()).isEqualTo(CryptoPanKey.of(KEY).id());
        assertThat(r.path("rows").asLong()).isEqualTo(SOURCES.size() + 2);
        assertThat(r.path("addresses_anonymized").asLong()).isEqualTo(SOURCES.size() + 1);
        final Path out = Path.of(r.path("directory").asText());
        final Map<Integer, byte[]> srcByPort = new HashMap<>();
        final Map<Integer, String> victimByPort = new HashMap<>();
        final List<String> texts = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = c.createStatement().executeQuery("SELECT port, src_text, src, victim_text"
                 + " FROM read_parquet('" + out + "/**/*.parquet', hive_partitioning = true) ORDER BY port"))
        {
            while (rs.next())
            {
                final byte[] src = rs.getBytes(3);
                assertThat(rs.getString(2)).isEqualTo(exportText(src));
                srcByPort.put(rs.getInt(1), src);
                texts.add(rs.getString(2));
                if (rs.getString(4) != null)
                {
                    victimByPort.put(rs.getInt(1), rs.getString(4));
                    texts.add(rs.getString(4));
                }
            }
        }
        for (int i = 0; i < SOURCES.size(); i++)
        {
            assertThat(srcByPort.get(1000 + i)).as(SOURCES.get(i)).containsExactly(expected(SOURCES.get(i)));
        }
        // the reference sample trace, end to end
        assertThat(exportText(srcByPort.get(1000))).isEqualTo("135.242.180.132");
        assertThat(exportText(srcByPort.get(1007))).isEqualTo("4401:02bc:603f:d91d:027f:ff8e:e6f1:dc1e");
        assertThat(victimByPort.get(3 << 8 | 1)).isEqualTo("135.242.180.132");
        assertThat(victimByPort.get(1 << 8)).isEqualTo(exportText(expected("198.18.7.9")));
        assertThat(Addresses.isIpv4Mapped(srcByPort.get(1002))).isTrue();
        assertThat(Addresses.isIpv4Mapped(srcByPort.get(1007))).isFalse();
        final List<String> originals = new ArrayList<>(SOURCES);
        originals.add("198.18.7.9");
        assertThat(texts).doesNotContainAnyElementsOf(originals.stream().map(o -> exportText(Addresses.parse(o))).toList());
        for (final byte[] image : srcByPort.values())
        {
            assertThat(originals.stream().map(Addresses::parse)).noneMatch(o -> java.util.Arrays.equals(o, image));
        }
    }

    @Test
    void shouldKeepEveryPairsCommonPrefixLength() throws Exception
    {
        final JsonNode r = export("anonymize=cryptopan");
        final Map<Integer, byte[]> image = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = c.createStatement().executeQuery("SELECT port, src FROM read_parquet('" + r.path("directory").asText()
                 + "/**/*.parquet', hive_partitioning = true) WHERE port >= 1000"))
        {
            while (rs.next())
            {
                image.put(rs.getInt(1), rs.getBytes(2));
            }
        }
        int pairs = 0;
        for (int i = 0; i < SOURCES.size(); i++)
        {
            for (int j = i + 1; j < SOURCES.size(); j++)
            {
                if (SOURCES.get(i).contains(":") != SOURCES.get(j).contains(":"))
                {
                    // each family is its own prefix tree: IPv4 keeps ::ffff:0:0/96, IPv6 is mapped over 128 bits
                    continue;
                }
                pairs++;
                assertThat(prefix(image.get(1000 + i), image.get(1000 + j))).as(SOURCES.get(i) + " / " + SOURCES.get(j))
                    .isEqualTo(prefix(Addresses.parse(SOURCES.get(i)), Addresses.parse(SOURCES.get(j))));
            }
        }
        assertThat(pairs).isEqualTo(7 * 6 / 2 + 4 * 3 / 2);
        assertThat(prefix(Addresses.parse("192.0.2.1"), Addresses.parse("192.0.2.77"))).isEqualTo(96 + 25);
    }

    @Test
    void shouldLeaveNoOriginalAddressInACsvExport() throws Exception
    {
        final JsonNode r = export("anonymize=cryptopan&to_format=csv");
        final StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of(r.path("directory").asText())))
        {
            for (final Path f : files.filter(Files::isRegularFile).toList())
            {
                all.append(Files.readString(f));
            }
        }
        assertThat(all).contains("135.242.180.132");
        for (final String o : SOURCES)
        {
            assertThat(all.toString()).as(o).doesNotContain("," + exportText(Addresses.parse(o)) + ",");
        }
        assertThat(all.toString()).contains("," + exportText(expected("2001:db8::1")) + ",");
        assertThat(all.toString()).doesNotContain("198.18.7.9");
    }

    @Test
    void shouldExportPlainAddressesWithoutTheParameter() throws Exception
    {
        final JsonNode r = export("what=flows");
        assertThat(r.path("anonymize").asText()).isEqualTo("none");
        assertThat(r.has("key_id")).isFalse();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM read_parquet('" + r.path("directory").asText()
                 + "/**/*.parquet', hive_partitioning = true) WHERE src_text = '128.11.68.132'"))
        {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
        assertThat(export("what=bins&anonymize=cryptopan").path("rows").asLong()).isPositive();
    }

    /** The export's text form: dotted IPv4, or IPv6 as eight full lower-case groups. */
    private static String exportText(final byte[] a)
    {
        if (Addresses.isIpv4Mapped(a))
        {
            return Addresses.toString(a);
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i += 2)
        {
            sb.append(i == 0 ? "" : ":").append(String.format("%02x%02x", a[i] & 0xff, a[i + 1] & 0xff));
        }
        return sb.toString();
    }

    /** Common-prefix length of two 16-byte addresses. */
    private static int prefix(final byte[] a, final byte[] b)
    {
        final long x = Addresses.hi(a) ^ Addresses.hi(b);
        if (x != 0)
        {
            return Long.numberOfLeadingZeros(x);
        }
        final long y = Addresses.lo(a) ^ Addresses.lo(b);
        return y == 0 ? 128 : 64 + Long.numberOfLeadingZeros(y);
    }
}
