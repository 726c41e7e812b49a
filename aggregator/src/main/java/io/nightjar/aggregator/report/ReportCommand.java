package io.nightjar.aggregator.report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code nightjar report --from DATE --to DATE [--member-state CC] --out DIR --api URL --token-file FILE}:
 * a threat-landscape report (HTML, PDF, one CSV per table) built from any aggregator's query API.
 * Progress, warnings and the final summary line (the files written) go to stderr. Exit codes: 0
 * done, 2 bad option (one line naming it; also an unreachable {@code --api} or a refused token), 1
 * the aggregator failed. Runs on the calling thread.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write a threat-landscape report (report.html, report.pdf, one CSV per table) for a period, from an aggregator's",
        "query API: top ports per quarter, monthly trends, source countries and ASNs, scanner tools, scan events, DoS attacks,",
        "surging ports, sensor coverage, method and attributions. Without --member-state: the region, then one part per member state."})
public final class ReportCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "DATE", description = "First day (or ISO instant) of the period, UTC.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "DATE", description = "End of the period, excluded (e.g. 2025-01-01 for all of 2024).")
    String to;

    @Option(names = "--member-state", paramLabel = "CC", description = "A national report for this member state (ISO 3166 alpha-2, e.g. TH).")
    String memberState;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the files (created if missing).")
    Path out;

    @Option(names = "--api", required = true, paramLabel = "URL", description = "The aggregator's HTTP API root, e.g. http://127.0.0.1:8080.")
    String api;

    @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "File holding the API bearer token (e.g. DATA/api-token).")
    Path tokenFile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "120s", description = "Bound on each API request (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--no-pdf", description = "Write the HTML and CSV files only.")
    boolean noPdf;

    @Option(names = "--quiet", description = "No progress lines (warnings and the summary line are still shown).")
    boolean quiet;

    @Override
    public Integer call() throws Exception
    {
        final long started = System.nanoTime();
        final Instant f = Period.parse("--from", from);
        final Instant t = Period.parse("--to", to);
        if (!f.isBefore(t))
        {
            throw new IllegalArgumentException("--to: must be after --from (" + from + ")");
        }
        if (memberState != null && !memberState.matches("[A-Za-z]{2}"))
        {
            throw new IllegalArgumentException("--member-state: not an ISO 3166 alpha-2 code: " + memberState);
        }
        final URI base;
        try
        {
            base = URI.create(api);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--api: not a URL: " + api);
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null)
        {
            throw new IllegalArgumentException("--api: not an http(s) URL: " + api);
        }
        final String token;
        try
        {
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + ": " + ex.getMessage());
        }
        if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace))
        {
            throw new IllegalArgumentException("--token-file: " + tokenFile + " does not hold one token");
        }
        final Duration each = io.nightjar.wire.tls.Units.parseDuration("--timeout", timeout);
        final PrintWriter err = spec.commandLine().getErr();
        final java.util.function.Consumer<String> progress = quiet ? line -> { if (line.contains("warning")) { err.println(line); } } : err::println;
        try
        {
            Files.createDirectories(out);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--out: cannot create " + out + ": " + ex.getMessage());
        }

        final ApiClient client = new ApiClient(base, token, each, progress);
        final ReportFonts fonts = ReportFonts.find(ReportFonts.defaultRoots());
        fonts.warn(err::println);
        final Report report;
        try
        {
            report = new ReportBuilder(client, Period.of(f, t), memberState, progress).build();
        }
        catch (final ApiClient.ApiError ex)
        {
            if (ex.status() == 400 || ex.status() == 401 || ex.status() == 429)
            {
                throw ex;
            }
            err.println("nightjar report: error: " + ex.getMessage());
            return 1;
        }
        final List<Path> written = new ArrayList<>();
        final String html = HtmlWriter.write(report);
        final Path htmlFile = out.resolve("report.html");
        Files.writeString(htmlFile, html, StandardCharsets.UTF_8);
        written.add(htmlFile);
        progress.accept("report: wrote " + htmlFile);
        for (final Report.Table table : report.tables())
        {
            written.add(CsvWriter.write(table, out));
        }
        progress.accept("report: wrote " + report.tables().size() + " CSV files");
        if (!noPdf)
        {
            progress.accept("report: rendering PDF ...");
            final Path pdf = out.resolve("report.pdf");
            PdfWriter.write(html, fonts, pdf);
            written.add(pdf);
        }
        final long bytes = written.stream().mapToLong(p -> p.toFile().length()).sum();
        err.println(String.format(Locale.ROOT, "report: %s, %d API requests, %.1f s: wrote %d files (%,d bytes) to %s: %s",
            memberState == null ? "regional" : memberState.toUpperCase(Locale.ROOT), client.requests(), (System.nanoTime() - started) / 1e9,
            written.size(), bytes, out, String.join(" ", written.stream().map(p -> p.getFileName().toString()).toList())));
        return 0;
    }
}
