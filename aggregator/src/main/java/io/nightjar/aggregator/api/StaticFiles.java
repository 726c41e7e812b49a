package io.nightjar.aggregator.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the dashboard's static files from a class-path directory (they ship inside the jar: no
 * CDN, sensors and aggregators often run without Internet). {@code /} is {@code index.html}.
 * Only plain file names made of {@code [A-Za-z0-9._-/]} without {@code ..} are looked up, so no
 * path escapes the directory. Answers carry a strict Content-Security-Policy (scripts only from
 * this origin) and {@code nosniff}. Files are read once and kept in memory.
 */
public final class StaticFiles
{
    /** Class-path directory of the dashboard. */
    public static final String DASHBOARD = "io/nightjar/aggregator/dashboard/";
    private static final Pattern SAFE = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+");
    private static final byte[] MISSING = new byte[0];
    private static final Map<String, String> TYPES = Map.of(
        "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "mjs", "text/javascript; charset=utf-8",
        "css", "text/css; charset=utf-8", "json", "application/json; charset=utf-8", "svg", "image/svg+xml",
        "png", "image/png", "ico", "image/x-icon", "txt", "text/plain; charset=utf-8");

    private final String root;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** Serves the files under class-path directory {@code root} (ending in '/'). */
    public StaticFiles(final String root)
    {
        this.root = root;
    }

    /** Answers a GET of {@code path} (404 if absent or unsafe). */
    public void serve(final ChannelHandlerContext ctx, final boolean keepAlive, final String path)
    {
        final String p = path.equals("/") || path.isEmpty() ? "/index.html" : path;
        final byte[] body = SAFE.matcher(p).matches() && !p.contains("..") ? load(p.substring(1)) : MISSING;
        final boolean found = body != MISSING;
        final byte[] bytes = found ? body : ("not found: " + path).getBytes(StandardCharsets.UTF_8);
        final String ext = p.substring(p.lastIndexOf('.') + 1);
        final FullHttpResponse res = Responses.of(found ? 200 : 404, bytes,
            found ? TYPES.getOrDefault(ext, "application/octet-stream") : "text/plain; charset=utf-8");
        res.headers().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set("Referrer-Policy", "no-referrer");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        Responses.write(ctx, keepAlive, res);
    }

    private byte[] load(final String name)
    {
        return cache.computeIfAbsent(name, n ->
        {
            try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(root + n))
            {
                return in == null ? MISSING : in.readAllBytes();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
    }
}
