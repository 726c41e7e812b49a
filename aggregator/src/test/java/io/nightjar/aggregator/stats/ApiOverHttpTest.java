package io.nightjar.aggregator.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nightjar.aggregator.Aggregator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import static io.nightjar.aggregator.stats.StatsFixture.at;
import static io.nightjar.wire.schema.TrafficClass.TCP_SCAN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API as analysts reach it: a real aggregator on 127.0.0.1 with crafted data in its store,
 * asked over HTTP: every endpoint answers, tokens are required and scoped, bad parameters are
 * named, CSV works, failed logins are rate limited, exports are readable Parquet.
 */
class ApiOverHttpTest
{
    private static final String REGION = "nj_region-test-token";
    private static final String THAI = "nj_thai-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    static Path dir;
    private static Aggregator aggregator;
    private static String base;

    @BeforeAll
    static void start() throws Exception
    {
        aggregator = StatsFixture.twoSensorApi(dir, REGION, THAI);
        base = "http://127.0.0.1:" + aggregator.httpAddress().getPort();
    }

    @AfterAll
    static void stop()
    {
        aggregator.close();
    }

    private static HttpResponse<String> get(final String path, final String token) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (token != null)
        {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(final String path, final String token) throws Exception
    {
        final HttpResponse<String> r = get(path, token);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String range()
    {
        return "from=" + at(0) + "&to=" + at(2);
    }

    @Test
    void shouldAnswerEveryEndpointWithTheEnvelope() throws Exception
    {
        for (final String path : List.of("/api/v1/volume?step=5m", "/api/v1/ports/top", "/api/v1/ports/series?port=23&step=1h",
            "/api/v1/ports/tsubame?step=1h", "/api/v1/ports/surging", "/api/v1/sources/top", "/api/v1/countries/top", "/api/v1/asns/top",
            "/api/v1/tools", "/api/v1/sensors/health"))
        {
            final JsonNode a = json(path + (path.contains("?") ? "&" : "?") + range(), REGION);
            assertThat(a.path("api").asText()).as(path).isEqualTo("v1");
            assertThat(a.path("rows").isArray()).as(path).isTrue();
            assertThat(a.path("rows").size()).as(path).isPositive();
            assertThat(a.path("coverage").has("complete")).as(path).isTrue();
            if (!path.contains("surging"))
            {
                assertThat(a.path("query").path("from").asText()).as(path).isEqualTo(at(0));
            }
        }
        for (final String path : List.of("/api/v1/events/scans?min_destinations=1&min_rate=0", "/api/v1/events/dos", "/api/v1/totals?sensor=th-1"))
        {
            final JsonNode a = json(path + (path.contains("?") ? "&" : "?") + range(), REGION);
            assertThat(a.has("rows") ? a.path("rows").isArray() : a.has("packets")).as(path).isTrue();
        }
        assertThat(json("/api/v1/events/scans?min_destinations=1&min_rate=0&" + range(), REGION).path("rows").size()).isEqualTo(2);
        final JsonNode top = json("/api/v1/ports/top?" + range(), REGION);
        assertThat(top.path("rows").get(0).path("packets").asLong()).isEqualTo(140);
        assertThat(top.path("rows").get(0).path("avg_packets_per_sensor").asDouble()).isEqualTo(70.0);
        final JsonNode meta = json("/api/v1/meta", REGION);
        assertThat(meta.path("sensors").get(0).path("organisation").asText()).isEqualTo("ไทยเซิร์ต");
        assertThat(meta.path("data_range").path("last").asText()).isEqualTo(at(2));
    }

    @Test
    void shouldRefuseMissingAndWrongTokens() throws Exception
    {
        final HttpResponse<String> none = get("/api/v1/ports/top", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(JSON.readTree(none.body()).path("parameter").asText()).isEqualTo("Authorization");
        assertThat(get("/api/v1/ports/top", "nj_wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/ports/top", REGION.toUpperCase()).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldLimitAMemberStateTokensDetailButNotItsRegionalAggregates() throws Exception
    {
        final HttpResponse<String> other = get("/api/v1/sources/top?sensor=vn-1", THAI);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(other.body()).path("parameter").asText()).isEqualTo("sensor");
        assertThat(get("/api/v1/sensors/health?country=VN", THAI).statusCode()).isEqualTo(403);
        final JsonNode own = json("/api/v1/sources/top?" + range(), THAI);
        assertThat(own.path("rows").size()).isEqualTo(1);
        assertThat(own.path("rows").get(0).path("packets").asLong()).isEqualTo(100);
        assertThat(json("/api/v1/ports/top?" + range(), THAI).path("rows").get(0).path("packets").asLong()).isEqualTo(140);
        assertThat(json("/api/v1/sensors/health?" + range(), THAI).path("rows").size()).isEqualTo(1);
        assertThat(get("/api/v1/totals?sensor=vn-1", THAI).statusCode()).isEqualTo(403);
        final JsonNode totals = json("/api/v1/totals?" + range(), THAI);
        assertThat(totals.path("packets").asLong()).isEqualTo(100);
        assertThat(totals.path("sensors").has("vn-1")).isFalse();
        assertThat(json("/api/v1/totals?country=VN&" + range(), REGION).path("packets").asLong()).isEqualTo(50);
    }

    @Test
    void shouldNameTheBadParameterInJsonErrors() throws Exception
    {
        for (final String[] c : new String[][] {{"/api/v1/ports/top?limit=0", "limit"}, {"/api/v1/ports/top?proto=xyz", "proto"},
            {"/api/v1/volume?step=7m", "step"}, {"/api/v1/volume?select=1", "select"}, {"/api/v1/ports/top?from=yesterday", "from"},
            {"/api/v1/tools?format=xml", "format"}, {"/api/v1/ports/top?port=70000", "port"}})
        {
            final HttpResponse<String> r = get(c[0], REGION);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(JSON.readTree(r.body()).path("parameter").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(get("/api/v1/nothing", REGION).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswerCsvWithTheSameRows() throws Exception
    {
        final HttpResponse<String> r = get("/api/v1/ports/top?format=csv&" + range(), REGION);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        final String[] lines = r.body().split("\r\n");
        assertThat(lines[0]).startsWith("rank,proto,port,packets,bytes,sources,avg_packets_per_sensor,share");
        assertThat(lines[1]).startsWith("1,tcp,23,140,8400,1,70.0,");
        assertThat(lines).hasSize(3);
    }

    @Test
    void shouldServeStaticFilesWithoutATokenButNeverOutsideTheirDirectory() throws Exception
    {
        final HttpResponse<String> probe = get("/test-probe.txt", null);
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.body()).contains("static probe");
        assertThat(probe.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        assertThat(get("/../../pom.xml", null).statusCode()).isEqualTo(404);
        assertThat(get("/%2e%2e/%2e%2e/pom.xml", null).statusCode()).isEqualTo(404);
        assertThat(get("/io/nightjar/aggregator/Aggregator.class", null).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldExposePrometheusMetricsAndHealthWithoutAToken() throws Exception
    {
        json("/api/v1/ports/top?" + range(), REGION);
        final HttpResponse<String> m = get("/metrics", null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        assertThat(m.body()).contains("# TYPE nightjar_api_requests_total counter")
            .containsPattern("nightjar_api_requests_total\\{endpoint=\"/api/v1/ports/top\",status=\"200\"\\} [1-9]\\d*")
            .containsPattern("nightjar_api_request_seconds\\{endpoint=\"/api/v1/ports/top\",quantile=\"0.95\"\\} [0-9.e-]+")
            .contains("nightjar_store_flow_records_total ").contains("nightjar_store_bytes ");
        for (final String line : m.body().split("\n"))
        {
            assertThat(line).matches("# (HELP|TYPE) .*|[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? -?[0-9.e+-]+");
        }
        assertThat(get("/healthz", null).body()).isEqualTo("ok\n");
        final var ready = get("/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
    }

    @Test
    void shouldBlockAnAddressAfterTenFailedAuthentications() throws Exception
    {
        // from 127.0.0.2, so that the other tests' client (127.0.0.1) is not blocked
        for (int i = 0; i < 10; i++)
        {
            assertThat(rawGet("127.0.0.2", "/api/v1/meta", "nj_guess-" + i)).startsWith("HTTP/1.1 401");
        }
        assertThat(rawGet("127.0.0.2", "/api/v1/meta", REGION)).startsWith("HTTP/1.1 429");
        assertThat(get("/api/v1/meta", REGION).statusCode()).isEqualTo(200);
    }

    private static String rawGet(final String from, final String path, final String token) throws Exception
    {
        try (Socket s = new Socket())
        {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(aggregator.httpAddress(), 5000);
            s.setSoTimeout(10_000);
            final OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldExportHivePartitionedParquetThatDuckDbReadsBack() throws Exception
    {
        final JsonNode r = json("/api/v1/export?" + range(), REGION);
        final Path out = Path.of(r.path("directory").asText());
        assertThat(r.path("rows").asLong()).isEqualTo(3);
        assertThat(r.path("files").get(0).asText()).startsWith("day=2024-06-01/");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = c.createStatement().executeQuery("SELECT sum(packets), string_agg(DISTINCT src_text, ',' ORDER BY src_text), any_value(day)"
                 + " FROM read_parquet('" + out + "/**/*.parquet', hive_partitioning = true)"))
        {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(150);
            assertThat(rs.getString(2)).isEqualTo("192.0.2.1,203.0.113.5");
            assertThat(rs.getString(3)).isEqualTo("2024-06-01");
        }
        final JsonNode csv = json("/api/v1/export?to_format=csv&what=bins&" + range(), REGION);
        assertThat(Files.readString(Path.of(csv.path("directory").asText()).resolve(csv.path("files").get(0).asText()))).contains("sensor_id");
    }

    @Test
    void shouldRefuseAnAnonymisedExportWithoutAKeyNamingTheParameter() throws Exception
    {
        final HttpResponse<String> r = get("/api/v1/export?anonymize=cryptopan&" + range(), REGION);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("parameter").asText()).isEqualTo("anonymize");
        assertThat(JSON.readTree(r.body()).path("error").asText()).contains("--anonymize-key");
        assertThat(get("/api/v1/export?anonymize=md5&" + range(), REGION).statusCode()).isEqualTo(400);
    }
}
