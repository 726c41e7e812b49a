package io.nightjar.sensor.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The sensor's small HTTP endpoint: {@code GET /metrics} (Prometheus text format), {@code GET /healthz}
 * (liveness: the process answers) and {@code GET /readyz} (readiness: 200 while the capture runs and the
 * spool is open, else 503 with the reason). The JDK's built-in server on one daemon thread, the
 * same choice as the Prometheus Java client's own exporter: no dependency, and a scrape every few
 * seconds is all it serves. Bind it to loopback or a management address.
 */
public final class MetricsServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;

    /**
     * Starts serving on {@code address}.
     *
     * @param readiness null when ready, else the reason it is not.
     * @throws IOException naming the address if it cannot be bound.
     */
    public MetricsServer(final InetSocketAddress address, final SensorMetrics metrics, final Supplier<String> readiness) throws IOException
    {
        try
        {
            server = HttpServer.create(address, 16);
        }
        catch (final IOException ex)
        {
            throw new IOException("--metrics " + address.getHostString() + ":" + address.getPort() + ": cannot listen: " + ex.getMessage(), ex);
        }
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render()));
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain; charset=utf-8", "ok\n"));
        server.createContext("/readyz", ex ->
        {
            final String reason = readiness.get();
            respond(ex, reason == null ? 200 : 503, "text/plain; charset=utf-8", reason == null ? "ready\n" : reason + "\n");
        });
        server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz, /readyz\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "nightjar-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        LOG.info("metrics on http://{}:{}/metrics", address.getHostString(), port());
    }

    private static void respond(final HttpExchange ex, final int status, final String type, final String body) throws IOException
    {
        try (ex)
        {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod()))
            {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            final boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head)
            {
                try (OutputStream out = ex.getResponseBody())
                {
                    out.write(bytes);
                }
            }
        }
    }

    /** The bound port. */
    public int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
