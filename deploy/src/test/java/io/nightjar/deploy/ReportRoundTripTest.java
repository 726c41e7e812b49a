package io.nightjar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.report.Fmt;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code nightjar report} against a real aggregator: three sensor processes (TH, VN, SG; organisation
 * names in Thai, Vietnamese and Japanese) replay generated captures over mutual TLS, one of them
 * across the end of a quarter; the report's HTML, PDF text and CSVs are then checked against the
 * API's own answers, fetched here. The PDF's pages are rendered to {@code target/report-pages/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportRoundTripTest
{
    private static final String FROM = "2024-03-01";
    private static final String TO = "2024-07-01";
    private static final String Q2_FROM = "2024-04-01T00:00:00Z";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Path dir;
    private Aggregator agg;
    private Enricher enricher;
    private String token;
    private String thToken;
    private Path tokenFile;
    private Path thTokenFile;
    private Path out;
    private String stderr;
    private String html;
    private String pdfText;
    private Set<String> embeddedFonts;
    private int rc;

    @BeforeAll
    void replayCapturesAndWriteTheReport() throws Exception
    {
        dir = Files.createTempDirectory("nightjar-report-test");
        final Path pki = TestPki.network();
        final Path yaml = dir.resolve("sensors.yaml");
        Files.writeString(yaml, """
            sensors:
              - id: s1
                country: TH
                organisation: "ไทยเซิร์ต"
                darknet_addresses: 256
              - id: s2
                country: VN
                organisation: "Trung tâm VNCERT"
                darknet_addresses: 1024
              - id: s3
                country: SG
                organisation: "日本CERT"
                darknet_addresses: 256
            """, StandardCharsets.UTF_8);
        // s1 crosses from 2024 Q1 into Q2; s2 and s3 are in June
        final Path c1 = generate("th.pcap", 21, 30_000, 100, "2024-03-31T23:55:00Z");
        final Path c2 = generate("vn.pcap", 22, 30_000, 150, "2024-06-10T08:00:00Z");
        // s2 is silent from about 08:04 to 09:00: a coverage gap
        final Path c2b = generate("vn2.pcap", 24, 6_000, 100, "2024-06-10T09:00:00Z");
        final Path c3 = generate("sg.pcap", 23, 20_000, 100, "2024-06-20T12:00:00Z");
        // tokens: a regional one (the CERT body) and ThaiCERT's member-state one
        final Path tokens = dir.resolve("tokens.yaml");
        token = Tokens.add(tokens, "ASEAN CERT body", null);
        thToken = Tokens.add(tokens, "ไทยเซิร์ต", "TH");
        tokenFile = dir.resolve("regional.token");
        Files.writeString(tokenFile, token + "\n");
        thTokenFile = dir.resolve("th.token");
        Files.writeString(thTokenFile, thToken + "\n");
        // the real country/ASN data when present (./nightjar test fetches it); without it sources are unknown ("??")
        enricher = Enricher.load(Enricher.defaultDirectory());
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        agg = new Aggregator(Aggregator.Settings.of(any, any, dir.resolve("agg"),
            TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true),
            SensorRegistry.load(yaml)).withTokens(Tokens.load(tokens)).withEnricher(enricher));
        try (NightjarProcess p1 = NightjarProcess.start(dir.resolve("s1.log"), sensorArgs(pki, "s1", c1));
             NightjarProcess p2 = NightjarProcess.start(dir.resolve("s2.log"), sensorArgs(pki, "s2", c2, c2b));
             NightjarProcess p3 = NightjarProcess.start(dir.resolve("s3.log"), sensorArgs(pki, "s3", c3)))
        {
            assertThat(p1.waitFor(Duration.ofMinutes(2))).as(p1.output()).isZero();
            assertThat(p2.waitFor(Duration.ofMinutes(2))).as(p2.output()).isZero();
            assertThat(p3.waitFor(Duration.ofMinutes(2))).as(p3.output()).isZero();
        }
        out = dir.resolve("report");
        final StringWriter err = new StringWriter();
        final var cl = Nightjar.commandLine();
        cl.setErr(new PrintWriter(err, true));
        rc = cl.execute("report", "--from", FROM, "--to", TO, "--out", out.toString(), "--api", api(), "--token-file", tokenFile.toString());
        stderr = err.toString();
        assertThat(rc).as(stderr).isZero();
        System.err.println("report test: " + stderr.strip().lines().reduce((a, b) -> b).orElse("").replaceAll(": report.html.*", ""));
        html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        try (PDDocument doc = Loader.loadPDF(out.resolve("report.pdf").toFile()))
        {
            pdfText = new PDFTextStripper().getText(doc);
            embeddedFonts = new TreeSet<>();
            for (final PDPage page : doc.getPages())
            {
                for (final COSName name : page.getResources().getFontNames())
                {
                    final PDFont f = page.getResources().getFont(name);
                    if (f.isEmbedded())
                    {
                        embeddedFonts.add(f.getName());
                    }
                }
            }
            final Path pages = TestPki.root().resolve("deploy/target/report-pages");
            final long t0 = System.nanoTime();
            renderPages(doc, pages);
            System.err.printf("report test: %d pages rendered to %s in %.1f s%n", doc.getNumberOfPages(), pages, (System.nanoTime() - t0) / 1e9);
            Files.copy(out.resolve("report.pdf"), pages.resolve("report.pdf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(out.resolve("report.html"), pages.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @AfterAll
    void stop() throws IOException
    {
        if (agg != null)
        {
            agg.close();
        }
        if (enricher != null)
        {
            enricher.close();
        }
        if (dir != null)
        {
            try (var files = Files.walk(dir))
            {
                for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void shouldLetAMemberStateTokenWriteItsNationalReport() throws Exception
    {
        final Path national = dir.resolve("th-token");
        final StringWriter err = new StringWriter();
        final var cl = Nightjar.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("report", "--from", FROM, "--to", TO, "--member-state", "TH", "--no-pdf", "--out", national.toString(),
            "--api", api(), "--token-file", thTokenFile.toString())).as(err.toString()).isZero();
        final String th = Files.readString(national.resolve("report.html"));
        assertThat(th).contains("prepared for ไทยเซิร์ต").contains("s1");
        final JsonNode health = getAs(thToken, "/api/v1/sensors/health", "from", FROM, "to", TO, "country", "TH").path("rows");
        assertThat(Files.readAllLines(national.resolve("sensors.csv"))).hasSize(health.size() + 1);
        // the regional report with a member-state token: what the token may not see becomes notes, not a failure
        final Path regional = dir.resolve("th-token-regional");
        final StringWriter err2 = new StringWriter();
        final var cl2 = Nightjar.commandLine();
        cl2.setErr(new PrintWriter(err2, true));
        assertThat(cl2.execute("report", "--from", FROM, "--to", TO, "--no-pdf", "--quiet", "--out", regional.toString(),
            "--api", api(), "--token-file", thTokenFile.toString())).as(err2.toString()).isZero();
        // VN's and SG's sensor health is detail a TH token may not see (403): a note and a warning; TH's own is there
        assertThat(err2.toString()).contains("warning: /api/v1/sensors/health: not visible to this token");
        assertThat(Files.readString(regional.resolve("report.html"))).contains("(/api/v1/sensors/health: not visible to this token.)");
        assertThat(regional.resolve("th-sensors.csv")).exists();
        assertThat(regional.resolve("vn-sensors.csv")).doesNotExist();
    }

    @Test
    void shouldReportCoverageGapsAsTheApiSeesThem() throws Exception
    {
        final JsonNode health = get("/api/v1/sensors/health", "from", FROM, "to", TO).path("rows");
        final List<JsonNode> rows = new ArrayList<>();
        health.forEach(rows::add);
        final JsonNode s2 = rows.stream().filter(r -> "s2".equals(r.path("sensor_id").asText())).findFirst().orElseThrow();
        final int gaps = s2.path("gaps").size();
        assertThat(gaps).as("s2 was silent for about an hour").isGreaterThan(0);
        assertThat(csv("sensors.csv")).anyMatch(l -> l.startsWith("s2,VN,Trung tâm VNCERT,1024," + s2.path("bins").asLong() + ","));
        assertThat(pdfText).contains("s2: " + gaps + " gap");
        // an answer's coverage note is quoted under the data-quality notes
        final String note = get("/api/v1/ports/top", "from", Q2_FROM, "to", TO, "proto", "tcp", "limit", "10").path("coverage").path("note").asText("");
        assertThat(note).isNotBlank();
        assertThat(html).contains(HtmlEscape.of(note));
    }

    /** The report's XHTML escaping, for comparing API text with the HTML. */
    private static final class HtmlEscape
    {
        static String of(final String s)
        {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }

    @Test
    void shouldShowTheTotalsOfTheApi() throws Exception
    {
        final JsonNode totals = get("/api/v1/totals", "from", FROM, "to", TO);
        final String packets = Fmt.count(totals.path("packets").asLong());
        assertThat(totals.path("packets").asLong()).isGreaterThan(50_000);
        assertThat(html).contains(packets);
        assertThat(pdfText).contains(packets).contains(Fmt.count(totals.path("distinct_sources").asLong()));
        assertThat(csv("classes.csv")).anyMatch(l -> l.startsWith("tcp_scan," + totals.path("classes").path("tcp_scan").asLong() + ","));
        final JsonNode th = get("/api/v1/totals", "from", FROM, "to", TO, "sensor", "s1");
        assertThat(csv("th-classes.csv")).anyMatch(l -> l.startsWith("tcp_scan," + th.path("classes").path("tcp_scan").asLong() + ","));
        assertThat(th.path("packets").asLong()).isLessThan(totals.path("packets").asLong());
    }

    @Test
    void shouldListTheTopPortsOfEachQuarterAsTheApiRanksThem() throws Exception
    {
        for (final String proto : List.of("tcp", "udp"))
        {
            final JsonNode rows = get("/api/v1/ports/top", "from", Q2_FROM, "to", TO, "proto", proto, "limit", "10").path("rows");
            assertThat(rows.size()).as(proto).isGreaterThan(0);
            final JsonNode top = rows.get(0);
            final List<String> lines = csv("ports-" + proto + "-2024q2.csv");
            assertThat(lines).hasSize(rows.size() + 1);
            assertThat(lines.get(1)).startsWith("1," + top.path("port").asInt() + ",")
                .contains("," + top.path("packets").asLong() + "," + top.path("sources").asLong() + ",");
            // the PDF table row: rank, port, (service), packets
            final String port = top.path("port").asText();
            assertThat(pdfText.lines().filter(l -> l.startsWith("1 " + port + " ")).toList()).as(proto + " top row in the PDF")
                .anyMatch(l -> l.contains(Fmt.count(top.path("packets").asLong())));
        }
        // s1's capture started in Q1: that quarter has its own table
        final JsonNode q1 = get("/api/v1/ports/top", "from", FROM, "to", Q2_FROM, "proto", "tcp", "limit", "10").path("rows");
        assertThat(q1.size()).isGreaterThan(0);
        assertThat(csv("ports-tcp-2024q1.csv").get(1)).startsWith("1," + q1.get(0).path("port").asInt() + ",");
        assertThat(pdfText).contains("2024 Q1 (2024-03-01 to 2024-03-31)").contains("2024 Q2");
    }

    @Test
    void shouldShowSourceCountriesEventsAndToolsAsTheApiAnswers() throws Exception
    {
        final JsonNode countries = get("/api/v1/countries/top", "from", FROM, "to", TO, "limit", "10").path("rows");
        assertThat(countries.size()).isGreaterThan(0);
        final JsonNode first = countries.get(0);
        assertThat(csv("source-countries.csv").get(1)).endsWith("," + first.path("country").asText() + "," + first.path("sources").asLong() + ","
            + first.path("packets").asLong());
        // the PDF's row: rank, country name, code, sources, packets
        assertThat(pdfText.lines().filter(l -> l.startsWith("1 ") && l.contains(" " + first.path("country").asText() + " ")).toList())
            .anyMatch(l -> l.endsWith(Fmt.count(first.path("sources").asLong()) + " " + Fmt.count(first.path("packets").asLong())));
        final JsonNode asns = get("/api/v1/asns/top", "from", FROM, "to", TO, "limit", "10").path("rows");
        assertThat(csv("source-asns.csv").get(1)).startsWith("1," + asns.get(0).path("asn").asLong() + ",");
        // events: checked against the API when it offers them; an aggregator without them gets a note in the report instead
        final JsonNode scans = get("/api/v1/events/scans", "from", FROM, "to", TO, "by", "destinations", "limit", "10");
        final long scanCount = scans.path("query").path("events").asLong();
        assertThat(scanCount).as("the generator's heavy scanners make ORION events").isGreaterThan(0);
        assertThat(pdfText).contains(Fmt.count(scanCount) + " scan events");
        final List<String> largest = csv("scans-largest.csv");
        assertThat(largest).hasSize(Math.min(10, scans.path("rows").size()) + 1);
        final JsonNode biggest = scans.path("rows").get(0);
        assertThat(largest.get(1)).startsWith(biggest.path("src").asText() + ",").contains("," + biggest.path("packets").asLong() + ","
            + biggest.path("destinations").asLong() + ",");
        final long vnScans = get("/api/v1/events/scans", "from", FROM, "to", TO, "limit", "1", "country", "VN").path("query").path("events").asLong();
        assertThat(html).contains(Fmt.count(vnScans) + " scan events (ORION definition, see Method) in the period");
        final JsonNode dos = get("/api/v1/events/dos", "from", FROM, "to", TO, "limit", "10");
        final long attacks = dos.path("query").path("attacks").asLong();
        assertThat(pdfText).contains(Fmt.count(attacks) + " attacks inferred");
        assertThat(csv("dos-largest.csv")).hasSize(Math.min(10, dos.path("rows").size()) + 1);
        if (attacks > 0)
        {
            final JsonNode top = dos.path("rows").get(0);
            assertThat(csv("dos-largest.csv").get(1)).startsWith(top.path("victim").asText() + ",").contains("," + top.path("packets").asLong() + ",");
        }
        final JsonNode tools = get("/api/v1/tools", "from", FROM, "to", TO).path("rows");
        final List<String> toolCsv = csv("tools.csv");
        for (final JsonNode t : tools)
        {
            assertThat(toolCsv).contains(t.path("tool").asText() + "," + t.path("sources").asLong() + "," + t.path("packets").asLong());
        }
        assertThat(tools.size()).isGreaterThan(0);
    }

    @Test
    void shouldRenderOrganisationNamesInEveryScriptWithEmbeddedFonts() throws Exception
    {
        assertThat(pdfText).contains("ไทยเซิร์ต").contains("日本CERT").contains("Trung tâm VNCERT");
        assertThat(html).contains("ไทยเซิร์ต").contains("日本CERT").contains("Trung tâm VNCERT");
        assertThat(csv("sensors.csv")).anyMatch(l -> l.startsWith("s1,TH,ไทยเซิร์ต,"));
        assertThat(embeddedFonts).anyMatch(n -> n.contains("NotoSans-")).anyMatch(n -> n.contains("NotoSansThai"))
            .anyMatch(n -> n.contains("IPAexGothic"));
    }

    @Test
    void shouldHaveOnePartPerMemberStateAndTheMethodAndAttribution() throws Exception
    {
        assertThat(pdfText).contains("Member state: Thailand (TH)").contains("Member state: Vietnam (VN)").contains("Member state: Singapore (SG)");
        assertThat(pdfText).contains("Method and definitions").contains("624 s").contains("Data attributions");
        final String attribution = get("/api/v1/meta").path("attribution").asText("");
        if (Files.exists(Enricher.defaultDirectory().resolve(Enricher.COUNTRY_FILE)))
        {
            assertThat(attribution).isNotBlank();
            // the PDF wraps lines anywhere in the text, even inside a URL: compare without white space
            assertThat(pdfText.replaceAll("\\s+", "")).contains(attribution.replaceAll("\\s+", ""));
        }
        else
        {
            assertThat(pdfText).contains("The aggregator gave no attribution text.");
        }
        assertThat(html).contains("<svg").doesNotContain("<img").doesNotContain("<link");
        assertThat(stderr).contains("report.html").contains("report.pdf").contains("ports-tcp-2024q2.csv");
    }

    @Test
    void shouldRefuseBadOptionsInOneLineNamingThem() throws Exception
    {
        final String tokenFile = this.tokenFile.toString();
        final String x = dir.resolve("x").toString();
        assertOneErrorLine(run("report", "--from", "2024-13-01", "--to", TO, "--out", x, "--api", api(), "--token-file", tokenFile), "--from");
        assertOneErrorLine(run("report", "--from", FROM, "--to", TO, "--out", x, "--api", api()), "--token-file");
        assertOneErrorLine(run("report", "--from", TO, "--to", FROM, "--out", x, "--api", api(), "--token-file", tokenFile), "--to");
        assertOneErrorLine(run("report", "--from", FROM, "--to", TO, "--out", x, "--api", "ftp://x", "--token-file", tokenFile), "--api");
        final Path wrong = dir.resolve("wrong-token");
        Files.writeString(wrong, "not-the-token\n");
        assertOneErrorLine(run("report", "--from", FROM, "--to", TO, "--out", x, "--api", api(), "--token-file", wrong.toString()), "--token-file");
        assertOneErrorLine(run("report", "--from", FROM, "--to", TO, "--member-state", "XX", "--out", x, "--api", api(), "--token-file", tokenFile),
            "--member-state");
        assertOneErrorLine(run("report", "--from", FROM, "--to", TO, "--out", x, "--api", "http://127.0.0.1:" + Fixtures.freePort(), "--token-file",
            tokenFile), "--api");
    }

    private static void assertOneErrorLine(final String result, final String option)
    {
        assertThat(result).startsWith("2:");
        final List<String> errors = result.substring(2).lines().filter(l -> l.contains("error")).toList();
        assertThat(errors).as(result).hasSize(1);
        assertThat(errors.get(0)).startsWith("nightjar report: error: ").contains(option);
    }

    @Test
    void shouldWriteANationalReportForOneMemberState() throws Exception
    {
        final Path national = dir.resolve("th");
        final StringWriter err = new StringWriter();
        final var cl = Nightjar.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("report", "--from", FROM, "--to", TO, "--member-state", "th", "--no-pdf", "--quiet", "--out", national.toString(),
            "--api", api(), "--token-file", tokenFile.toString())).as(err.toString()).isZero();
        final String th = Files.readString(national.resolve("report.html"));
        assertThat(th).contains("report: Thailand (TH)").doesNotContain("Member state: Vietnam");
        final JsonNode top = get("/api/v1/ports/top", "from", Q2_FROM, "to", TO, "proto", "tcp", "limit", "10", "country", "TH").path("rows").get(0);
        assertThat(Files.readAllLines(national.resolve("ports-tcp-2024q2.csv")).get(1)).startsWith("1," + top.path("port").asInt() + ",")
            .contains("," + top.path("packets").asLong() + ",");
        // --quiet: warnings (if any) and the one summary line, no progress
        assertThat(err.toString().strip().lines().toList()).noneMatch(l -> l.startsWith("report: GET")).last().asString()
            .startsWith("report: TH, ").contains("report.html").doesNotContain("report.pdf");
    }

    private String run(final String... args)
    {
        final StringWriter err = new StringWriter();
        final var cl = Nightjar.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        final int code = cl.execute(args);
        return code + ":" + err.toString().strip();
    }

    private Path generate(final String name, final long seed, final int packets, final int rate, final String start)
    {
        final Path f = dir.resolve(name);
        assertThat(Nightjar.commandLine().execute("generate", "--packets", Integer.toString(packets), "--seed", Long.toString(seed), "--rate",
            Integer.toString(rate), "--start", start, "--out", f.toString())).isZero();
        return f;
    }

    private String[] sensorArgs(final Path pki, final String id, final Path... captures)
    {
        final List<String> args = new ArrayList<>(List.of("sensor", "--read"));
        for (final Path c : captures)
        {
            args.add(c.toString());
        }
        args.addAll(List.of("--spool", dir.resolve("spool-" + id).toString(), "--aggregator",
            "localhost:" + agg.ingestAddress().getPort(), "--sensor-id", id, "--cert", pki.resolve("sensors/" + id + ".pem").toString(), "--key",
            pki.resolve("sensors/" + id + ".key").toString(), "--ca", pki.resolve("ca.pem").toString(), "--quiet", "--deadline", "90s"));
        return args.toArray(String[]::new);
    }

    private String api()
    {
        return "http://127.0.0.1:" + agg.httpAddress().getPort();
    }

    private List<String> csv(final String name) throws IOException
    {
        return Files.readAllLines(out.resolve(name), StandardCharsets.UTF_8);
    }

    private JsonNode get(final String path, final String... kv) throws IOException, InterruptedException
    {
        return getAs(token, path, kv);
    }

    private JsonNode getAs(final String bearer, final String path, final String... kv) throws IOException, InterruptedException
    {
        final List<String> q = new ArrayList<>();
        for (int i = 0; i + 1 < kv.length; i += 2)
        {
            q.add(kv[i] + "=" + URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        final HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(api() + path + (q.isEmpty() ? "" : "?" + String.join("&", q))))
            .header("Authorization", "Bearer " + bearer).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(path + " " + res.body()).isEqualTo(200);
        return Fixtures.JSON.readTree(res.body());
    }

    private int status(final String path) throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api() + path + "?from=" + FROM + "&to=" + TO)).header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Test artifacts for a human look: every page as PNG (never committed; target/ is ignored). */
    private static void renderPages(final PDDocument doc, final Path pages) throws IOException
    {
        Files.createDirectories(pages);
        try (var old = Files.list(pages))
        {
            for (final Path p : old.filter(p -> p.toString().endsWith(".png")).toList())
            {
                Files.delete(p);
            }
        }
        final PDFRenderer r = new PDFRenderer(doc);
        for (int i = 0; i < doc.getNumberOfPages(); i++)
        {
            ImageIO.write(r.renderImageWithDPI(i, 80, ImageType.RGB), "png", pages.resolve(String.format("page-%02d.png", i + 1)).toFile());
        }
    }
}
