package io.nightjar.aggregator.stats;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.api.HttpApi;
import io.nightjar.aggregator.api.TotalsQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.nightjar.aggregator.stats.StatsFixture.at;
import static io.nightjar.wire.schema.TrafficClass.TCP_SCAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile analysts against a real aggregator's HTTP API on 127.0.0.1: SQL metacharacters in every
 * parameter of every endpoint, path traversal in the export and in static files, oversized request
 * lines and headers, and token guessing (429 for the window, also for a good token from that
 * address, each failure logged with the address and never with the token).
 */
class SecurityApiTest
{
    private static final String REGION = "nj_security-region-token";
    private static final String THAI = "nj_security-thai-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Values an attacker tries in any parameter: SQL, quoting, comments, NUL, traversal, shell. */
    private static final List<String> HOSTILE = List.of("' OR '1'='1", "th-1' OR 1=1 --", "1; DROP TABLE flows; --", "1 UNION SELECT * FROM sources",
        "\"", "\\", "th-1\u0000", "%00", "../../../../etc/passwd", "/etc/passwd", "..%2f..%2f", "$(id)", "1/**/OR/**/1=1", "x".repeat(300));
    private static final Map<String, Set<String>> ENDPOINTS = new LinkedHashMap<>();

    @TempDir
    static Path dir;
    private static Path data;
    private static Aggregator aggregator;

    static
    {
        ENDPOINTS.put("/api/v1/meta", MetaQuery.PARAMETERS);
        ENDPOINTS.put("/api/v1/totals", TotalsQuery.PARAMETERS);
        ENDPOINTS.put("/api/v1/volume", VolumeQuery.PARAMETERS);
        ENDPOINTS.put("/api/v1/ports/top", PortsQuery.TOP_PARAMETERS);
        ENDPOINTS.put("/api/v1/ports/series", PortsQuery.SERIES_PARAMETERS);
        ENDPOINTS.put("/api/v1/ports/tsubame", PortsQuery.TSUBAME_PARAMETERS);
        ENDPOINTS.put("/api/v1/ports/surging", SurgingQuery.PARAMETERS);
        ENDPOINTS.put("/api/v1/sources/top", SourcesQuery.TOP_PARAMETERS);
        ENDPOINTS.put("/api/v1/countries/top", SourcesQuery.GROUP_PARAMETERS);
        ENDPOINTS.put("/api/v1/asns/top", SourcesQuery.GROUP_PARAMETERS);
        ENDPOINTS.put("/api/v1/tools", ToolsQuery.PARAMETERS);
        ENDPOINTS.put("/api/v1/events/scans", EventsQuery.SCAN_PARAMETERS);
        ENDPOINTS.put("/api/v1/events/dos", EventsQuery.DOS_PARAMETERS);
        ENDPOINTS.put("/api/v1/sensors/health", HealthQuery.PARAMETERS);
        ENDPOINTS.put("/api/v1/export", ExportQuery.PARAMETERS);
    }

    @BeforeAll
    static void start() throws Exception
    {
        data = dir.resolve("data");
        aggregator = StatsFixture.twoSensorApi(data, REGION, THAI);
    }

    @AfterAll
    static void stop()
    {
        aggregator.close();
    }

    /** One HTTP/1.1 request written by hand from {@code from}, so that nothing is normalised on the way. */
    private static Answer raw(final String from, final String target, final String headers) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(aggregator.httpAddress(), 5000);
            s.setSoTimeout(20_000);
            final OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "Connection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            final InputStream in = s.getInputStream();
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            final int status = text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
            final int body = text.indexOf("\r\n\r\n");
            return new Answer(status, body < 0 ? "" : text.substring(body + 4));
        }
    }

    private static Answer get(final String target, final String token) throws IOException
    {
        return raw("127.0.0.1", target, token == null ? "" : "Authorization: Bearer " + token + "\r\n");
    }

    private record Answer(int status, String body)
    {
        JsonNode json() throws IOException
        {
            return JSON.readTree(body);
        }
    }

    private static String range()
    {
        return "from=" + at(0) + "&to=" + at(2);
    }

    private static long storedPackets() throws IOException
    {
        final Answer a = get("/api/v1/totals?" + range(), REGION);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a.json().path("packets").asLong();
    }

    @Test
    void shouldAnswerHostileValuesInEveryParameterWith400NamingItNeverASqlError() throws Exception
    {
        final long before = storedPackets();
        int asked = 0;
        for (final Map.Entry<String, Set<String>> e : ENDPOINTS.entrySet())
        {
            final Set<String> parameters = new TreeSet<>(e.getValue());
            parameters.add("format");
            for (final String parameter : parameters)
            {
                for (final String value : HOSTILE)
                {
                    final String target = e.getKey() + "?" + parameter + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)
                        + (parameter.equals("from") || parameter.equals("to") ? "" : "&" + range())
                        + (e.getKey().endsWith("/series") && !parameter.equals("port") ? "&port=23" : ""); // its required parameter
                    final Answer a = get(target, REGION);
                    asked++;
                    assertThat(a.status()).as(target + " -> " + a.body()).isEqualTo(400);
                    assertThat(a.json().path("parameter").asText()).as(target).isEqualTo(parameter);
                    assertThat(a.body()).as(target).doesNotContainIgnoringCase("sql").doesNotContainIgnoringCase("duckdb")
                        .doesNotContain("Exception");
                }
            }
        }
        // unknown parameters (a raw-SQL "where", an export "name" or "path") are refused the same way
        for (final String extra : List.of("where", "sql", "name", "path", "dir", "file"))
        {
            final Answer a = get("/api/v1/export?" + extra + "=..%2F..%2Fescape&" + range(), REGION);
            assertThat(a.status()).as(extra).isEqualTo(400);
            assertThat(a.json().path("parameter").asText()).isEqualTo(extra);
        }
        assertThat(asked).isGreaterThan(500);
        assertThat(storedPackets()).isEqualTo(before).isEqualTo(150);
    }

    @Test
    void shouldRefuseMalformedEscapesAndNulInTheQueryAsBadRequests() throws Exception
    {
        for (final String q : List.of("sensor=%zz", "sensor=%4", "sensor=th-1%00", "port=23%00", "country=T%00H", "from=2024-06-01%00"))
        {
            final Answer a = get("/api/v1/ports/top?" + q, REGION);
            assertThat(a.status()).as(q + " -> " + a.body()).isEqualTo(400);
        }
    }

    @Test
    void shouldKeepAMemberStateTokenToItsOwnSensorsWhateverItInjects() throws Exception
    {
        for (final String sensor : List.of("th-1,vn-1", "th-1&sensor=vn-1", "vn-1%27%20OR%20%271%27%3D%271", "TH-1"))
        {
            final Answer a = get("/api/v1/sources/top?sensor=" + sensor + "&" + range(), THAI);
            assertThat(a.status()).as(sensor + " -> " + a.body()).isIn(400, 403);
        }
        for (final String country : List.of("VN", "vn", "TH,VN", "TH&country=VN"))
        {
            assertThat(get("/api/v1/sensors/health?country=" + country + "&" + range(), THAI).status()).as(country).isEqualTo(403);
        }
        final JsonNode own = get("/api/v1/sources/top?" + range(), THAI).json();
        assertThat(own.path("rows")).hasSize(1);
        assertThat(own.path("rows").get(0).path("packets").asLong()).isEqualTo(100);
    }

    @Test
    void shouldWriteExportsOnlyUnderTheExportDirectory() throws Exception
    {
        final Set<Path> outsideBefore = filesOutsideExport();
        for (final String attempt : List.of("what=..%2F..%2F..%2Ftmp%2Fx", "what=%2Fetc%2Fcron.d%2Fx", "to_format=..%2Fparquet",
            "to_format=parquet%00", "what=flows%2F..%2F..%2F..", "what=%2e%2e%2f%2e%2e%2f", "to_format=parquet'%20(FORMAT%20CSV)%20--"))
        {
            final Answer a = get("/api/v1/export?" + attempt + "&" + range(), REGION);
            assertThat(a.status()).as(attempt + " -> " + a.body()).isEqualTo(400);
        }
        final Answer ok = get("/api/v1/export?to_format=csv&" + range(), REGION);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        final Path written = Path.of(ok.json().path("directory").asText()).toRealPath();
        assertThat(written.getParent()).isEqualTo(data.resolve("export").toRealPath());
        assertThat(filesOutsideExport()).isEqualTo(outsideBefore);
    }

    /** Every file under the test's directory except the export tree and the store's own files. */
    private static Set<Path> filesOutsideExport() throws IOException
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            final Set<Path> out = new TreeSet<>();
            s.filter(Files::isRegularFile).filter(p -> !p.startsWith(data.resolve("export")))
                .filter(p -> !p.getFileName().toString().startsWith("nightjar.duckdb")).forEach(out::add);
            return out;
        }
    }

    @Test
    void shouldNeverServeAFileOutsideTheDashboard() throws Exception
    {
        for (final String path : List.of("/../pom.xml", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "//etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "/..\\..\\pom.xml", "/index.html%00.js", "/%00", "/./index.html/..",
            "/io/nightjar/aggregator/Aggregator.class", "/logback-test.xml", "/META-INF/MANIFEST.MF", "http://x/../../etc/passwd"))
        {
            final Answer a = get(path, null);
            assertThat(a.status()).as(path).isIn(400, 404);
            assertThat(a.body()).as(path).doesNotContain("root:").doesNotContain("<project").doesNotContain("Manifest-Version");
        }
        assertThat(get("/", null).status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseOversizedRequestLinesAndHeadersAndKeepServing() throws Exception
    {
        final Answer longLine = get("/api/v1/ports/top?sensor=" + "a,".repeat(HttpApi.MAX_REQUEST_LINE_BYTES), REGION);
        assertThat(longLine.status()).isEqualTo(414);
        final Answer bigHeader = raw("127.0.0.1", "/api/v1/meta", "Authorization: Bearer " + REGION + "\r\nX-Padding: "
            + "p".repeat(HttpApi.MAX_HEADER_BYTES) + "\r\n");
        assertThat(bigHeader.status()).isEqualTo(431);
        final Answer manyHeaders = raw("127.0.0.1", "/api/v1/meta", "Authorization: Bearer " + REGION + "\r\n" + "X-A: b\r\n".repeat(2000));
        assertThat(manyHeaders.status()).isEqualTo(431);
        assertThat(get("/api/v1/meta", REGION).status()).isEqualTo(200);
    }

    @Test
    void shouldBlockTokenGuessingForTheWindowAlsoForAGoodTokenAndLogEachFailureWithTheAddress() throws Exception
    {
        final Logger logger = (Logger)LoggerFactory.getLogger(HttpApi.class);
        final ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try
        {
            // from 127.0.0.3: the other tests ask from 127.0.0.1 (and ApiOverHttpTest uses 127.0.0.2 in its own server)
            final List<String> headers = List.of("Authorization: Bearer nj_guess-1\r\n", "Authorization: Basic " + REGION + "\r\n",
                "Authorization: Bearer\r\n", "", "Authorization: Bearer " + REGION + "x\r\n", "Authorization: bearer  nj_guess-2 \r\n",
                "Authorization: Bearer nj_guess-3\r\n", "Authorization: Bearer nj_guess-4\r\n", "Authorization: Bearer nj_guess-5\r\n",
                "Authorization: Bearer nj_guess-6\r\n");
            for (final String h : headers)
            {
                assertThat(raw("127.0.0.3", "/api/v1/meta", h).status()).as(h).isEqualTo(401);
            }
            // a token in the query string is no token
            for (int i = 0; i < 20; i++)
            {
                final Answer a = raw("127.0.0.3", i % 2 == 0 ? "/api/v1/meta" : "/api/v1/nothing?token=" + REGION,
                    "Authorization: Bearer " + REGION + "\r\n");
                assertThat(a.status()).as("blocked request " + i).isEqualTo(429);
            }
            assertThat(get("/api/v1/meta", REGION).status()).as("another address is not blocked").isEqualTo(200);
            final List<String> failures = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("127.0.0.3")).toList();
            assertThat(failures.stream().filter(m -> m.contains("token from 127.0.0.3"))).hasSize(10);
            assertThat(failures.stream().filter(m -> m.contains("too many failed authentications from 127.0.0.3"))).hasSize(20);
            assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains("nj_guess") || e.getFormattedMessage().contains(REGION));
        }
        finally
        {
            logger.detachAppender(log);
        }
    }
}
