package io.nightjar.aggregator.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.time.FixedMillisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Asks the aggregator's API for everything a threat-landscape report holds and lays it out as a
 * {@link Report}: the regional part (or one member state's, with {@code --member-state}), one
 * section per member state after a regional report, then method, definitions and attributions.
 * Every figure comes from an API answer; nothing is computed that the API already answers, except
 * local roll-ups of listed events (counts per port, per victim country). Used by one thread.
 */
public final class ReportBuilder
{
    /** Traffic classes in the order the report lists them. */
    static final List<String> CLASSES = List.of("tcp_scan", "backscatter", "udp_probe", "icmp_probe", "tcp_other", "fragment", "other");
    /** Rows asked for event lists (the API's maximum). */
    static final int EVENT_LIMIT = 1000;

    private static final Map<Integer, String> SERVICES = Map.ofEntries(
        Map.entry(21, "ftp"), Map.entry(22, "ssh"), Map.entry(23, "telnet"), Map.entry(25, "smtp"), Map.entry(53, "dns"),
        Map.entry(80, "http"), Map.entry(81, "http-alt"), Map.entry(110, "pop3"), Map.entry(111, "rpcbind"), Map.entry(123, "ntp"),
        Map.entry(135, "msrpc"), Map.entry(137, "netbios-ns"), Map.entry(139, "netbios"), Map.entry(143, "imap"), Map.entry(161, "snmp"),
        Map.entry(389, "ldap"), Map.entry(443, "https"), Map.entry(445, "smb"), Map.entry(500, "ike"), Map.entry(502, "modbus"),
        Map.entry(1433, "mssql"), Map.entry(1723, "pptp"), Map.entry(1900, "ssdp"), Map.entry(2323, "telnet-alt"),
        Map.entry(3306, "mysql"), Map.entry(3389, "rdp"), Map.entry(5060, "sip"), Map.entry(5432, "postgres"), Map.entry(5555, "adb"),
        Map.entry(5900, "vnc"), Map.entry(6379, "redis"), Map.entry(7547, "tr-069"), Map.entry(8080, "http-proxy"),
        Map.entry(8443, "https-alt"), Map.entry(9200, "elasticsearch"), Map.entry(11211, "memcached"), Map.entry(27017, "mongodb"),
        Map.entry(37215, "huawei-hg"), Map.entry(52869, "upnp"));

    private final ApiClient api;
    private final Period period;
    private final String memberState;
    private final Consumer<String> progress;
    private final Set<String> attributions = new LinkedHashSet<>();
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> warned = new LinkedHashSet<>();
    private JsonNode meta;

    /**
     * @param api         the API client.
     * @param period      the report's range.
     * @param memberState a member state's code for a national report, or null for a regional one.
     * @param progress    receives progress and warning lines (stderr).
     */
    public ReportBuilder(final ApiClient api, final Period period, final String memberState, final Consumer<String> progress)
    {
        this.api = api;
        this.period = period;
        this.memberState = memberState == null ? null : memberState.toUpperCase(Locale.ROOT);
        this.progress = progress;
    }

    /** One scope of the report: the region or a member state, with its sensors. */
    private record Scope(String country, List<String> sensors, String prefix, String name)
    {
        boolean regional()
        {
            return country == null;
        }
    }

    /** Fetches everything and lays out the report. */
    public Report build() throws IOException, InterruptedException
    {
        meta = api.get("/api/v1/meta", Map.of()).body();
        attribution(meta);
        final Map<String, List<String>> sensorsByState = new TreeMap<>();
        final Map<String, JsonNode> sensorMeta = new LinkedHashMap<>();
        for (final JsonNode s : meta.path("sensors"))
        {
            final String cc = s.path("country").asText("").toUpperCase(Locale.ROOT);
            // a sensor without a member state (no --sensors metadata) only counts in the regional part
            if (cc.matches("[A-Z]{2}"))
            {
                sensorsByState.computeIfAbsent(cc, k -> new ArrayList<>()).add(s.path("sensor_id").asText());
            }
            sensorMeta.put(s.path("sensor_id").asText(), s);
        }
        final List<String> states = new ArrayList<>();
        meta.path("member_states").forEach(n -> states.add(n.asText().toUpperCase(Locale.ROOT)));
        if (states.isEmpty())
        {
            states.addAll(sensorsByState.keySet());
        }
        final List<Report.Section> sections = new ArrayList<>();
        final String title;
        if (memberState != null)
        {
            if (!sensorsByState.containsKey(memberState))
            {
                throw new IllegalArgumentException("--member-state: " + memberState + " has no sensors on this aggregator (member states: "
                    + String.join(", ", sensorsByState.keySet()) + ")");
            }
            final Scope scope = new Scope(memberState, sensorsByState.get(memberState), "", stateName(memberState));
            title = "Darknet threat-landscape report: " + scope.name();
            sections.addAll(scopeSections(scope, sensorMeta));
        }
        else
        {
            title = "Darknet threat-landscape report: region";
            final List<String> all = new ArrayList<>(sensorMeta.keySet());
            sections.addAll(scopeSections(new Scope(null, all, "", "the region"), sensorMeta));
            for (final String cc : states)
            {
                final List<String> ids = sensorsByState.getOrDefault(cc, List.of());
                if (ids.isEmpty())
                {
                    continue;
                }
                final Scope scope = new Scope(cc, ids, cc.toLowerCase(Locale.ROOT) + "-", stateName(cc));
                final Report.Section head = Report.Section.of("state-" + cc.toLowerCase(Locale.ROOT), "Member state: " + scope.name());
                head.add(new Report.Paragraph("Figures of the sensors in " + scope.name() + ": " + organisations(ids, sensorMeta)
                    + " (API queries with country=" + cc + ")."));
                sections.add(head);
                sections.addAll(scopeSections(scope, sensorMeta));
            }
        }
        sections.add(method());
        sections.add(attributionSection());
        final String token = meta.path("token").path("organisation").asText("");
        final String subtitle = "Period " + period.label() + " (UTC; bins starting in [" + period.from() + ", " + period.to() + "))"
            + " · aggregator " + api.base() + (token.isEmpty() ? "" : " · prepared for " + token)
            + " · generated " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return new Report(title, subtitle, sections);
    }

    /** Warnings met while building (endpoints refused or missing). */
    public List<String> warnings()
    {
        return warnings;
    }

    private List<Report.Section> scopeSections(final Scope scope, final Map<String, JsonNode> sensorMeta) throws IOException, InterruptedException
    {
        progress.accept("report: " + (scope.regional() ? "regional part" : "member state " + scope.country()));
        final Part part = new Part(scope, scope.prefix(), scope.regional() ? "" : " (" + scope.country() + ")", new LinkedHashSet<>(),
            new ArrayList<>(), sensorMeta);
        final List<Report.Section> out = new ArrayList<>();
        // in this order: scans and dos add key figures to the summary's; health quotes every answer's coverage note
        out.add(summary(part));
        out.add(ports(part));
        out.add(trends(part));
        out.add(sources(part));
        out.add(tools(part));
        out.add(scans(part));
        out.add(dos(part));
        out.add(surging(part));
        out.add(health(part));
        return out;
    }

    /** What the sections of one part share: its scope, file prefix, heading suffix, coverage notes and key figures. */
    private record Part(Scope scope, String prefix, String suffix, Set<String> coverage, List<Report.Figure> figures,
                        Map<String, JsonNode> sensorMeta)
    {
    }

    /** Summary: key figures and packets by class. */
    private Report.Section summary(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final List<Report.Figure> figures = part.figures();
        final Report.Section summary = Report.Section.of(p + "summary", "Summary" + sfx);
        summary.add(new Report.Figures(figures));
        final JsonNode totals = fetch("/api/v1/totals", ApiClient.params("from", period.from().toString(), "to", period.to().toString(),
            "sensor", scope.regional() ? null : String.join(",", scope.sensors())), coverage, summary);
        if (totals != null)
        {
            figures.add(new Report.Figure("packets", Fmt.count(totals.path("packets").asLong())));
            figures.add(new Report.Figure("distinct sources", Fmt.count(totals.path("distinct_sources").asLong())));
            figures.add(new Report.Figure("sensors reporting", totals.path("sensors").size() + " of " + scope.sensors().size()));
            long darknet = 0;
            for (final JsonNode c : totals.path("classes"))
            {
                darknet += c.asLong();
            }
            final TableBuilder t = new TableBuilder(p + "classes", "Packets by class" + sfx).text("class").number("packets")
                .number("share").number("bytes");
            int seen = 0;
            for (final String c : CLASSES)
            {
                final long n = totals.path("classes").path(c).asLong();
                seen += n > 0 ? 1 : 0;
                t.row().cell(c).count(n).cell(Fmt.share(darknet == 0 ? Double.NaN : (double)n / darknet),
                    Double.toString(darknet == 0 ? 0 : (double)n / darknet)).count(totals.path("class_bytes").path(c).asLong());
            }
            t.row().cell("malformed").count(totals.path("malformed").asLong()).cell("", "").cell("", "");
            t.row().cell("non_ip").count(totals.path("non_ip").asLong()).cell("", "").cell("", "");
            t.note("Share: of darknet IP traffic (the seven classes). Malformed and non-IP frames are counted apart.");
            figures.add(new Report.Figure("classes seen", seen + " of " + CLASSES.size()));
            summary.add(t.build());
        }
        return summary;
    }

    /** Top ports per quarter of the period. */
    private Report.Section ports(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final Report.Section ports = Report.Section.of(p + "ports", "Top scanned ports per quarter" + sfx);
        ports.add(new Report.Paragraph("Top 10 destination ports of TCP SYN scans (tcp_scan) and UDP probes (udp_probe) per quarter, "
            + "by packets, with the change against the period of the same length just before the quarter."));
        for (final Period q : period.quarters())
        {
            for (final String proto : List.of("tcp", "udp"))
            {
                final JsonNode rows = rows(fetch("/api/v1/ports/top", withScope(scope, "from", q.from().toString(), "to", q.to().toString(),
                    "proto", proto, "limit", "10"), coverage, ports));
                if (rows == null)
                {
                    continue;
                }
                final TableBuilder t = new TableBuilder(p + "ports-" + proto + "-" + q.fileId(), q.label() + ": top " + proto.toUpperCase(Locale.ROOT)
                    + " ports" + sfx).number("rank").number("port").text("service").number("packets").number("sources")
                    .number("avg per sensor").number("share").number("previous").number("change");
                for (final JsonNode r : rows)
                {
                    final int port = r.path("port").asInt();
                    t.row().cell(r.path("rank").asText()).cell(Integer.toString(port)).cell(SERVICES.getOrDefault(port, ""))
                        .count(r.path("packets").asLong()).count(r.path("sources").asLong())
                        .cell(Fmt.decimal(r.path("avg_packets_per_sensor").asDouble()), r.path("avg_packets_per_sensor").asText())
                        .cell(Fmt.share(r.path("share").asDouble()), r.path("share").asText())
                        .cell(r.path("previous_packets").isNull() ? "–" : Fmt.count(r.path("previous_packets").asLong()), r.path("previous_packets").asText(""))
                        .cell(Fmt.change(r.get("change")), r.path("change").isNull() ? "" : r.path("change").asText(""));
                }
                ports.add(t.build());
            }
        }
        return ports;
    }

    /** Monthly volume by class and the TSUBAME view. */
    private Report.Section trends(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final Report.Section trends = Report.Section.of(p + "trends", "Monthly trends" + sfx);
        final JsonNode volume = rows(fetch("/api/v1/volume", inPeriod(scope,
            "step", "1mo", "by", "class"), coverage, trends));
        if (volume != null)
        {
            final Map<String, Map<String, Long>> byMonth = new TreeMap<>();
            for (final JsonNode r : volume)
            {
                byMonth.computeIfAbsent(r.path("time").asText().substring(0, Math.min(7, r.path("time").asText().length())), k -> new LinkedHashMap<>())
                    .merge(r.path("key").asText(), r.path("packets").asLong(), Long::sum);
            }
            // every month of the period appears, also one the API has no row for
            for (final Instant m : steps(period, "1mo"))
            {
                byMonth.computeIfAbsent(m.toString().substring(0, 7), k -> new LinkedHashMap<>());
            }
            final DefaultCategoryDataset ds = new DefaultCategoryDataset();
            final TableBuilder t = new TableBuilder(p + "monthly-volume", "Packets per month and class" + sfx).text("month");
            CLASSES.forEach(t::number);
            t.number("total");
            for (final Map.Entry<String, Map<String, Long>> m : byMonth.entrySet())
            {
                t.row().cell(m.getKey());
                long total = 0;
                for (final String c : CLASSES)
                {
                    final long n = m.getValue().getOrDefault(c, 0L);
                    total += n;
                    t.count(n);
                    ds.addValue(n, c, m.getKey());
                }
                t.count(total);
            }
            if (!byMonth.isEmpty())
            {
                trends.add(new Report.Chart("Packets per month by class" + sfx, ChartRenderer.bars(ds, "month (UTC)", "packets", true)));
            }
            trends.add(t.build());
        }
        final String step = period.days() <= 62 ? "1d" : period.days() <= 400 ? "1w" : "1mo";
        final JsonNode tsubame = rows(fetch("/api/v1/ports/tsubame", inPeriod(scope,
            "proto", "tcp", "step", step, "limit", "5"), coverage, trends));
        if (tsubame != null && tsubame.size() > 0)
        {
            final Map<String, TimeSeries> series = new LinkedHashMap<>();
            for (final JsonNode r : tsubame)
            {
                final Instant at = Instant.parse(r.path("time").asText());
                series.computeIfAbsent("tcp/" + r.path("port").asText(), TimeSeries::new)
                    .addOrUpdate(new FixedMillisecond(at.toEpochMilli()), r.path("avg_packets_per_sensor").asDouble());
            }
            // steps without a row are gaps in the line, not a straight line across them
            for (final Instant at : steps(period, step))
            {
                for (final TimeSeries ts : series.values())
                {
                    if (ts.getDataItem(new FixedMillisecond(at.toEpochMilli())) == null)
                    {
                        ts.add(new FixedMillisecond(at.toEpochMilli()), null);
                    }
                }
            }
            final TimeSeriesCollection ds = new TimeSeriesCollection();
            series.values().forEach(ds::addSeries);
            trends.add(new Report.Chart("TSUBAME view: packets per sensor to the top 5 TCP ports, per " + ("1d".equals(step) ? "day" : "1w".equals(step)
                ? "week" : "month") + sfx, ChartRenderer.timeLines(ds, "packets per sensor")));
        }
        return trends;
    }

    /** Source countries and ASNs. */
    private Report.Section sources(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final Report.Section sources = Report.Section.of(p + "sources", "Sources: countries and networks" + sfx);
        final JsonNode countries = rows(fetch("/api/v1/countries/top", inPeriod(scope,
            "limit", "10"), coverage, sources));
        if (countries != null)
        {
            final TableBuilder t = new TableBuilder(p + "source-countries", "Top source countries" + sfx).number("rank").text("country")
                .text("code").number("sources").number("packets");
            final DefaultCategoryDataset ds = new DefaultCategoryDataset();
            int rank = 0;
            for (final JsonNode r : countries)
            {
                final String cc = r.path("country").asText("??");
                t.row().cell(Integer.toString(++rank)).cell(countryName(cc)).cell(cc).count(r.path("sources").asLong()).count(r.path("packets").asLong());
                ds.addValue(r.path("sources").asLong(), "sources", cc);
            }
            if (countries.size() > 0)
            {
                sources.add(new Report.Chart("Distinct sources by source country" + sfx, ChartRenderer.bars(ds, "country", "sources", false)));
            }
            sources.add(t.note("Source countries from IP geolocation; ?? = unknown.").build());
        }
        final JsonNode asns = rows(fetch("/api/v1/asns/top", inPeriod(scope,
            "limit", "10"), coverage, sources));
        if (asns != null)
        {
            final TableBuilder t = new TableBuilder(p + "source-asns", "Top source networks (ASNs)" + sfx).number("rank").number("ASN")
                .wrapping("AS name").number("sources").number("packets");
            int rank = 0;
            for (final JsonNode r : asns)
            {
                final long asn = r.path("asn").asLong();
                t.row().cell(Integer.toString(++rank)).cell(asn == 0 ? "unknown" : "AS" + asn, Long.toString(asn)).cell(r.path("as_name").asText(""))
                    .count(r.path("sources").asLong()).count(r.path("packets").asLong());
            }
            sources.add(t.build());
        }
        return sources;
    }

    /** Scanner tools. */
    private Report.Section tools(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final Report.Section tools = Report.Section.of(p + "tools", "Scanner tools" + sfx);
        final JsonNode toolRows = rows(fetch("/api/v1/tools", inPeriod(scope),
            coverage, tools));
        if (toolRows != null)
        {
            final TableBuilder t = new TableBuilder(p + "tools", "Sources and packets by scanner tool" + sfx).text("tool").number("sources").number("packets");
            for (final JsonNode r : toolRows)
            {
                t.row().cell(r.path("tool").asText()).count(r.path("sources").asLong()).count(r.path("packets").asLong());
            }
            tools.add(t.note("Fingerprints: ZMap (IP ID 54321), Masscan (IP ID = dst ^ dport ^ seq), Mirai (TCP seq = dst); a source is "
                + "attributed when at least 10 packets in scope match and at least 90 % do.").build());
        }
        return tools;
    }

    /** Scan events. */
    private Report.Section scans(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final List<Report.Figure> figures = part.figures();
        // scan events: the count from the API (query.events), the 10 largest by destinations as the API orders them, and a roll-up
        // per target port over the (at most 1,000) largest by packets
        final Report.Section scans = Report.Section.of(p + "scans", "Scan events" + sfx);
        final JsonNode scanBody = fetch("/api/v1/events/scans", inPeriod(scope,
            "by", "packets", "limit", Integer.toString(EVENT_LIMIT)), coverage, scans);
        if (scanBody != null)
        {
            final List<JsonNode> list = new ArrayList<>();
            scanBody.path("rows").forEach(list::add);
            final long total = scanBody.path("query").path("events").asLong(list.size());
            figures.add(new Report.Figure("scan events", Fmt.count(total)));
            scans.add(new Report.Paragraph(Fmt.count(total) + " scan events (ORION definition, see Method) in the period"
                + (total > list.size() ? "; the roll-up per port covers the " + Fmt.count(list.size()) + " largest by packets" : "") + "."));
            final Map<String, long[]> byPort = new LinkedHashMap<>();
            for (final JsonNode r : list)
            {
                final long[] a = byPort.computeIfAbsent(target(r.path("proto"), r.path("port")), k -> new long[3]);
                a[0]++;
                a[1] += r.path("packets").asLong();
            }
            final TableBuilder bp = new TableBuilder(p + "scan-events-by-port", "Scan events per target port" + sfx).text("port").number("events")
                .number("packets");
            byPort.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]).thenComparing(Map.Entry::getKey))
                .limit(10).forEach(e -> bp.row().cell(e.getKey()).count(e.getValue()[0]).count(e.getValue()[1]));
            scans.add(bp.build());
            final JsonNode largest = rows(fetch("/api/v1/events/scans", inPeriod(scope,
                "by", "destinations", "limit", "10"), coverage, scans));
            final TableBuilder t = new TableBuilder(p + "scans-largest", "Largest scans (by destinations reached)" + sfx).wrapping("source").text("cc")
                .text("ASN").text("target").text("start").text("duration").number("packets").number("destinations").number("coverage")
                .number("rate (pps)").text("tool");
            for (final JsonNode r : largest == null ? scanBody.path("rows") : largest)
            {
                final long secs = seconds(r);
                t.row().cell(r.path("src").asText()).cell(r.path("country").asText("")).cell(asn(r.path("asn")), r.path("asn").asText(""))
                    .cell(target(r.path("proto"), r.path("port"))).cell(Fmt.time(r.path("start").asText()), r.path("start").asText())
                    .cell(Fmt.duration(secs), r.path("seconds").asText(Long.toString(secs)))
                    .count(r.path("packets").asLong()).count(r.path("destinations").asLong())
                    .cell(Fmt.share(r.path("coverage").asDouble()), r.path("coverage").asText()).cell(Fmt.decimal(r.path("rate").asDouble()), r.path("rate").asText())
                    .cell(r.path("tool").asText(""));
                if (t.rows() == 10)
                {
                    break;
                }
            }
            scans.add(t.note("Coverage: share of the darknet's addresses the scan reached; rate: packets per second scaled to the whole IPv4 "
                + "space (x 2^32 / darknet addresses).").build());
        }
        return scans;
    }

    /** Inferred DoS attacks. */
    private Report.Section dos(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final List<Report.Figure> figures = part.figures();
        // DoS: the count from the API (query.attacks); victims' countries and durations over the (at most 1,000) largest by packets
        final Report.Section dos = Report.Section.of(p + "dos", "Inferred DoS attacks (backscatter)" + sfx);
        final JsonNode dosBody = fetch("/api/v1/events/dos", inPeriod(scope,
            "by", "packets", "limit", Integer.toString(EVENT_LIMIT)), coverage, dos);
        if (dosBody != null)
        {
            final List<JsonNode> list = new ArrayList<>();
            dosBody.path("rows").forEach(list::add);
            final long total = dosBody.path("query").path("attacks").asLong(list.size());
            figures.add(new Report.Figure("DoS attacks", Fmt.count(total)));
            final List<Long> durations = new ArrayList<>();
            final Map<String, long[]> byCountry = new LinkedHashMap<>();
            for (final JsonNode r : list)
            {
                durations.add(seconds(r));
                final long[] a = byCountry.computeIfAbsent(r.path("country").asText("??"), k -> new long[2]);
                a[0]++;
                a[1] += r.path("packets").asLong();
            }
            durations.sort(Long::compare);
            final String over = total > list.size() ? " of the " + Fmt.count(list.size()) + " largest" : "";
            dos.add(new Report.Paragraph(Fmt.count(total) + " attacks inferred from backscatter (RS-DoS definition, see Method)"
                + (durations.isEmpty() ? "." : "; duration" + over + ": median " + Fmt.duration(durations.get(durations.size() / 2))
                + ", longest " + Fmt.duration(durations.get(durations.size() - 1)) + ".")));
            final TableBuilder bc = new TableBuilder(p + "dos-victim-countries", "Victims' countries" + sfx).text("country").text("code")
                .number("attacks").number("backscatter packets");
            byCountry.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]).thenComparing(Map.Entry::getKey))
                .limit(10).forEach(e -> bc.row().cell(countryName(e.getKey())).cell(e.getKey()).count(e.getValue()[0]).count(e.getValue()[1]));
            dos.add(bc.note(over.isEmpty() ? "" : "Over the " + Fmt.count(list.size()) + " largest attacks by packets.").build());
            final TableBuilder t = new TableBuilder(p + "dos-largest", "Largest attacks (by backscatter packets)" + sfx).wrapping("victim").text("cc")
                .text("ASN").text("protocol").text("start").text("duration").number("packets").number("peak pps").number("ports")
                .number("attacker /16s");
            // the API's order (by packets)
            for (final JsonNode r : list.subList(0, Math.min(10, list.size())))
            {
                final long secs = seconds(r);
                t.row().cell(r.path("victim").asText()).cell(r.path("country").asText("")).cell(asn(r.path("asn")), r.path("asn").asText(""))
                    .cell(protoName(r.path("protocol"))).cell(Fmt.time(r.path("start").asText()), r.path("start").asText())
                    .cell(Fmt.duration(secs), r.path("seconds").asText(Long.toString(secs))).count(r.path("packets").asLong())
                    .cell(Fmt.decimal(r.path("peak_rate").asDouble()), r.path("peak_rate").asText()).cell(listSize(r.path("ports")), joined(r.path("ports")))
                    .cell(listSize(r.path("attacker_slash16s")), joined(r.path("attacker_slash16s")));
            }
            dos.add(t.note("Peak pps: the highest packet rate of the victim's backscatter in a 60-s window.").build());
        }
        return dos;
    }

    /** Surging ports. */
    private Report.Section surging(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final Instant surgeEnd = surgingEnd(scope, part.sensorMeta());
        final Report.Section surging = Report.Section.of(p + "surging", "Surging ports (last 24 hours with data)" + sfx);
        final JsonNode surge = rows(fetch("/api/v1/ports/surging", withScope(scope, "to", surgeEnd.toString(), "limit", "10"), coverage, surging));
        if (surge != null)
        {
            final TableBuilder t = new TableBuilder(p + "surging-ports", "Ports by surge score, 24 hours before " + Fmt.time(surgeEnd.toString()) + sfx)
                .text("port").number("score").number("sources").number("targets").number("baseline sources").number("baseline targets")
                .number("sensors").text("surging");
            for (final JsonNode r : surge)
            {
                t.row().cell(target(r.path("proto"), r.path("port"))).cell(Fmt.decimal(r.path("score").asDouble()), r.path("score").asText())
                    .count(r.path("sources").asLong()).count(r.path("targets").asLong()).cell(Fmt.decimal(r.path("baseline_sources").asDouble()),
                        r.path("baseline_sources").asText()).cell(Fmt.decimal(r.path("baseline_targets").asDouble()), r.path("baseline_targets").asText())
                    .count(r.path("sensors").asLong()).cell(r.path("surging").asBoolean() ? "yes" : "no", r.path("surging").asText());
            }
            surging.add(t.build());
        }
        return surging;
    }

    /** Sensor health and data-quality notes. */
    private Report.Section health(final Part part) throws IOException, InterruptedException
    {
        final Scope scope = part.scope();
        final String p = part.prefix();
        final String sfx = part.suffix();
        final Set<String> coverage = part.coverage();
        final Report.Section health = Report.Section.of(p + "sensors", "Sensor coverage and data quality" + sfx);
        final JsonNode healthRows = rows(fetch("/api/v1/sensors/health", inPeriod(scope),
            coverage, health));
        final List<String> quality = new ArrayList<>();
        if (healthRows != null)
        {
            final TableBuilder t = new TableBuilder(p + "sensors", "Sensors" + sfx).text("sensor").text("cc").wrapping("organisation").number("darknet")
                .number("bins").number("expected").number("coverage").number("gaps").number("drops").number("malformed").text("last bin");
            for (final JsonNode r : healthRows)
            {
                // heartbeat counters (kernel, interface); the bins' own capture-drop count when that is larger
                final long drops = Math.max(r.path("kernel_drops").asLong() + r.path("interface_drops").asLong(), r.path("capture_drops").asLong());
                final JsonNode gaps = r.path("gaps");
                final int gapCount = gaps.isArray() ? gaps.size() : gaps.asInt();
                t.row().cell(r.path("sensor_id").asText()).cell(r.path("country").asText("")).cell(r.path("organisation").asText(""))
                    .count(r.path("darknet_addresses").asLong()).count(r.path("bins").asLong()).count(r.path("bins_expected").asLong())
                    .cell(Fmt.share(r.path("coverage").asDouble()), r.path("coverage").asText()).count(gapCount).count(drops)
                    .cell(Fmt.share(r.path("malformed_share").asDouble()), r.path("malformed_share").asText())
                    .cell(Fmt.time(r.path("last_bin").asText("")), r.path("last_bin").asText(""));
                if (gapCount > 0)
                {
                    quality.add(r.path("sensor_id").asText() + ": " + gapCount + " gap" + (gapCount == 1 ? "" : "s") + " without stored bins"
                        + gapText(gaps) + ".");
                }
                if (drops > 0)
                {
                    quality.add(r.path("sensor_id").asText() + ": " + Fmt.count(drops) + " packets dropped at capture (kernel "
                        + Fmt.count(r.path("kernel_drops").asLong()) + ", interface " + Fmt.count(r.path("interface_drops").asLong()) + ").");
                }
                if (r.path("malformed_share").asDouble() > 0.01)
                {
                    quality.add(r.path("sensor_id").asText() + ": malformed packets are " + Fmt.share(r.path("malformed_share").asDouble())
                        + " of its traffic.");
                }
                if (Math.abs(r.path("clock_skew_seconds").asDouble()) > 5)
                {
                    quality.add(r.path("sensor_id").asText() + ": clock skew " + Fmt.decimal(r.path("clock_skew_seconds").asDouble()) + " s.");
                }
            }
            health.add(t.note("Coverage: stored bins / expected bins; drops: kernel + interface; malformed: share of the sensor's packets.").build());
        }
        coverage.forEach(n -> quality.add("Coverage: " + (n.endsWith(".") ? n : n + ".")));
        if (quality.isEmpty())
        {
            quality.add("No gaps, drops or coverage remarks for this period.");
        }
        health.add(new Report.Notes("Data-quality notes" + sfx, quality));
        return health;
    }


    /**
     * End of the surging window: the period's end, or just after the scope's last stored bin (meta's {@code last_bin} of its
     * sensors, else {@code data_range.last}) when the data ends earlier.
     */
    private Instant surgingEnd(final Scope scope, final Map<String, JsonNode> sensorMeta)
    {
        Instant last = null;
        for (final String id : scope.sensors())
        {
            final Instant t = instant(sensorMeta.get(id).path("last_bin").asText(""));
            if (t != null && (last == null || t.isAfter(last)))
            {
                last = t;
            }
        }
        if (last == null)
        {
            last = instant(meta.path("data_range").path("last").asText(""));
        }
        if (last == null)
        {
            return period.to();
        }
        final Instant end = last.plusSeconds(1);
        return end.isBefore(period.to()) && end.isAfter(period.from()) ? end : period.to();
    }

    private static Instant instant(final String iso)
    {
        try
        {
            return iso.isEmpty() ? null : Instant.parse(iso);
        }
        catch (final java.time.format.DateTimeParseException ex)
        {
            return null;
        }
    }

    private Report.Section method()
    {
        final Report.Section s = Report.Section.of("method", "Method and definitions");
        s.add(new Report.Paragraph("Nightjar sensors watch unused (darknet) address space. Nothing legitimate is sent there, so what arrives is "
            + "Internet background radiation: scans, backscatter from victims of spoofed denial-of-service attacks, and misconfiguration. "
            + "Sensors classify every packet, summarise it into flow records per time bin and ship them to the aggregator; this report is "
            + "computed from the aggregator's query API (" + api.base() + ", API " + meta.path("api").asText("v1") + ") over bins whose start "
            + "is in the period."));
        s.add(new Report.Notes("Traffic classes", List.of(
            "tcp_scan: TCP SYN without ACK or RST (a connection attempt, i.e. a port scan probe).",
            "backscatter: TCP SYN-ACK or RST, ICMP errors and replies (types 0, 3, 4, 5, 11, 12, 14, 16, 18; ICMPv6 1-4, 129): answers of "
                + "victims to packets spoofed with darknet source addresses.",
            "udp_probe: UDP. icmp_probe: other ICMP/ICMPv6 (echo requests, ...). tcp_other: any other TCP segment.",
            "fragment: IP fragments. other: other IP protocols (GRE, ESP, SCTP, ...). malformed: a fatal header anomaly. non_ip: ARP and "
                + "other non-IP frames.")));
        s.add(new Report.Notes("Measures", List.of(
            "TSUBAME average (avg per sensor): packets divided by the number of sensors that reported in the period, so that large and small "
                + "sensors compare fairly (as JPCERT/CC's TSUBAME reports).",
            "Share: a port's share of all packets of its protocol's probe class in scope (tcp_scan for TCP, udp_probe for UDP).",
            "Change: (packets - previous) / previous, against the period of the same length just before the quarter (for a full quarter, "
                + "within two days of the previous quarter); \"new\" when the previous period had none.",
            "ORION scan events: a source's packets to one port and class, split where it is silent for 624 s or more; an event counts when it "
                + "reached at least 10 distinct darknet destinations at a rate of at least 10 packets per second scaled to the whole IPv4 "
                + "space (observed rate x 2^32 / darknet addresses).",
            "RS-DoS attacks: backscatter from one victim, split by a 300 s gap; an attack has at least 25 packets, lasts at least 60 s, "
                + "and has at least 30 packets in some 60-s window (windows sliding by 10 s).",
            "DShield surging score: a port's distinct sources and targets in the last 24 hours (of the period, or up to the last stored "
                + "bin when the data ends earlier) against its baseline; ports scoring at least the threshold (10) are marked surging.",
            "Scanner tools: ZMap (IP ID 54321), Masscan (IP ID = destination ^ port ^ TCP sequence), Mirai (TCP sequence = destination "
                + "address); at least 10 matching packets in scope and at least 90 % of them.",
            "Coverage: stretches inside the period (and inside each sensor's own first-to-last bin) with no stored bin are gaps; they are "
                + "listed under each part's data-quality notes.")));
        return s;
    }

    private Report.Section attributionSection()
    {
        final Report.Section s = Report.Section.of("attribution", "Data attributions");
        final List<String> items = new ArrayList<>(attributions);
        if (items.isEmpty())
        {
            items.add("The aggregator gave no attribution text.");
        }
        items.add("Charts drawn with JFreeChart and Apache Batik; PDF by openhtmltopdf (Apache PDFBox). Fonts: Noto Sans, Noto Sans Thai "
            + "(SIL Open Font License), IPAexGothic (IPA Font License).");
        s.add(new Report.Notes("", items));
        return s;
    }

    /** The report's period ({@code from}, {@code to}) and {@code kv} as query parameters, in {@code scope}. */
    private Map<String, String> inPeriod(final Scope scope, final String... kv)
    {
        final String[] all = new String[kv.length + 4];
        all[0] = "from";
        all[1] = period.from().toString();
        all[2] = "to";
        all[3] = period.to().toString();
        System.arraycopy(kv, 0, all, 4, kv.length);
        return withScope(scope, all);
    }

    private Map<String, String> withScope(final Scope scope, final String... kv)
    {
        final Map<String, String> m = ApiClient.params(kv);
        if (!scope.regional())
        {
            m.put("country", scope.country());
        }
        return m;
    }

    /**
     * GET; the JSON body, or null when this token may not see it (403) or the aggregator lacks the
     * endpoint (404), which then becomes a note in {@code section} and a warning.
     */
    private JsonNode fetch(final String path, final Map<String, String> params, final Set<String> coverage, final Report.Section section)
        throws IOException, InterruptedException
    {
        try
        {
            final ApiClient.Answer a = api.get(path, params);
            attribution(a.body());
            if (!a.coverageNote().isEmpty())
            {
                coverage.add(a.coverageNote());
            }
            return a.body();
        }
        catch (final ApiClient.ApiError ex)
        {
            if (ex.status() != 403 && ex.status() != 404)
            {
                throw ex;
            }
            final String why = ex.status() == 403 ? "not visible to this token" : "not offered by this aggregator";
            // one warning per endpoint and reason, however many parts of the report ask
            if (warned.add(path + why))
            {
                warnings.add(path + ": " + why + " (" + ex.getMessage() + ")");
                progress.accept("report: warning: " + path + ": " + why);
            }
            section.add(new Report.Paragraph("(" + path + ": " + why + ".)"));
            return null;
        }
    }

    private static JsonNode rows(final JsonNode body)
    {
        return body == null ? null : body.path("rows");
    }

    private void attribution(final JsonNode body)
    {
        final String a = body.path("attribution").asText("");
        if (!a.isBlank())
        {
            attributions.add(a);
        }
    }

    private static String organisations(final List<String> ids, final Map<String, JsonNode> sensorMeta)
    {
        final Set<String> orgs = new LinkedHashSet<>();
        for (final String id : ids)
        {
            final String o = sensorMeta.get(id).path("organisation").asText("");
            orgs.add(o.isEmpty() ? id : o + " (" + id + ")");
        }
        return String.join("; ", orgs);
    }

    /** English name of a country code with the code, e.g. {@code Thailand (TH)}; {@code ??} is unknown. */
    static String countryName(final String cc)
    {
        if (cc == null || cc.length() != 2 || "??".equals(cc))
        {
            return "unknown";
        }
        final String name = new Locale("", cc).getDisplayCountry(Locale.ENGLISH);
        return name.isEmpty() || name.equalsIgnoreCase(cc) ? cc : name;
    }

    /** Start times of the API's steps ({@code 1d}, {@code 1w} from Monday, {@code 1mo}) in the period, UTC. */
    static List<Instant> steps(final Period period, final String step)
    {
        final List<Instant> out = new ArrayList<>();
        java.time.LocalDate d = java.time.LocalDate.ofInstant(period.from(), java.time.ZoneOffset.UTC);
        d = switch (step)
        {
            case "1w" -> d.with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
            case "1mo" -> d.withDayOfMonth(1);
            default -> d;
        };
        for (int i = 0; i < 10_000; i++)
        {
            final Instant at = d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            if (!at.isBefore(period.to()))
            {
                break;
            }
            out.add(at);
            d = "1w".equals(step) ? d.plusWeeks(1) : "1mo".equals(step) ? d.plusMonths(1) : d.plusDays(1);
        }
        return out;
    }

    /** A member state's name with its code: {@code Thailand (TH)}. */
    static String stateName(final String cc)
    {
        final String name = countryName(cc);
        return name.equals(cc) ? cc : name + " (" + cc + ")";
    }

    private static String protoName(final JsonNode proto)
    {
        final String p = proto.asText("");
        return switch (p)
        {
            case "6" -> "tcp";
            case "17" -> "udp";
            case "1" -> "icmp";
            case "58" -> "icmp6";
            default -> p;
        };
    }

    private static String asn(final JsonNode asn)
    {
        final long a = asn.asLong();
        return a == 0 ? "?" : "AS" + a;
    }

    /** A destination as {@code tcp/443}; ICMP as {@code icmp 8/0} (type/code, which the API packs as type << 8 | code). */
    static String target(final JsonNode proto, final JsonNode port)
    {
        final String p = protoName(proto);
        if (p.startsWith("icmp"))
        {
            final int v = port.asInt();
            return p + " " + (v >> 8) + "/" + (v & 0xff);
        }
        return p + "/" + port.asText();
    }

    /** An event's duration in seconds: its {@code seconds}, or end - start. */
    private static long seconds(final JsonNode r)
    {
        return r.hasNonNull("seconds") ? Math.round(r.path("seconds").asDouble()) : Fmt.seconds(r.path("start").asText(), r.path("end").asText());
    }

    private static String listSize(final JsonNode list)
    {
        return list.isArray() ? Integer.toString(list.size()) : list.asText("");
    }

    private static String joined(final JsonNode list)
    {
        if (!list.isArray())
        {
            return list.asText("");
        }
        final List<String> parts = new ArrayList<>();
        list.forEach(n -> parts.add(n.asText()));
        return String.join(";", parts);
    }

    private static String gapText(final JsonNode gaps)
    {
        if (!gaps.isArray() || gaps.isEmpty())
        {
            return "";
        }
        long total = 0;
        final List<String> shown = new ArrayList<>();
        for (final JsonNode g : gaps)
        {
            final long s = Fmt.seconds(g.path("start").asText(), g.path("end").asText());
            total += s;
            if (shown.size() < 3)
            {
                shown.add(Fmt.time(g.path("start").asText()) + " for " + Fmt.duration(s));
            }
        }
        return " (" + Fmt.duration(total) + " in all; " + String.join(", ", shown) + (gaps.size() > 3 ? ", ..." : "") + ")";
    }
}
