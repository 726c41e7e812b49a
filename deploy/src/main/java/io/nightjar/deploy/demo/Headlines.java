package io.nightjar.deploy.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Prints the headline statistics of a period, asked of the API as an analyst would. */
final class Headlines
{
    private final ApiClient api;
    private final PrintStream out;

    Headlines(final ApiClient api, final PrintStream out)
    {
        this.api = api;
        this.out = out;
    }

    void print(final String from, final String to) throws Exception
    {
        final String range = "from=" + URLEncoder.encode(from, StandardCharsets.UTF_8) + "&to=" + URLEncoder.encode(to, StandardCharsets.UTF_8);
        final JsonNode totals = api.get("/api/v1/totals?" + range);
        out.printf("%nThreat landscape %s .. %s (%d sensors)%n", from, to, totals.path("sensors").size());
        out.printf("  packets %,d   bytes %,d   distinct sources %,d   flow records %,d   malformed %,d%n", totals.path("packets").asLong(),
            totals.path("bytes").asLong(), totals.path("distinct_sources").asLong(), totals.path("flows").asLong(), totals.path("malformed").asLong());
        final StringBuilder classes = new StringBuilder("  by class:");
        totals.path("classes").fields().forEachRemaining(e -> classes.append(String.format(" %s %,d", e.getKey(), e.getValue().asLong())));
        out.println(classes);
        for (final String proto : new String[] {"tcp", "udp"})
        {
            final JsonNode top = api.get("/api/v1/ports/top?proto=" + proto + "&limit=5&" + range);
            final StringBuilder sb = new StringBuilder("  top " + proto.toUpperCase() + " ports (avg packets per sensor, sources):");
            for (final JsonNode r : top.path("rows"))
            {
                sb.append(String.format(" %d (%,.0f, %,d)", r.path("port").asInt(), r.path("avg_packets_per_sensor").asDouble(), r.path("sources").asLong()));
            }
            out.println(sb);
        }
        final JsonNode countries = api.get("/api/v1/countries/top?limit=5&" + range);
        final StringBuilder c = new StringBuilder("  top source countries (sources):");
        for (final JsonNode r : countries.path("rows"))
        {
            c.append(String.format(" %s %,d", r.path("country").asText(), r.path("sources").asLong()));
        }
        out.println(c);
        final JsonNode tools = api.get("/api/v1/tools?" + range);
        final StringBuilder t = new StringBuilder("  scanner tools (sources):");
        for (final JsonNode r : tools.path("rows"))
        {
            t.append(String.format(" %s %,d", r.path("tool").asText(), r.path("sources").asLong()));
        }
        out.println(t);
        final JsonNode scans = api.get("/api/v1/events/scans?limit=3&" + range);
        final StringBuilder e = new StringBuilder(String.format("  scan events (ORION): %,d; largest:", scans.path("query").path("events").asLong()));
        for (final JsonNode r : scans.path("rows"))
        {
            e.append(String.format(" %s %s/%d (%,d packets, %,d destinations)", r.path("src").asText(), r.path("proto").asText(), r.path("port").asInt(),
                r.path("packets").asLong(), r.path("destinations").asLong()));
        }
        out.println(e);
        final JsonNode dos = api.get("/api/v1/events/dos?limit=3&" + range);
        final StringBuilder d = new StringBuilder(String.format("  DoS attacks inferred from backscatter (RS-DoS): %,d; largest:",
            dos.path("query").path("attacks").asLong()));
        for (final JsonNode r : dos.path("rows"))
        {
            d.append(String.format(" %s %s (%,d packets over %,.0f s)", r.path("victim").asText(), r.path("protocol").asText(), r.path("packets").asLong(),
                r.path("seconds").asDouble()));
        }
        out.println(d);
        final JsonNode surging = api.get("/api/v1/ports/surging?limit=3&" + range.substring(range.indexOf("to=")));
        final StringBuilder sg = new StringBuilder("  surging ports (DShield score):");
        for (final JsonNode r : surging.path("rows"))
        {
            sg.append(String.format(" %s/%d %.1f", r.path("proto").asText(), r.path("port").asInt(), r.path("score").asDouble()));
        }
        out.println(sg);
        final JsonNode health = api.get("/api/v1/sensors/health?" + range);
        final StringBuilder h = new StringBuilder("  sensors (coverage):");
        for (final JsonNode r : health.path("rows"))
        {
            h.append(String.format(" %s %s", r.path("sensor_id").asText(), r.path("coverage").isNull() ? "-" : String.format("%.0f%%", 100 * r.path("coverage").asDouble())));
        }
        out.println(h);
        out.flush();
    }
}
