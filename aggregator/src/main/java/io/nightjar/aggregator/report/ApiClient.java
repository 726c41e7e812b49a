package io.nightjar.aggregator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * A small client of the aggregator's query API v1 ({@code aggregator/API.md}): GET with a bearer
 * token, JSON envelopes back. Every request has a bounded timeout. Used by one report thread at a
 * time; the underlying {@link HttpClient} is thread-safe.
 */
public final class ApiClient
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;
    private final Consumer<String> progress;
    private int requests;

    /**
     * @param base     the aggregator's HTTP root, e.g. {@code http://127.0.0.1:8080}.
     * @param token    the bearer token.
     * @param timeout  bound on each request (connect and answer).
     * @param progress receives one line per request (for stderr), may ignore it.
     */
    public ApiClient(final URI base, final String token, final Duration timeout, final Consumer<String> progress)
    {
        final String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.timeout = timeout;
        this.progress = progress;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** One JSON answer of the API: the envelope (or, for {@code meta} and {@code totals}, the object). */
    public record Answer(String path, JsonNode body)
    {
        /** The answer's rows (empty when it has none). */
        public JsonNode rows()
        {
            return body.path("rows");
        }

        /** The coverage note, or empty. */
        public String coverageNote()
        {
            return body.path("coverage").path("note").asText("");
        }

        /** The attribution text, or empty. */
        public String attribution()
        {
            return body.path("attribution").asText("");
        }
    }

    /** An error answer of the API (status and its {@code error}/{@code parameter}). */
    public static final class ApiError extends IOException
    {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiError(final String message, final int status)
        {
            super(message);
            this.status = status;
        }

        /** The HTTP status (401, 403, 400, ...). */
        public int status()
        {
            return status;
        }
    }

    /** Parameters in order; null values are left out. */
    public static Map<String, String> params(final String... keyValues)
    {
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2)
        {
            if (keyValues[i + 1] != null)
            {
                m.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    /** GET {@code path?params} as JSON. */
    public Answer get(final String path, final Map<String, String> params) throws IOException, InterruptedException
    {
        final URI uri = uri(path, params);
        requests++;
        progress.accept("report: GET " + path + readable(params));
        final HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + token)
            .header("Accept", "application/json").GET().build();
        final HttpResponse<String> res;
        try
        {
            res = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final java.net.ConnectException ex)
        {
            throw new IOException("--api: cannot connect to " + base + " (" + (ex.getMessage() == null ? "connection refused" : ex.getMessage()) + ")", ex);
        }
        catch (final java.net.http.HttpTimeoutException ex)
        {
            throw new IOException("--api: " + path + " did not answer within " + timeout.toSeconds() + " s", ex);
        }
        if (res.statusCode() != 200)
        {
            String detail = res.body();
            try
            {
                final JsonNode e = JSON.readTree(res.body());
                detail = e.path("error").asText(detail) + (e.hasNonNull("parameter") ? " (parameter " + e.path("parameter").asText() + ")" : "");
            }
            catch (final IOException ignored)
            {
                // not JSON: keep the raw body
            }
            if (res.statusCode() == 401)
            {
                throw new ApiError("--token-file: the aggregator refused the token (401): " + detail, 401);
            }
            throw new ApiError("GET " + path + readable(params) + ": HTTP " + res.statusCode() + ": " + detail, res.statusCode());
        }
        return new Answer(path, JSON.readTree(res.body()));
    }

    /** Requests made so far. */
    public int requests()
    {
        return requests;
    }

    /** The API root. */
    public URI base()
    {
        return base;
    }

    private URI uri(final String path, final Map<String, String> params)
    {
        return URI.create(base + path + query(params));
    }

    private static String readable(final Map<String, String> params)
    {
        final StringJoiner q = new StringJoiner("&", "?", "");
        q.setEmptyValue("");
        params.forEach((k, v) -> q.add(k + "=" + v));
        return q.toString();
    }

    private static String query(final Map<String, String> params)
    {
        if (params.isEmpty())
        {
            return "";
        }
        final StringJoiner q = new StringJoiner("&", "?", "");
        params.forEach((k, v) -> q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return q.toString();
    }
}
