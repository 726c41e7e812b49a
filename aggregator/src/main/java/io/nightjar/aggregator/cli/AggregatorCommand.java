package io.nightjar.aggregator.cli;

import io.netty.handler.ssl.SslContext;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.auth.Tokens;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.aggregator.privacy.CryptoPanKey;
import io.nightjar.wire.tls.HostPort;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code nightjar aggregator --listen HOST:PORT --data DIR --cert --key --ca [--http HOST:PORT] [--geo DIR | --no-geo] [--anonymize-key FILE]}:
 * receives flow records from sensors over mutual TLS, stores them in the embedded DuckDB store
 * exactly once, attributes each new source (country, ASN) from the geo data, and serves the HTTP API.
 * Runs until SIGTERM/SIGINT, then finishes in-flight batches.
 */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
    description = {"Run an aggregator: accept sensors over mutual TLS, store their flow records exactly once (DuckDB),",
        "serve the HTTP API. Stops cleanly on SIGTERM."})
public final class AggregatorCommand implements Callable<Integer>
{
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorCommand.class);

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7443",
        description = "Address for sensors (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
        description = "Address of the HTTP API (default: ${DEFAULT-VALUE}).")
    String http;

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "Data directory (the DuckDB store lives here).")
    Path data;

    @Option(names = "--cert", paramLabel = "PEM", description = "The aggregator's certificate (chain), PEM.")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "The aggregator's private key, PKCS#8 PEM.")
    Path key;

    @Option(names = "--ca", paramLabel = "PEM", description = "CA certificate(s) that sign sensor certificates, PEM.")
    Path ca;

    @Option(names = "--sensors", paramLabel = "YAML", description = "Allow-list and metadata of sensors (see README).")
    Path sensors;

    @Option(names = "--tokens", paramLabel = "YAML",
        description = {"API tokens (SHA-256 per organisation; made with `nightjar token`).",
            "Without it, a regional token is kept in DATA/api-token (mode 0600)."})
    Path tokens;

    @Option(names = "--plaintext", description = "No TLS (only when listening on a loopback address, for tests).")
    boolean plaintext;

    @Option(names = "--max-frame", paramLabel = "SIZE", defaultValue = "64m", description = "Largest frame accepted (default: ${DEFAULT-VALUE}).")
    String maxFrame;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s",
        description = "Drop a sensor connection silent for this long (default: ${DEFAULT-VALUE}).")
    String idleTimeout;

    @Option(names = "--geo", paramLabel = "DIR",
        description = "Geo data for source country and ASN (dbip-country.mmdb, asn-ipv4.csv, asn-ipv6.csv; `./nightjar geo-data`)"
            + " (default: $NIGHTJAR_GEO or ~/.cache/nightjar/geo).")
    Path geo;

    @Option(names = "--anonymize-key", paramLabel = "FILE",
        description = {"Crypto-PAn key (32 raw bytes or 64 hex digits, mode 0600; `nightjar anonymize-key --out FILE`):",
            "enables anonymised exports (/api/v1/export?anonymize=cryptopan). Use the same key on every aggregator of a deployment."})
    Path anonymizeKey;

    @Option(names = "--store-writers", paramLabel = "N",
        description = "Store writer lanes: connections and threads that apply sensors' batches side by side, each sensor on one"
            + " (default: 2, or 1 on a single core).")
    Integer storeWriters;

    @Option(names = "--no-geo", description = "No source country/ASN attribution (sources are still recorded, as unknown).")
    boolean noGeo;

    @Override
    public Integer call() throws Exception
    {
        if (noGeo && geo != null)
        {
            throw new IllegalArgumentException("--geo and --no-geo exclude each other");
        }
        if (storeWriters != null && (storeWriters < 1 || storeWriters > 16))
        {
            throw new IllegalArgumentException("--store-writers must be 1..16, not " + storeWriters);
        }
        final HostPort ingest = HostPort.parse("--listen", listen);
        final HostPort api = HostPort.parse("--http", http);
        final SslContext tls;
        if (plaintext)
        {
            if (!ingest.isLoopback())
            {
                throw new IllegalArgumentException("--plaintext is only allowed with a loopback --listen address, not " + ingest);
            }
            tls = null;
        }
        else
        {
            if (cert == null || key == null || ca == null)
            {
                throw new IllegalArgumentException("--cert, --key and --ca are required (mutual TLS), or --plaintext on loopback");
            }
            tls = TlsContexts.server(new TlsFiles(cert, key, ca), true);
        }
        final SensorRegistry registry = sensors == null ? SensorRegistry.open() : SensorRegistry.load(sensors);
        final long frame = io.nightjar.wire.tls.Units.parseSize("--max-frame", maxFrame);
        if (frame > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("--max-frame: at most 2g");
        }
        final int idle = (int)Math.max(1, io.nightjar.wire.tls.Units.parseDuration("--idle-timeout", idleTimeout).toSeconds());
        final Tokens apiTokens = tokens == null ? null : Tokens.load(tokens);
        final CryptoPanKey exportKey = anonymizeKey == null ? null : CryptoPanKey.load(anonymizeKey);
        final Enricher enricher = noGeo ? Enricher.none() : Enricher.load(geo == null ? Enricher.defaultDirectory() : geo);
        final Aggregator.Settings settings = Aggregator.Settings.of(ingest.address(), api.address(), data, tls, registry)
            .withMaxFrame((int)frame).withIdleTimeout(idle).withTokens(apiTokens).withEnricher(enricher)
            .withStoreWriters(storeWriters == null ? Aggregator.Settings.defaultStoreWriters() : storeWriters)
            .withAnonymizeKey(exportKey);
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Aggregator aggregator;
        try
        {
            aggregator = new Aggregator(settings);
        }
        catch (final RuntimeException ex)
        {
            enricher.close();
            throw ex;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            LOG.info("aggregator: stopping (signal)");
            stop.countDown();
            try
            {
                stopped.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "nightjar-shutdown"));
        System.out.printf("aggregator ready: sensors %s, api and dashboard http://%s:%d/, store %s%s%n", aggregator.ingestAddress(),
            aggregator.httpAddress().getHostString(), aggregator.httpAddress().getPort(), aggregator.store().file(),
            tokens == null ? ", token in " + data.resolve(Aggregator.API_TOKEN_FILE) : "");
        System.out.flush();
        try
        {
            stop.await();
        }
        finally
        {
            aggregator.close();
            enricher.close();
            stopped.countDown();
        }
        return 0;
    }
}
