package io.nightjar.aggregator.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.nightjar.aggregator.auth.FailedLogins;
import io.nightjar.aggregator.auth.Principal;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.wire.metrics.PrometheusText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The aggregator's HTTP API on its own port (Netty). Requests are parsed on the event loop and
 * answered from a small query pool (DuckDB queries block), as JSON, or as CSV with
 * {@code format=csv} (the answer's {@code rows}); errors are JSON objects
 * {@code {"error": ..., "parameter": ...}} with a 4xx/5xx status. Endpoints under {@code /api/}
 * need a bearer token ({@link Tokens}); ten failures from one address within five minutes block it
 * (429). Other paths serve the dashboard's static files ({@link StaticFiles}) without a token.
 * A request line over {@link #MAX_REQUEST_LINE_BYTES} is refused with 414, headers over
 * {@link #MAX_HEADER_BYTES} with 431, and a connection that does not deliver a whole request
 * within the request timeout (from its opening or its last answer) is closed ({@link RequestDeadline}).
 */
public final class HttpApi implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    /** Longest request line (method, path and query) accepted, bytes. */
    public static final int MAX_REQUEST_LINE_BYTES = 8 << 10;
    /** Largest header block accepted, bytes. */
    public static final int MAX_HEADER_BYTES = 8 << 10;
    /** Default time a connection has to deliver a whole request (from its opening or its last answer). */
    public static final java.time.Duration REQUEST_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** One GET endpoint: parameters allowed, and the computation (runs on the query pool). */
    public interface Endpoint
    {
        /** Names of the parameters it accepts. */
        java.util.Set<String> parameters();

        /** Computes the JSON-ready result. */
        Object handle(QueryParams params) throws Exception;

        /** An endpoint taking {@code parameters} and answering with {@code query}. */
        static Endpoint of(final java.util.Set<String> parameters, final Query query)
        {
            return new Endpoint()
            {
                @Override
                public java.util.Set<String> parameters()
                {
                    return parameters;
                }

                @Override
                public Object handle(final QueryParams params) throws Exception
                {
                    return query.run(params);
                }
            };
        }
    }

    /** The computation of an endpoint. */
    @FunctionalInterface
    public interface Query
    {
        /** Computes the JSON-ready result. */
        Object run(QueryParams params) throws Exception;
    }

    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Tokens tokens;
    private final FailedLogins failedLogins = new FailedLogins(10, 5 * 60_000L);
    private final StaticFiles statics = new StaticFiles(StaticFiles.DASHBOARD);
    private final java.util.function.Consumer<PrometheusText> metricsSource;
    /** Null when ready, else why not; {@code /readyz}. */
    private volatile java.util.function.Supplier<String> readiness = () -> null;
    private final Map<String, org.HdrHistogram.Histogram> latency = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.LongAdder> answered = new java.util.concurrent.ConcurrentHashMap<>();
    private final EventLoopGroup group;
    private final ExecutorService queries;
    private final Channel server;

    /**
     * Sets what {@code GET /readyz} (no token) checks: the supplier returns null when the process is
     * ready to take sensors and queries, else the reason (answered with 503).
     */
    public void readiness(final java.util.function.Supplier<String> check)
    {
        this.readiness = check;
    }

    /** Binds {@code listen} and serves {@code routes} (path to endpoint). */
    public HttpApi(final InetSocketAddress listen, final Map<String, Endpoint> routes, final int queryThreads, final Tokens tokens)
    {
        this(listen, routes, queryThreads, tokens, m -> { });
    }

    /**
     * Binds {@code listen} and serves {@code routes}; {@code /metrics} (Prometheus text, no token)
     * shows the API's own request counts and latencies and what {@code metricsSource} writes.
     */
    public HttpApi(final InetSocketAddress listen, final Map<String, Endpoint> routes, final int queryThreads, final Tokens tokens,
                   final java.util.function.Consumer<PrometheusText> metricsSource)
    {
        this(listen, routes, queryThreads, tokens, metricsSource, REQUEST_TIMEOUT);
    }

    /**
     * As above, closing connections that take longer than {@code requestTimeout} to deliver a
     * whole request.
     */
    public HttpApi(final InetSocketAddress listen, final Map<String, Endpoint> routes, final int queryThreads, final Tokens tokens,
                   final java.util.function.Consumer<PrometheusText> metricsSource, final java.time.Duration requestTimeout)
    {
        endpoints.putAll(routes);
        this.tokens = tokens;
        this.metricsSource = metricsSource;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.queries = Executors.newFixedThreadPool(queryThreads, r ->
        {
            final Thread t = new Thread(r, "nightjar-query");
            t.setDaemon(true);
            return t;
        });
        try
        {
            this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                        ch.pipeline().addLast(new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, 8 << 10),
                            new HttpObjectAggregator(64 << 10), new RequestDeadline(requestTimeout.toMillis()), new Handler());
                    }
                }).bind(listen).sync().channel();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted binding " + listen);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw new IllegalArgumentException("cannot listen on " + listen + " for HTTP: " + ex.getMessage(), ex);
        }
        LOG.info("api: http://{}:{}/ ({})", address().getHostString(), address().getPort(), endpoints.keySet());
    }

    /** The bound address. */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)server.localAddress();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest req)
        {
            final boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess())
            {
                // the decoder discards the rest of the connection's input: answer and close
                final Throwable cause = req.decoderResult().cause();
                if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException)
                {
                    send(ctx, false, 414, error(null, "request line longer than " + MAX_REQUEST_LINE_BYTES + " bytes"), null);
                }
                else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException)
                {
                    send(ctx, false, 431, error(null, "headers larger than " + MAX_HEADER_BYTES + " bytes"), null);
                }
                else
                {
                    send(ctx, false, 400, error(null, "malformed request"), null);
                }
                return;
            }
            if (req.method() != HttpMethod.GET)
            {
                send(ctx, keepAlive, 405, error(null, "only GET is supported"), null);
                return;
            }
            final QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            if (uri.path().equals("/metrics"))
            {
                sendText(ctx, keepAlive, 200, metrics(), "text/plain; version=0.0.4; charset=utf-8");
                return;
            }
            if (uri.path().equals("/healthz"))
            {
                sendText(ctx, keepAlive, 200, "ok\n", "text/plain; charset=utf-8");
                return;
            }
            if (uri.path().equals("/readyz"))
            {
                final String why = readiness.get();
                sendText(ctx, keepAlive, why == null ? 200 : 503, why == null ? "ready\n" : why + "\n", "text/plain; charset=utf-8");
                return;
            }
            if (!uri.path().startsWith("/api/"))
            {
                statics.serve(ctx, keepAlive, uri.path());
                return;
            }
            final String client = clientAddress(ctx);
            final long now = System.currentTimeMillis();
            if (failedLogins.blocked(client, now))
            {
                LOG.warn("api: {} refused: too many failed authentications from {}", uri.path(), client);
                send(ctx, keepAlive, 429, error(null, "too many failed authentications from this address; try again in 5 minutes"), null);
                return;
            }
            final Principal who = tokens.check(bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION)));
            if (who == null)
            {
                failedLogins.fail(client, now);
                LOG.warn("api: {} refused: {} token from {}", uri.path(),
                    req.headers().contains(HttpHeaderNames.AUTHORIZATION) ? "wrong" : "no", client);
                send(ctx, keepAlive, 401, error("Authorization", "a valid bearer token is needed (Authorization: Bearer TOKEN)"), null);
                return;
            }
            final Endpoint endpoint = endpoints.get(uri.path());
            if (endpoint == null)
            {
                send(ctx, keepAlive, 404, error(null, "no endpoint " + uri.path() + " (endpoints: " + endpoints.keySet() + ")"), null);
                return;
            }
            try
            {
                queries.execute(() -> answer(ctx, keepAlive, endpoint, uri, who));
            }
            catch (final RejectedExecutionException ex)
            {
                send(ctx, keepAlive, 503, error(null, "shutting down"), null);
            }
        }

        private void answer(final ChannelHandlerContext ctx, final boolean keepAlive, final Endpoint endpoint, final QueryStringDecoder uri,
                            final Principal who)
        {
            try
            {
                final Map<String, java.util.List<String>> raw = new LinkedHashMap<>(QueryParams.decode(uri));
                final java.util.List<String> format = raw.remove("format");
                final boolean csv = format != null && !format.isEmpty() && format.get(format.size() - 1).equals("csv");
                if (format != null && !format.isEmpty() && !csv && !format.get(format.size() - 1).equals("json"))
                {
                    throw new ApiException(400, "format", "parameter 'format': '" + format.get(0) + "' is not json or csv");
                }
                final long start = System.nanoTime();
                final Object result = endpoint.handle(new QueryParams(raw, endpoint.parameters(), who, format == null ? null : format.get(0)));
                final org.HdrHistogram.Histogram h = latency.computeIfAbsent(uri.path(), k -> new org.HdrHistogram.Histogram(3_600_000_000_000L, 2));
                synchronized (h)
                {
                    h.recordValue(Math.min(3_600_000_000_000L, System.nanoTime() - start));
                }
                count(uri.path(), 200);
                send(ctx, keepAlive, 200, result, csv ? uri.path() : null);
            }
            catch (final ApiException ex)
            {
                count(uri.path(), ex.status());
                if (ex.status() == 403)
                {
                    LOG.warn("api: {} refused for {}: {}", uri.uri(), who.organisation(), ex.getMessage());
                }
                send(ctx, keepAlive, ex.status(), error(ex.parameter(), ex.getMessage()), null);
            }
            catch (final Exception ex)
            {
                count(uri.path(), 500);
                LOG.error("api: {} failed", uri.uri(), ex);
                send(ctx, keepAlive, 500, error(null, "internal error: " + ex.getMessage()), null);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            LOG.debug("api connection error: {}", cause.toString());
            ctx.close();
        }
    }

    private static Map<String, Object> error(final String parameter, final String message)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        if (parameter != null)
        {
            m.put("parameter", parameter);
        }
        return m;
    }

    private void count(final String path, final int status)
    {
        answered.computeIfAbsent(path + " " + status, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    /** The Prometheus text of the API's own metrics and the source's. */
    private String metrics()
    {
        final PrometheusText out = new PrometheusText();
        out.family("nightjar_api_requests_total", "counter", "API requests answered, by endpoint and HTTP status.");
        new java.util.TreeMap<>(answered).forEach((k, v) ->
        {
            final int sp = k.lastIndexOf(' ');
            out.sample("nightjar_api_requests_total", v.sum(), "endpoint", k.substring(0, sp), "status", k.substring(sp + 1));
        });
        out.family("nightjar_api_request_seconds", "summary", "Time to compute successful API answers, by endpoint.");
        new java.util.TreeMap<>(latency).forEach((k, h) ->
        {
            synchronized (h)
            {
                for (final double q : new double[] {0.5, 0.95, 0.99})
                {
                    out.sample("nightjar_api_request_seconds", h.getValueAtPercentile(q * 100) / 1e9, "endpoint", k, "quantile", Double.toString(q));
                }
                out.sample("nightjar_api_request_seconds_count", h.getTotalCount(), "endpoint", k);
                out.sample("nightjar_api_request_seconds_sum", h.getMean() * h.getTotalCount() / 1e9, "endpoint", k);
            }
        });
        metricsSource.accept(out);
        return out.toString();
    }

    private static void sendText(final ChannelHandlerContext ctx, final boolean keepAlive, final int status, final String text, final String type)
    {
        final FullHttpResponse res = Responses.of(status, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), type);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        Responses.write(ctx, keepAlive, res);
    }

    private static String bearer(final String header)
    {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return null;
        }
        return header.substring(7).trim();
    }

    private static String clientAddress(final ChannelHandlerContext ctx)
    {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "?";
    }

    /** Sends {@code body} as JSON, or its rows as CSV when {@code csvName} is not null. */
    private static void send(final ChannelHandlerContext ctx, final boolean keepAlive, final int status, final Object body, final String csvName)
    {
        byte[] bytes;
        String type = "application/json; charset=utf-8";
        String coverage = null;
        try
        {
            if (csvName != null && body instanceof Map<?, ?> m && m.get("rows") instanceof java.util.List<?> rows)
            {
                bytes = Csv.render(rows).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                type = "text/csv; charset=utf-8";
                if (m.get("coverage") instanceof Map<?, ?> c && c.get("note") != null)
                {
                    coverage = c.get("note").toString().replaceAll("[^\\x20-\\x7e]", "?");
                }
            }
            else
            {
                bytes = JSON.writeValueAsBytes(body);
            }
        }
        catch (final Exception ex)
        {
            bytes = ("{\"error\":\"cannot encode result\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        final FullHttpResponse res = Responses.of(status, bytes, type);
        res.headers().set("X-Content-Type-Options", "nosniff");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (status == 401)
        {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"nightjar\"");
        }
        if (coverage != null)
        {
            res.headers().set("X-Nightjar-Coverage", coverage);
        }
        if (csvName != null && type.startsWith("text/csv"))
        {
            res.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + csvName.substring(csvName.lastIndexOf('/') + 1) + ".csv\"");
        }
        Responses.write(ctx, keepAlive, res);
    }

    @Override
    public void close()
    {
        if (server != null)
        {
            server.close().syncUninterruptibly();
        }
        queries.shutdown();
        try
        {
            queries.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
