package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The dashboard in a real headless Chromium against a real aggregator holding real data: two
 * sensor processes replay generated captures (one with an eight-minute hole, so coverage notes
 * show) and ship them over mutual TLS. Every panel must show what the API answers for the same
 * query, read back from the DOM (table cells) and from the ECharts instances (chart data).
 * Screenshots of each panel go to {@code target/dashboard-screenshots/}.
 */
class DashboardTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    /** Table panels: panel id, table id. */
    private static final Map<String, String> TABLES = new LinkedHashMap<>();

    static
    {
        TABLES.put("panel-ports-tcp", "table-ports-tcp");
        TABLES.put("panel-ports-udp", "table-ports-udp");
        TABLES.put("panel-surging", "table-surging");
        TABLES.put("panel-tools", "table-tools");
        TABLES.put("panel-countries", "table-countries");
        TABLES.put("panel-asns", "table-asns");
        TABLES.put("panel-sources", "table-sources");
        TABLES.put("panel-scans", "table-scans");
        TABLES.put("panel-dos", "table-dos");
        TABLES.put("panel-health", "table-health");
    }

    @org.junit.jupiter.api.io.TempDir
    static Path dir;
    private static Aggregator aggregator;
    /** A regional token (sees everything), and one of Thailand's CERT (detail of TH's sensors only). */
    private static String token;
    private static String thToken;
    private static String base;
    private static HeadlessChromium browser;

    @BeforeAll
    static void shipCapturesAndStartTheBrowser() throws Exception
    {
        assumeThat(HeadlessChromium.installed()).as("Debian chromium and chromium-driver (./nightjar test installs them)").isTrue();
        final Path pki = TestPki.network();
        final Path a = generate("a.pcap", 21, 120_000, 60, "2024-06-01T00:00:00Z");
        final Path b1 = generate("b1.pcap", 22, 40_000, 40, "2024-06-01T00:00:00Z");
        final Path b2 = generate("b2.pcap", 23, 40_000, 40, "2024-06-01T00:25:00Z");
        // the tokens file as `nightjar token` writes it
        final Path tokens = dir.resolve("tokens.yaml");
        token = Tokens.add(tokens, "ASEAN regional", null);
        thToken = Tokens.add(tokens, "ThaiCERT", "TH");
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        aggregator = new Aggregator(Aggregator.Settings.of(any, any, dir.resolve("agg"),
            TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true),
            SensorRegistry.of(List.of(new SensorEntry("s1", "TH", "ThaiCERT", 256), new SensorEntry("s2", "VN", "VNCERT", 256))))
            .withTokens(Tokens.load(tokens))
            // the real country and ASN data where `./nightjar geo-data` put it (without it, sources stay unknown)
            .withEnricher(Enricher.load(Enricher.defaultDirectory())));
        try (NightjarProcess p1 = NightjarProcess.start(dir.resolve("s1.log"), sensorArgs(pki, "s1", a));
             NightjarProcess p2 = NightjarProcess.start(dir.resolve("s2.log"), sensorArgs(pki, "s2", b1, b2)))
        {
            assertThat(p1.waitFor(Duration.ofMinutes(2))).as(p1.output()).isZero();
            assertThat(p2.waitFor(Duration.ofMinutes(2))).as(p2.output()).isZero();
        }
        base = "http://127.0.0.1:" + aggregator.httpAddress().getPort();
        browser = new HeadlessChromium(dir.resolve("chromium"));
    }

    @AfterAll
    static void stop()
    {
        if (browser != null)
        {
            browser.close();
        }
        if (aggregator != null)
        {
            aggregator.close();
        }
    }

    @BeforeEach
    void freshPage()
    {
        // forget the token on a page of the same origin that is not the dashboard (which would use it at once)
        browser.driver.get(base + "/echarts-NOTICE.txt");
        browser.js("sessionStorage.clear();");
        browser.driver.get(base + "/");
        browser.awaitAttribute("body", "data-state", "login");
        browser.consoleEntries();
    }

    private static Path generate(final String name, final long seed, final int packets, final int rate, final String start)
    {
        final Path out = dir.resolve(name);
        final int rc = Nightjar.commandLine().execute("generate", "--packets", Integer.toString(packets), "--seed", Long.toString(seed),
            "--rate", Integer.toString(rate), "--start", start, "--out", out.toString());
        assertThat(rc).as("generate exit code").isZero();
        return out;
    }

    private static String[] sensorArgs(final Path pki, final String id, final Path... captures)
    {
        final List<String> args = new ArrayList<>(List.of("sensor", "--spool", dir.resolve("spool-" + id).toString(), "--bin", "60s",
            "--aggregator", "localhost:" + aggregator.ingestAddress().getPort(), "--sensor-id", id,
            "--cert", pki.resolve("sensors/" + id + ".pem").toString(), "--key", pki.resolve("sensors/" + id + ".key").toString(),
            "--ca", pki.resolve("ca.pem").toString(), "--quiet", "--read"));
        for (final Path c : captures)
        {
            args.add(c.toString());
        }
        return args.toArray(String[]::new);
    }

    // --------------------------------------------------------------------------------------------

    private static HttpResponse<String> api(final String pathAndQuery, final String bearer) throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", "Bearer " + bearer)
            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode apiJson(final String pathAndQuery) throws IOException, InterruptedException
    {
        return apiJson(pathAndQuery, token);
    }

    private static JsonNode apiJson(final String pathAndQuery, final String bearer) throws IOException, InterruptedException
    {
        final HttpResponse<String> res = api(pathAndQuery, bearer);
        assertThat(res.statusCode()).as(pathAndQuery + ": " + res.body()).isEqualTo(200);
        return Fixtures.JSON.readTree(res.body());
    }

    private void signIn(final String value)
    {
        final WebElement field = browser.find("#token");
        field.clear();
        field.sendKeys(value);
        browser.find("#login-submit").click();
    }

    private void signInAndAwaitPanels()
    {
        signInAndAwaitPanels(token);
    }

    private void signInAndAwaitPanels(final String bearer)
    {
        signIn(bearer);
        browser.awaitAttribute("body", "data-state", "ready");
    }

    /** The query a panel asked (path and parameters, as the page sent them). */
    private String queryOf(final String panelId)
    {
        final String q = browser.find("#" + panelId).getAttribute("data-query");
        assertThat(q).as(panelId + " data-query").startsWith("/api/v1/");
        return q;
    }

    private static Map<String, String> parameters(final String query)
    {
        final Map<String, String> out = new HashMap<>();
        final int q = query.indexOf('?');
        if (q >= 0)
        {
            for (final String kv : query.substring(q + 1).split("&"))
            {
                final int eq = kv.indexOf('=');
                out.put(java.net.URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The cells of a table: per row, column key to the cell's raw value (data-value). */
    @SuppressWarnings("unchecked")
    private List<Map<String, String>> tableCells(final String tableId)
    {
        return (List<Map<String, String>>)browser.js("""
            return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]
              .filter(tr => !tr.querySelector('td.empty'))
              .map(tr => Object.fromEntries([...tr.querySelectorAll('td')].map(td => [td.dataset.key, td.dataset.value])));
            """, tableId);
    }

    /** Asserts that every cell of {@code tableId} holds the API's value for that row and column, in the API's order. */
    private static void assertCellsMatch(final String what, final List<Map<String, String>> cells, final JsonNode rows)
    {
        assertThat(cells).as(what + " rows").hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++)
        {
            final JsonNode row = rows.get(i);
            for (final Map.Entry<String, String> cell : cells.get(i).entrySet())
            {
                final JsonNode v = row.get(cell.getKey());
                final String as = what + " row " + i + " column " + cell.getKey();
                assertThat(v).as(as + " is a field of the API's row " + row).isNotNull();
                if (cell.getKey().equals("gaps"))
                {
                    // a sensor's coverage gaps ({start, end, seconds} each) are shown as their count and length
                    assertThat(Integer.parseInt(cell.getValue())).as(as).isEqualTo(v.size());
                }
                else
                {
                    assertCellValue(as, cell.getValue(), v);
                }
            }
        }
    }

    /**
     * Event tables: the API orders by packets, then start, then address, so events of one address
     * that tie on both (other ports or protocols) may come in either order from one answer to the
     * next. Compared in one canonical order instead, after checking the shown order is by packets.
     */
    private static void assertEventCellsMatch(final String what, final List<Map<String, String>> cells, final JsonNode rows,
                                              final String address, final String other)
    {
        final List<Long> shownPackets = cells.stream().map(c -> Long.parseLong(c.get("packets"))).toList();
        assertThat(shownPackets).as(what + " by packets").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        final List<JsonNode> apiRows = new ArrayList<>();
        rows.forEach(apiRows::add);
        apiRows.sort(java.util.Comparator.comparing(r -> eventKey(k -> r.has(k) ? r.get(k).asText() : "", address, other)));
        final com.fasterxml.jackson.databind.node.ArrayNode sortedRows = Fixtures.JSON.createArrayNode();
        apiRows.forEach(sortedRows::add);
        final List<Map<String, String>> sortedCells = new ArrayList<>(cells);
        sortedCells.sort(java.util.Comparator.comparing(c -> eventKey(k -> c.getOrDefault(k, ""), address, other)));
        assertCellsMatch(what, sortedCells, sortedRows);
    }

    /** Packets (most first), start, address, port or protocol, class: one string that sorts in that order. */
    private static String eventKey(final java.util.function.Function<String, String> field, final String address, final String other)
    {
        return String.format("%019d|%s|%s|%s|%s", Long.MAX_VALUE - Long.parseLong(field.apply("packets")), field.apply("start"),
            field.apply(address), field.apply(other), field.apply("class"));
    }

    private static void assertCellValue(final String as, final String cell, final JsonNode v)
    {
        if (v.isNull())
        {
            assertThat(cell).as(as).isEmpty();
        }
        else if (v.isNumber())
        {
            assertThat(Double.parseDouble(cell)).as(as).isEqualTo(v.asDouble());
        }
        else if (v.isArray())
        {
            final List<String> items = new ArrayList<>();
            v.forEach(x -> items.add(x.asText()));
            assertThat(cell).as(as).isEqualTo(String.join(";", items));
        }
        else
        {
            assertThat(cell).as(as).isEqualTo(v.asText());
        }
    }

    /** The series of the chart in {@code elementId}: id to (time ms to value). */
    private Map<String, Map<Long, Double>> chartSeries(final String elementId) throws IOException
    {
        final String json = (String)browser.js("""
            const c = echarts.getInstanceByDom(document.getElementById(arguments[0]));
            return c ? JSON.stringify(c.getOption().series.map(s => ({id: s.id, data: s.data}))) : null;
            """, elementId);
        assertThat(json).as("chart in #" + elementId).isNotNull();
        final Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
        for (final JsonNode s : Fixtures.JSON.readTree(json))
        {
            final Map<Long, Double> points = new LinkedHashMap<>();
            s.path("data").forEach(p -> points.put(p.get(0).asLong(), p.get(1).asDouble()));
            out.put(s.path("id").asText(), points);
        }
        return out;
    }

    /** The API's time rows as series: key to (time ms to value), each key with every time of the answer (0 where absent). */
    private static Map<String, Map<Long, Double>> expectedSeries(final JsonNode rows, final String key, final String value)
    {
        final List<Long> times = new ArrayList<>();
        final Map<String, Map<Long, Double>> out = new HashMap<>();
        for (final JsonNode r : rows)
        {
            final long t = Instant.parse(r.path("time").asText()).toEpochMilli();
            if (!times.contains(t))
            {
                times.add(t);
            }
            out.computeIfAbsent(r.path(key).asText(), k -> new HashMap<>()).put(t, r.path(value).asDouble());
        }
        for (final Map<Long, Double> s : out.values())
        {
            times.forEach(t -> s.putIfAbsent(t, 0.0));
        }
        return out;
    }

    /** A horizontal bar chart's values, top bar first. */
    private List<Double> barValues(final String elementId) throws IOException
    {
        final String json = (String)browser.js(
            "return JSON.stringify(echarts.getInstanceByDom(document.getElementById(arguments[0])).getOption().series[0].data);", elementId);
        final List<Double> out = new ArrayList<>();
        Fixtures.JSON.readTree(json).forEach(v -> out.add(0, v.asDouble()));
        return out;
    }

    private void assertNoSevereConsoleEntries()
    {
        final List<LogEntry> severe = browser.consoleEntries().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
.toList();
        assertThat(severe).as("SEVERE console entries").isEmpty();
    }

    // --------------------------------------------------------------------------------------------

    @Test
    void shouldShowInEveryPanelWhatTheApiAnswersForTheSameQuery() throws Exception
    {
        signInAndAwaitPanels();
        final JsonNode meta = apiJson("/api/v1/meta");

        // the default period is the week up to the end of the stored data (not "now": sample data is old)
        final Map<String, String> q = parameters(queryOf("panel-tsubame"));
        final Instant last = Instant.parse(meta.path("data_range").path("last").asText());
        final Instant to = Instant.parse(q.get("to"));
        assertThat(to).isAfter(last).isBeforeOrEqualTo(last.plus(1, ChronoUnit.MINUTES));
        assertThat(Instant.parse(q.get("from"))).isEqualTo(to.minus(7, ChronoUnit.DAYS));
        assertThat(q).containsEntry("proto", "tcp").containsEntry("step", "5m").containsEntry("limit", "5").doesNotContainKey("country");

        // TSUBAME view: stacked average packets per sensor of the top ports
        final JsonNode tsubame = apiJson(queryOf("panel-tsubame"));
        assertThat(tsubame.path("rows").size()).as("TSUBAME rows").isPositive();
        assertThat(chartSeries("chart-tsubame")).isEqualTo(expectedSeries(tsubame.path("rows"), "port", "avg_packets_per_sensor"));

        // volume by class
        final JsonNode volume = apiJson(queryOf("panel-volume"));
        assertThat(volume.path("rows").size()).as("volume rows").isPositive();
        assertThat(chartSeries("chart-volume")).isEqualTo(expectedSeries(volume.path("rows"), "key", "packets"));

        // every table, cell by cell
        for (final Map.Entry<String, String> t : TABLES.entrySet())
        {
            final JsonNode answer = apiJson(queryOf(t.getKey()));
            switch (t.getKey())
            {
                case "panel-scans" -> assertEventCellsMatch(t.getValue(), tableCells(t.getValue()), answer.path("rows"), "src", "port");
                case "panel-dos" -> assertEventCellsMatch(t.getValue(), tableCells(t.getValue()), answer.path("rows"), "victim", "protocol");
                default -> assertCellsMatch(t.getValue(), tableCells(t.getValue()), answer.path("rows"));
            }
        }
        assertThat(tableCells("table-ports-tcp")).as("top TCP ports").isNotEmpty();
        assertThat(tableCells("table-sources")).as("top sources").isNotEmpty();
        assertThat(tableCells("table-scans")).as("scan events").isNotEmpty();
        assertThat(tableCells("table-dos")).as("DoS attacks").isNotEmpty();
        assertThat(tableCells("table-health")).extracting(r -> r.get("sensor_id")).containsExactlyInAnyOrder("s1", "s2");

        // the bar charts: countries and tools
        final JsonNode countries = apiJson(queryOf("panel-countries"));
        final List<Double> sources = new ArrayList<>();
        countries.path("rows").forEach(r -> sources.add(r.path("sources").asDouble()));
        assertThat(barValues("chart-countries")).isEqualTo(sources);
        // the map: every known country of the answer, with its sources (unknown '??' has no shape)
        final Map<String, Double> known = new HashMap<>();
        countries.path("rows").forEach(r ->
        {
            if (!r.path("country").asText().equals("??"))
            {
                known.put(r.path("country").asText(), r.path("sources").asDouble());
            }
        });
        final JsonNode mapData = Fixtures.JSON.readTree((String)browser.js(
            "return JSON.stringify(echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series[0].data);"));
        final Map<String, Double> shown = new HashMap<>();
        // ECharts adds an entry without data for every other region of the map
        mapData.forEach(d ->
        {
            if (d.has("sources"))
            {
                shown.put(d.path("name").asText(), d.path("sources").asDouble());
            }
        });
        assertThat(shown).as("countries on the map").isEqualTo(known);
        final JsonNode tools = apiJson(queryOf("panel-tools"));
        final List<Double> toolSources = new ArrayList<>();
        tools.path("rows").forEach(r ->
        {
            if (!r.path("tool").asText().equals("unattributed"))
            {
                toolSources.add(r.path("sources").asDouble());
            }
        });
        assertThat(barValues("chart-tools")).as("recognised tools' sources").isEqualTo(toolSources).hasSize(3);

        // coverage notes: s2 has a hole, and each panel shows the note of its own answer
        assertThat(volume.path("coverage").path("complete").asBoolean(true)).as("s2's hole is a coverage gap").isFalse();
        for (final String panel : List.of("panel-volume", "panel-tsubame", "panel-ports-tcp", "panel-health"))
        {
            final JsonNode cov = apiJson(queryOf(panel)).path("coverage");
            final WebElement note = browser.find("#" + panel + " > .coverage");
            if (cov.path("complete").asBoolean(true))
            {
                assertThat(note.isDisplayed()).as(panel + " coverage note").isFalse();
            }
            else
            {
                assertThat(note.isDisplayed()).as(panel + " coverage note").isTrue();
                assertThat(note.getText()).contains(cov.path("note").asText());
            }
        }

        // attribution in the footer (empty only when the aggregator has no geolocation data); times in UTC with the browser's offset
        assertThat(browser.find("#attribution").getText()).isEqualTo(meta.path("attribution").asText());
        if (Files.exists(Enricher.defaultDirectory().resolve(Enricher.COUNTRY_FILE)))
        {
            assertThat(browser.find("#attribution").getText()).contains("DB-IP");
            assertThat(known).as("geolocated source countries").isNotEmpty();
        }
        assertThat(apiJson(queryOf("panel-countries")).path("attribution").asText()).isEqualTo(meta.path("attribution").asText());
        assertThat(browser.find("#timezone").getText()).contains("All times are UTC").contains("UTC+07:00 (" + HeadlessChromium.TIME_ZONE + ")");
        final JsonNode firstSource = apiJson(queryOf("panel-sources")).path("rows").get(0);
        final String shownFirst = browser.find("#table-sources tbody tr:first-child td[data-key=first]").getText();
        assertThat(shownFirst).as("a time shown in UTC, not in the browser's zone")
            .isEqualTo(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC)
                .format(Instant.parse(firstSource.path("first").asText())));
        assertThat(browser.find("#from").getAttribute("value")).as("From field in UTC").isEqualTo(q.get("from").substring(0, 16));

        for (final WebElement panel : browser.findAll("main .panel"))
        {
            browser.screenshot(panel, SHOTS.resolve(panel.getAttribute("id") + ".png"));
        }
        browser.screenshot(browser.find("#controls"), SHOTS.resolve("controls.png"));
        browser.screenshotPage(SHOTS.resolve("dashboard.png"));
        assertNoSevereConsoleEntries();
    }

    @Test
    void shouldAskForTheChosenPeriodAndMemberState() throws Exception
    {
        signInAndAwaitPanels();
        browser.find("[data-preset=day]").click();
        browser.awaitAttribute("body", "data-state", "ready");
        final Map<String, String> day = parameters(queryOf("panel-volume"));
        assertThat(Instant.parse(day.get("from"))).isEqualTo(Instant.parse(day.get("to")).minus(1, ChronoUnit.DAYS));

        // a custom period, typed as UTC
        browser.js("document.getElementById('from').value = '2024-06-01T00:10'; document.getElementById('to').value = '2024-06-01T00:30';");
        browser.find("#apply").click();
        browser.awaitAttribute("body", "data-state", "ready");
        assertThat(parameters(queryOf("panel-volume"))).containsEntry("from", "2024-06-01T00:10:00Z").containsEntry("to", "2024-06-01T00:30:00Z");
        final JsonNode custom = apiJson(queryOf("panel-volume"));
        assertThat(chartSeries("chart-volume")).isEqualTo(expectedSeries(custom.path("rows"), "key", "packets"));
        assertThat(chartSeries("chart-volume").values().iterator().next()).as("5-minute steps in 20 minutes").hasSize(4);
        assertThat(browser.findAll("[data-preset].active")).isEmpty();

        browser.js("const s = document.getElementById('country'); s.value = 'VN'; s.dispatchEvent(new Event('change'));");
        browser.awaitAttribute("body", "data-state", "ready");
        assertThat(parameters(queryOf("panel-health"))).containsEntry("country", "VN");
        final JsonNode health = apiJson(queryOf("panel-health"));
        assertCellsMatch("health (VN)", tableCells("table-health"), health.path("rows"));
        assertThat(tableCells("table-health")).extracting(r -> r.get("sensor_id")).containsExactly("s2");
        assertCellsMatch("ports (VN)", tableCells("table-ports-tcp"), apiJson(queryOf("panel-ports-tcp")).path("rows"));
        assertNoSevereConsoleEntries();
    }

    @Test
    void shouldShowAMemberStateTokenDetailOfItsOwnSensorsOnly() throws Exception
    {
        signInAndAwaitPanels(thToken);
        assertThat(browser.find("#who-text").getText()).contains("ThaiCERT").contains("member state TH");
        final JsonNode health = apiJson(queryOf("panel-health"), thToken);
        assertCellsMatch("health (TH token)", tableCells("table-health"), health.path("rows"));
        assertThat(tableCells("table-health")).extracting(r -> r.get("sensor_id")).containsExactly("s1");
        assertCellsMatch("sources (TH token)", tableCells("table-sources"), apiJson(queryOf("panel-sources"), thToken).path("rows"));
        assertNoSevereConsoleEntries();

        // another member state: regional aggregates still show, detail is refused and the panels say why
        browser.js("const s = document.getElementById('country'); s.value = 'VN'; s.dispatchEvent(new Event('change'));");
        browser.awaitAttribute("body", "data-state", "ready");
        assertThat(api(queryOf("panel-health"), thToken).statusCode()).isEqualTo(403);
        for (final String panel : List.of("panel-health", "panel-sources"))
        {
            assertThat(browser.find("#" + panel).getAttribute("data-state")).as(panel).isEqualTo("error");
            assertThat(browser.find("#" + panel + " > .error").getText()).as(panel).contains("403").contains("TH");
        }
        assertThat(tableCells("table-health")).as("no stale rows of the question before").isEmpty();
        assertCellsMatch("ports (TH token, VN)", tableCells("table-ports-tcp"), apiJson(queryOf("panel-ports-tcp"), thToken).path("rows"));
        assertThat(tableCells("table-ports-tcp")).isNotEmpty();
        browser.screenshot(browser.find("#panel-health"), SHOTS.resolve("member-state-refused.png"));
        // the refused detail requests (403) are logged by the browser itself; nothing else may be an error
        assertThat(browser.consoleEntries().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .filter(e -> !e.getMessage().contains("403"))).isEmpty();
    }

    @Test
    void shouldDrillDownFromAPortAndFromASource() throws Exception
    {
        signInAndAwaitPanels();
        final List<Map<String, String>> ports = tableCells("table-ports-tcp");
        final String port = ports.get(0).get("port");
        browser.find("#table-ports-tcp tbody tr:first-child td[data-key=port] button").click();
        browser.awaitAttribute("#drill", "data-state", "ready");
        assertThat(browser.find("#drill").getAttribute("data-key")).isEqualTo("tcp/" + port);
        assertThat(browser.find("#drill-title").getText()).contains(port + "/tcp");

        final Map<String, String> sq = parameters(queryOf("panel-drill-series"));
        assertThat(sq).containsEntry("port", port).containsEntry("proto", "tcp");
        final JsonNode series = apiJson(queryOf("panel-drill-series"));
        assertThat(series.path("rows").size()).as("port series rows").isPositive();
        final Map<String, Map<Long, Double>> chart = chartSeries("chart-drill-series");
        final Map<Long, Double> avg = new LinkedHashMap<>();
        series.path("rows").forEach(r -> avg.put(Instant.parse(r.path("time").asText()).toEpochMilli(), r.path("avg_packets_per_sensor").asDouble()));
        assertThat(chart.get("avg_packets_per_sensor")).isEqualTo(avg);

        assertThat(parameters(queryOf("panel-drill-sources"))).containsEntry("port", port).containsEntry("proto", "tcp");
        final List<Map<String, String>> portSources = tableCells("table-drill-sources");
        assertCellsMatch("the port's top sources", portSources, apiJson(queryOf("panel-drill-sources")).path("rows"));
        assertThat(portSources).isNotEmpty();

        assertThat(parameters(queryOf("panel-drill-events"))).containsEntry("port", port);
        final JsonNode portEvents = apiJson(queryOf("panel-drill-events"));
        final List<Map<String, String>> portCells = tableCells("table-drill-events");
        assertEventCellsMatch("port events", portCells, portEvents.path("rows"), "src", "port");
        assertThat(portCells).allSatisfy(r -> assertThat(r.get("port")).isEqualTo(port));
        browser.screenshot(browser.find("#drill"), SHOTS.resolve("drill-port.png"));
        browser.find("#drill-close").click();

        final String src = tableCells("table-sources").get(0).get("src");
        browser.find("#table-sources tbody tr:first-child td[data-key=src] button").click();
        browser.awaitAttribute("#drill", "data-key", src);
        browser.awaitAttribute("#drill", "data-state", "ready");
        assertThat(browser.find("#drill-title").getText()).contains(src);
        assertThat(browser.find("#panel-drill-series").isDisplayed()).isFalse();
        assertThat(browser.find("#panel-drill-sources").isDisplayed()).isFalse();
        assertThat(browser.find("#drill-details").getText()).contains(src);
        assertThat(parameters(queryOf("panel-drill-events"))).containsEntry("src", src);
        final JsonNode srcEvents = apiJson(queryOf("panel-drill-events"));
        final List<Map<String, String>> srcCells = tableCells("table-drill-events");
        assertEventCellsMatch("source events", srcCells, srcEvents.path("rows"), "src", "port");
        assertThat(srcCells).allSatisfy(r -> assertThat(r.get("src")).isEqualTo(src));
        // the top source by packets here is a DoS victim: its backscatter is the attack
        assertThat(parameters(queryOf("panel-drill-dos"))).containsEntry("victim", src);
        final List<Map<String, String>> attacks = tableCells("table-drill-dos");
        assertEventCellsMatch("attacks on the source", attacks, apiJson(queryOf("panel-drill-dos")).path("rows"), "victim", "protocol");
        assertThat(attacks).isNotEmpty().allSatisfy(r -> assertThat(r.get("victim")).isEqualTo(src));
        browser.screenshot(browser.find("#drill"), SHOTS.resolve("drill-source.png"));

        // a scanning source, from the scan events table
        browser.find("#drill-close").click();
        final String scanner = tableCells("table-scans").get(0).get("src");
        browser.find("#table-scans tbody tr:first-child td[data-key=src] button").click();
        browser.awaitAttribute("#drill", "data-key", scanner);
        browser.awaitAttribute("#drill", "data-state", "ready");
        final List<Map<String, String>> scannerEvents = tableCells("table-drill-events");
        assertEventCellsMatch("scanner's events", scannerEvents, apiJson(queryOf("panel-drill-events")).path("rows"), "src", "port");
        assertThat(scannerEvents).isNotEmpty().allSatisfy(r -> assertThat(r.get("src")).isEqualTo(scanner));
        browser.screenshot(browser.find("#drill"), SHOTS.resolve("drill-scanner.png"));
        assertNoSevereConsoleEntries();
    }

    @Test
    void shouldRefuseAWrongTokenAndAskAgain() throws Exception
    {
        assertThat(api("/api/v1/meta", "not-the-token").statusCode()).isEqualTo(401);
        signIn("not-the-token");
        browser.awaitAttribute("body", "data-state", "login");
        assertThat(browser.find("#login-error").isDisplayed()).isTrue();
        assertThat(browser.find("#login-error").getText()).contains("refused").contains("401");
        assertThat(browser.find("#login").isDisplayed()).isTrue();
        assertThat(browser.find("#app").isDisplayed()).isFalse();
        assertThat(browser.js("return sessionStorage.getItem('nightjar.token');")).isNull();
        browser.screenshot(browser.find("#login"), SHOTS.resolve("login-refused.png"));
        // the browser logs the refused request itself (status 401); nothing else may be an error
        assertThat(browser.consoleEntries().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .filter(e -> !e.getMessage().contains("401"))).isEmpty();

        signInAndAwaitPanels();
        assertThat(browser.js("return sessionStorage.getItem('nightjar.token');")).isEqualTo(token);
        browser.find("#logout").click();
        browser.awaitAttribute("body", "data-state", "login");
        assertThat(browser.js("return sessionStorage.getItem('nightjar.token');")).as("signed out").isNull();
        assertThat(browser.find("#login-error").isDisplayed()).isFalse();
        assertNoSevereConsoleEntries();
    }

    @Test
    void shouldSortATableByTheClickedHeader() throws Exception
    {
        signInAndAwaitPanels();
        final JsonNode rows = apiJson(queryOf("panel-sources")).path("rows");
        assertThat(rows.size()).isGreaterThan(2);
        final List<Long> apiPorts = new ArrayList<>();
        rows.forEach(r -> apiPorts.add(r.path("ports").asLong()));

        browser.find("#table-sources th[data-key=ports] button").click();
        assertThat(browser.find("#table-sources th[data-key=ports]").getAttribute("aria-sort")).isEqualTo("descending");
        final List<Long> desc = tableCells("table-sources").stream().map(r -> Long.parseLong(r.get("ports"))).toList();
        assertThat(desc).containsExactlyInAnyOrderElementsOf(apiPorts).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        browser.find("#table-sources th[data-key=ports] button").click();
        assertThat(browser.find("#table-sources th[data-key=ports]").getAttribute("aria-sort")).isEqualTo("ascending");
        final List<Long> asc = tableCells("table-sources").stream().map(r -> Long.parseLong(r.get("ports"))).toList();
        assertThat(asc).containsExactlyInAnyOrderElementsOf(apiPorts).isSorted();

        browser.find("#table-sources th[data-key=src] button").click();
        final List<String> bySrc = tableCells("table-sources").stream().map(r -> r.get("src")).toList();
        assertThat(bySrc).hasSize(rows.size()).doesNotHaveDuplicates();
        assertNoSevereConsoleEntries();
    }

    @Test
    void shouldDownloadAPanelsDataAsCsvAndItsChartAsPng() throws Exception
    {
        signInAndAwaitPanels();
        final String query = queryOf("panel-ports-tcp");
        browser.find("#panel-ports-tcp [data-csv]").click();
        final Path csv = browser.awaitDownload(".csv");
        final HttpResponse<String> expected = api(query + "&format=csv", token);
        assertThat(expected.statusCode()).isEqualTo(200);
        assertThat(Files.readString(csv)).isEqualTo(expected.body()).contains("port");

        browser.find("#panel-tsubame [data-png]").click();
        final Path png = browser.awaitDownload(".png");
        final byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).hasSizeGreaterThan(1000);
        assertThat(java.util.Arrays.copyOf(bytes, 8)).isEqualTo(new byte[] {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        assertNoSevereConsoleEntries();
    }
}
