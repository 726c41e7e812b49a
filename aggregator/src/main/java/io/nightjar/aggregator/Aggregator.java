package io.nightjar.aggregator;

import io.netty.handler.ssl.SslContext;
import io.nightjar.aggregator.api.HttpApi;
import io.nightjar.wire.metrics.PrometheusText;
import io.nightjar.aggregator.api.TotalsQuery;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.stats.EventsQuery;
import io.nightjar.aggregator.stats.ExportQuery;
import io.nightjar.aggregator.stats.HealthQuery;
import io.nightjar.aggregator.stats.MetaQuery;
import io.nightjar.aggregator.stats.PortsQuery;
import io.nightjar.aggregator.stats.SourcesQuery;
import io.nightjar.aggregator.stats.StatsContext;
import io.nightjar.aggregator.stats.SurgingQuery;
import io.nightjar.aggregator.stats.ToolsQuery;
import io.nightjar.aggregator.stats.VolumeQuery;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.aggregator.ingest.IngestMetrics;
import io.nightjar.aggregator.ingest.IngestServer;
import io.nightjar.aggregator.ingest.StoreWriter;
import io.nightjar.aggregator.privacy.CryptoPanKey;
import io.nightjar.aggregator.privacy.SourceAnonymizer;
import io.nightjar.aggregator.store.FlowStore;
import io.nightjar.aggregator.store.SourceTable;
import io.nightjar.wire.frame.Frame;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running aggregator: the store, its writer lanes, the sensor-facing ingest server and the
 * HTTP API, started together and closed in reverse order (ingest first, so in-flight batches
 * are applied before the store closes).
 */
public final class Aggregator implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    private final BufferAllocator allocator;
    private final FlowStore store;
    private final StoreWriter writer;
    private final IngestServer ingest;
    private final HttpApi api;
    private final SourceTable sources;
    private final IngestMetrics metrics = new IngestMetrics();
    /** What answers credit for the source attribution data (empty without any geo data). */
    private final String attribution;

    /** Addresses whose Crypto-PAn image the export keeps (about 110 bytes each). */
    private static final int ANONYMIZER_CACHE_ENTRIES = 200_000;

    /** File in the data directory holding the regional API token when no token file is configured. */
    public static final String API_TOKEN_FILE = "api-token";

    /**
     * Everything an aggregator needs to start. {@code enricher} attributes sources (country, ASN) into
     * the {@code sources} table; {@link Enricher#none()} keeps the table with unknown values, null
     * does not maintain it at all (benchmark baseline). The caller owns and closes the enricher.
     * {@code anonymizeKey} (null: none) is the deployment's Crypto-PAn key, which enables the
     * export's {@code anonymize=cryptopan}.
     */
    public record Settings(InetSocketAddress listen, InetSocketAddress http, Path dataDirectory, SslContext tls, SensorRegistry registry,
                           int maxFrameBytes, int idleTimeoutSeconds, long queueHighWaterBytes, long maxGroupRows, int ioThreads, Tokens tokens,
                           Enricher enricher, CryptoPanKey anonymizeKey, int storeWriters)
    {
        /** Writer lanes by default: two (measured on 2 cores, benchmarks/README.md), or one on a single core. */
        public static int defaultStoreWriters()
        {
            return Math.min(2, Runtime.getRuntime().availableProcessors());
        }

        /** Defaults for everything but the addresses, data directory, TLS and registry (no geo data: {@link Enricher#none()}). */
        public static Settings of(final InetSocketAddress listen, final InetSocketAddress http, final Path data, final SslContext tls,
                                  final SensorRegistry registry)
        {
            return new Settings(listen, http, data, tls, registry, Frame.DEFAULT_MAX_PAYLOAD, 60, 256L << 20, 1_000_000, 0, null, Enricher.none(),
                null, defaultStoreWriters());
        }

        /** The same with another idle timeout. */
        public Settings withIdleTimeout(final int seconds)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, maxFrameBytes, seconds, queueHighWaterBytes, maxGroupRows, ioThreads, tokens,
                enricher, anonymizeKey, storeWriters);
        }

        /** The same with another bound on queued batch bytes (back-pressure high-water mark). */
        public Settings withQueueHighWater(final long bytes)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, maxFrameBytes, idleTimeoutSeconds, bytes, maxGroupRows, ioThreads, tokens,
                enricher, anonymizeKey, storeWriters);
        }

        /**
         * The same with these API tokens; without any (null), the API uses the regional token kept in
         * {@code DATA/api-token}, made on first start.
         */
        public Settings withTokens(final Tokens t)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, maxFrameBytes, idleTimeoutSeconds, queueHighWaterBytes, maxGroupRows, ioThreads, t,
                enricher, anonymizeKey, storeWriters);
        }

        /** The same with another source enricher (null: no {@code sources} table upkeep). */
        public Settings withEnricher(final Enricher e)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, maxFrameBytes, idleTimeoutSeconds, queueHighWaterBytes, maxGroupRows, ioThreads,
                tokens, e, anonymizeKey, storeWriters);
        }

        /** The same with this Crypto-PAn key for anonymised exports (null: none). */
        public Settings withAnonymizeKey(final CryptoPanKey key)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, maxFrameBytes, idleTimeoutSeconds, queueHighWaterBytes, maxGroupRows, ioThreads,
                tokens, enricher, key, storeWriters);
        }

        /** The same with {@code n} store writer lanes (at least 1). */
        public Settings withStoreWriters(final int n)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, maxFrameBytes, idleTimeoutSeconds, queueHighWaterBytes, maxGroupRows, ioThreads,
                tokens, enricher, anonymizeKey, n);
        }

        /** The same with another maximum frame payload. */
        public Settings withMaxFrame(final int bytes)
        {
            return new Settings(listen, http, dataDirectory, tls, registry, bytes, idleTimeoutSeconds, queueHighWaterBytes, maxGroupRows, ioThreads, tokens,
                enricher, anonymizeKey, storeWriters);
        }
    }

    /** Opens the store and starts serving. */
    public Aggregator(final Settings s)
    {
        this.allocator = new RootAllocator(Math.max(512L << 20, s.queueHighWaterBytes() * 4));
        this.store = FlowStore.open(s.dataDirectory(), allocator);
        final List<FlowStore.SensorRow> rows = new ArrayList<>();
        s.registry().sensors().values().forEach(e -> rows.add(new FlowStore.SensorRow(e.id(), e.country(), e.organisation(), e.darknetAddresses())));
        try
        {
            store.replaceSensors(rows);
        }
        catch (final SQLException ex)
        {
            store.close();
            throw new IllegalStateException("cannot record sensor metadata: " + ex.getMessage(), ex);
        }
        if (s.registry().isOpen())
        {
            LOG.warn("no sensor allow-list (--sensors): any sensor with a certificate from the CA may connect");
        }
        SourceTable table = null;
        try
        {
            table = s.enricher() == null ? null : new SourceTable(store, s.enricher(), 50_000);
        }
        catch (final SQLException ex)
        {
            store.close();
            throw new IllegalStateException("cannot prepare the sources table: " + ex.getMessage(), ex);
        }
        this.sources = table;
        this.attribution = s.enricher() == null || s.enricher().isEmpty() ? "" : Enricher.ATTRIBUTION;
        this.writer = new StoreWriter(store, s.queueHighWaterBytes(), s.maxGroupRows(), metrics, table, s.storeWriters());
        IngestServer server = null;
        HttpApi http = null;
        try
        {
            server = new IngestServer(s.listen(), s.tls(), s.registry(), writer, metrics, allocator, s.maxFrameBytes(), s.idleTimeoutSeconds(),
                s.ioThreads());
            http = s.http() == null ? null : new HttpApi(s.http(), routes(s), 2, tokens(s), this::writeMetrics);
        }
        catch (final RuntimeException ex)
        {
            if (server != null)
            {
                server.close();
            }
            writer.close();
            store.close();
            throw ex;
        }
        this.ingest = server;
        this.api = http;
        if (http != null)
        {
            http.readiness(this::notReadyBecause);
        }
    }

    /** Null when sensors and analysts can be served: the store's writer runs and a reader answers. */
    private String notReadyBecause()
    {
        if (!writer.isRunning())
        {
            return "store writer stopped";
        }
        try (java.sql.Connection c = store.openReader(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT 1"))
        {
            return rs.next() ? null : "store does not answer";
        }
        catch (final java.sql.SQLException ex)
        {
            return "store does not answer: " + ex.getMessage();
        }
    }

    private Map<String, HttpApi.Endpoint> routes(final Settings s)
    {
        final StatsContext ctx = new StatsContext(store, attribution);
        final TotalsQuery totals = new TotalsQuery(store);
        final VolumeQuery volume = new VolumeQuery(ctx);
        final PortsQuery ports = new PortsQuery(ctx);
        final SourcesQuery sources = new SourcesQuery(ctx);
        final ToolsQuery tools = new ToolsQuery(ctx);
        final SurgingQuery surging = new SurgingQuery(ctx);
        final HealthQuery health = new HealthQuery(ctx);
        final MetaQuery meta = new MetaQuery(ctx);
        final SourceAnonymizer anonymizer = s.anonymizeKey() == null ? null : new SourceAnonymizer(s.anonymizeKey(), ANONYMIZER_CACHE_ENTRIES);
        if (anonymizer != null)
        {
            LOG.info("export: anonymize=cryptopan available (Crypto-PAn key id {})", anonymizer.keyId());
        }
        final ExportQuery export = new ExportQuery(ctx, s.dataDirectory().resolve("export"), anonymizer);
        final EventsQuery events = new EventsQuery(ctx);
        final Map<String, HttpApi.Endpoint> routes = new LinkedHashMap<>();
        routes.put("/api/v1/meta", HttpApi.Endpoint.of(MetaQuery.PARAMETERS, meta::run));
        routes.put("/api/v1/totals", HttpApi.Endpoint.of(TotalsQuery.PARAMETERS, totals::run));
        routes.put("/api/v1/volume", HttpApi.Endpoint.of(VolumeQuery.PARAMETERS, volume::run));
        routes.put("/api/v1/ports/top", HttpApi.Endpoint.of(PortsQuery.TOP_PARAMETERS, ports::top));
        routes.put("/api/v1/ports/series", HttpApi.Endpoint.of(PortsQuery.SERIES_PARAMETERS, ports::series));
        routes.put("/api/v1/ports/tsubame", HttpApi.Endpoint.of(PortsQuery.TSUBAME_PARAMETERS, ports::tsubame));
        routes.put("/api/v1/ports/surging", HttpApi.Endpoint.of(SurgingQuery.PARAMETERS, surging::run));
        routes.put("/api/v1/sources/top", HttpApi.Endpoint.of(SourcesQuery.TOP_PARAMETERS, sources::top));
        routes.put("/api/v1/countries/top", HttpApi.Endpoint.of(SourcesQuery.GROUP_PARAMETERS, sources::countries));
        routes.put("/api/v1/asns/top", HttpApi.Endpoint.of(SourcesQuery.GROUP_PARAMETERS, sources::asns));
        routes.put("/api/v1/tools", HttpApi.Endpoint.of(ToolsQuery.PARAMETERS, tools::run));
        routes.put("/api/v1/events/scans", HttpApi.Endpoint.of(EventsQuery.SCAN_PARAMETERS, events::scans));
        routes.put("/api/v1/events/dos", HttpApi.Endpoint.of(EventsQuery.DOS_PARAMETERS, events::dos));
        routes.put("/api/v1/sensors/health", HttpApi.Endpoint.of(HealthQuery.PARAMETERS, health::run));
        routes.put("/api/v1/export", HttpApi.Endpoint.of(ExportQuery.PARAMETERS, export::run));
        return routes;
    }

    /** Ingest and store metrics, Prometheus text. */
    private void writeMetrics(final PrometheusText out)
    {
        final IngestMetrics m = metrics;
        out.single("nightjar_ingest_connections_total", "counter", "Sensor connections accepted.", m.connections.sum());
        out.single("nightjar_ingest_rejected_connections_total", "counter", "Sensor connections closed after a protocol or authentication error.",
            m.rejectedConnections.sum());
        out.single("nightjar_ingest_batches_total", "counter", "BATCH frames received.", m.batchesReceived.sum());
        out.single("nightjar_ingest_duplicate_batches_total", "counter", "Batches already applied (acknowledged again, not applied).",
            m.duplicateBatches.sum());
        out.single("nightjar_store_flow_records_total", "counter", "Flow records applied to the store.", m.flowRecordsStored.sum());
        out.single("nightjar_store_commits_total", "counter", "Store transactions committed.", m.groupsCommitted.sum());
        out.single("nightjar_store_failures_total", "counter", "Store transactions rolled back.", m.storeFailures.sum());
        out.single("nightjar_ingest_pauses_total", "counter", "Times connections stopped reading because the writer's queue was full.",
            m.pauses.sum());
        out.single("nightjar_store_queue_bytes", "gauge", "Bytes of batches queued for the store's writers.", writer.queuedBytes());
        out.single("nightjar_store_writer_lanes", "gauge", "Store writer lanes (connections and threads applying batches).", writer.lanes());
        out.single("nightjar_store_duckdb_single_thread", "gauge", "1 while DuckDB runs with one thread because two or more writer lanes are loaded.",
            writer.duckDbSingleThreaded() ? 1 : 0);
        long size = 0;
        try
        {
            size = Files.size(store.file()) + (Files.exists(Path.of(store.file() + ".wal")) ? Files.size(Path.of(store.file() + ".wal")) : 0);
        }
        catch (final IOException ignored)
        {
            // a file being checkpointed: report 0 this time
        }
        out.single("nightjar_store_bytes", "gauge", "Size of the store's database file and its write-ahead log.", size);
    }

    private static Tokens tokens(final Settings s)
    {
        if (s.tokens() != null)
        {
            LOG.info("api: {} tokens", s.tokens().size());
            return s.tokens();
        }
        final Path file = s.dataDirectory().resolve(API_TOKEN_FILE);
        try
        {
            if (!Files.exists(file))
            {
                final String token = Tokens.newToken();
                final Path tmp = Files.createTempFile(s.dataDirectory(), ".api-token", ".tmp");
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, token + "\n");
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("api: no --tokens file; made a regional token in {} (mode 0600)", file);
            }
            final String token = Files.readString(file).trim();
            return Tokens.of(List.of(new Tokens.Entry("local", null, Tokens.sha256(token))));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make or read the API token " + file, ex);
        }
    }

    /** The ingest address actually bound. */
    public InetSocketAddress ingestAddress()
    {
        return ingest.address();
    }

    /** The HTTP address actually bound, or null. */
    public InetSocketAddress httpAddress()
    {
        return api == null ? null : api.address();
    }

    /** The store (for queries). */
    public FlowStore store()
    {
        return store;
    }

    /** The writer (for progress). */
    public StoreWriter writer()
    {
        return writer;
    }

    /** Ingest counters. */
    public IngestMetrics metrics()
    {
        return metrics;
    }

    @Override
    public void close()
    {
        if (api != null)
        {
            api.close();
        }
        ingest.close();
        writer.close();
        store.close();
        allocator.close();
        LOG.info("aggregator stopped: {} batches received, {} duplicates, {} flow records stored", metrics.batchesReceived.sum(),
            metrics.duplicateBatches.sum(), metrics.flowRecordsStored.sum());
        if (sources != null)
        {
            LOG.info("geo: {} new sources attributed in {} ms of the writer's time (finding them {} ms, geo lookups {} ms)", sources.attributed(),
                sources.attributeNanos() / 1_000_000, sources.findNanos() / 1_000_000, sources.lookupNanos() / 1_000_000);
        }
    }
}
