package io.nightjar.benchmarks.ingest;

import io.netty.handler.ssl.SslContext;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.aggregator.enrich.Enricher;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * End-to-end ingest load: N simulated sensors (real TLS connections on loopback, each with its
 * own certificate) send BATCH frames of R flow records to an in-process aggregator with its real
 * DuckDB store, at a fixed offered rate or as fast as their window allows. ACK latency is measured
 * from each batch's intended send time (no coordinated omission) into an HdrHistogram.
 * Bounded in connections (≤ 200) and time.
 *
 * <pre>
 * usage: IngestLoad --pki DIR [--sensors 16] [--rows 8192] [--rate RECORDS_PER_S | 0] [--seconds 20] [--warmup 5] [--window 4]
 *        [--plaintext] [--geo DIR | --geo none | --geo off] [--find-max P99_MS] [--store-writers N]
 * </pre>
 * {@code --find-max 100}: searches the highest offered rate that one aggregator sustains with the p99
 * ACK latency under the bound and at least 97% of the offered records acknowledged: doubles from
 * {@code --rate} (default 50,000/s) until a step fails, then bisects three times; each step is a
 * fresh aggregator and store, {@code --warmup} + {@code --seconds} long. Prints one line per step and
 * the result.
 * {@code --geo}: source attribution with the geo data in DIR (default: the geo cache), {@code none}
 * (the {@code sources} table kept, every source unknown) or {@code off} (no {@code sources} upkeep at all).
 * The PKI directory comes from {@code deploy/certs/make-certs.sh} with sensors s1..sN.
 */
public final class IngestLoad
{
    private IngestLoad()
    {
    }

    /** The outcome of one run: acknowledged records/s, offered records/s (0: unthrottled), ACK latency. */
    record Result(double ackedPerSecond, long offered, Histogram latency)
    {
        double p99Millis()
        {
            return latency.getValueAtPercentile(99) / 1000.0;
        }
    }

    /** Entry point; prints one result line per measurement. */
    public static void main(final String[] args) throws Exception
    {
        Path pki = null;
        int sensors = 16;
        int rows = 8192;
        long rate = 0;
        int seconds = 20;
        int warmup = 5;
        int window = 4;
        boolean plaintext = false;
        String geo = Enricher.defaultDirectory().toString();
        double findMaxP99 = 0;
        int storeWriters = Aggregator.Settings.defaultStoreWriters();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--pki" -> pki = Path.of(args[++i]);
                case "--sensors" -> sensors = Integer.parseInt(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Long.parseLong(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--plaintext" -> plaintext = true;
                case "--store-writers" -> storeWriters = Integer.parseInt(args[++i]);
                case "--geo" -> geo = args[++i];
                case "--find-max" -> findMaxP99 = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (sensors < 1 || sensors > 200 || seconds > 600 || (pki == null && !plaintext))
        {
            throw new IllegalArgumentException("need --pki DIR (or --plaintext), 1..200 sensors, at most 600 s");
        }
        if (findMaxP99 <= 0)
        {
            run(pki, sensors, rows, rate, seconds, warmup, window, plaintext, geo, storeWriters);
            return;
        }
        long good = 0;
        long bad = -1;
        long step = rate > 0 ? rate : 50_000;
        Result best = null;
        for (int i = 0; i < 12 && (bad < 0 || (bad - good) > good / 8); i++)
        {
            final Result r = run(pki, sensors, rows, step, seconds, warmup, window, plaintext, geo, storeWriters);
            final boolean ok = r.p99Millis() < findMaxP99 && r.ackedPerSecond() >= 0.97 * step;
            System.out.printf("find-max: offered %,d records/s -> acknowledged %,.0f/s, p99 %.1f ms: %s%n", step, r.ackedPerSecond(),
                r.p99Millis(), ok ? "sustained" : "not sustained");
            if (ok)
            {
                good = step;
                best = r;
            }
            else
            {
                bad = step;
            }
            step = bad < 0 ? step * 2 : (good + bad) / 2;
        }
        System.out.printf("find-max: highest sustained rate with p99 ACK latency under %.0f ms: %,d records/s (%d connections, %d rows/batch)%s%n",
            findMaxP99, good, sensors, rows, best == null ? "" : String.format("; at that rate p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                best.latency().getValueAtPercentile(50) / 1000.0, best.p99Millis(), best.latency().getMaxValue() / 1000.0));
    }

    /** One run: a fresh aggregator and store, N connections, a fixed offered rate (0: as fast as the windows allow). */
    static Result run(final Path pki, final int sensors, final int rows, final long rate, final int seconds, final int warmup,
                      final int window, final boolean plaintext, final String geo, final int storeWriters) throws Exception
    {
        final Path data = Files.createTempDirectory("nightjar-ingest-load");
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        final SslContext serverTls = plaintext ? null
            : TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true);
        final Enricher enricher = geo.equals("off") ? null : geo.equals("none") ? Enricher.none() : Enricher.load(Path.of(geo));
        System.out.printf("geo: %s; store writer lanes: %d%n", enricher == null ? "off (no sources table upkeep)" : enricher.version(), storeWriters);
        final List<String> ids = new ArrayList<>();
        for (int s = 1; s <= sensors; s++)
        {
            ids.add("s" + s);
        }
        try (Aggregator agg = new Aggregator(Aggregator.Settings.of(any, null, data, serverTls, SensorRegistry.open()).withEnricher(enricher)
            .withStoreWriters(storeWriters));
             LoadSensors load = new LoadSensors(agg.ingestAddress(), ids, plaintext ? null : pki, rows))
        {
            final LoadSensors.Result r = load.drive(rate, window, warmup, seconds, () -> false);
            final Histogram h = r.latency();
            long stored;
            try (Connection c = agg.store().openReader(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM flows"))
            {
                rs.next();
                stored = rs.getLong(1);
            }
            System.out.printf("ingest-load: %d sensors, %s, %d rows/batch, window %d, offered %s: acknowledged %,.0f records/s over %d s;"
                    + " ACK latency from intended send time p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (%d batches); %,d rows in the store%n",
                sensors, plaintext ? "plaintext" : "mutual TLS (" + TlsContexts.provider() + ")", rows, window,
                rate <= 0 ? "unthrottled" : String.format("%,d records/s", rate), r.ackedPerSecond(), seconds,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0, h.getTotalCount(), stored);
            final Histogram commits = agg.metrics().commitMicros.getIntervalHistogram();
            System.out.printf("ingest-load: store writer: %d transactions, mean %.1f ms, p99 %.1f ms, busy %.0f%% of the run; %d pauses for back-pressure%n",
                commits.getTotalCount(), commits.getMean() / 1000, commits.getValueAtPercentile(99) / 1000.0,
                100.0 * commits.getMean() * commits.getTotalCount() / 1e6 / (seconds + warmup), agg.metrics().pauses.sum());
            return new Result(r.ackedPerSecond(), rate, h);
        }
        finally
        {
            try (var files = Files.walk(data))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

}
