package io.nightjar.benchmarks.enrich;

import io.nightjar.aggregator.enrich.Enricher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Source enrichment lookups over the real geo data ({@code ./nightjar geo-data}; {@code -p geo=DIR}
 * elsewhere): ASN alone (binary search of the primitive range arrays), country alone (MMDB tree walk
 * through maxmind-db's reader) and both, for random IPv4-mapped and IPv6 (2000::/3) addresses, one
 * thread. Operations per second = lookups per second. Loading time is in the setup's log line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EnricherBenchmark
{
    private static final int ADDRESSES = 1 << 16;

    /** Geo data directory; empty for the default cache. */
    @Param("")
    public String geo;

    /** {@code ipv4} (IPv4-mapped) or {@code ipv6}. */
    @Param({"ipv4", "ipv6"})
    public String family;

    private Enricher enricher;
    private byte[][] addresses;
    private int next;

    /** Loads the data and draws the addresses. */
    @Setup(Level.Trial)
    public void setUp()
    {
        enricher = Enricher.load(geo.isEmpty() ? Enricher.defaultDirectory() : Path.of(geo));
        if (enricher.isEmpty())
        {
            throw new IllegalStateException("no geo data: run ./nightjar geo-data");
        }
        final SplittableRandom rnd = new SplittableRandom(7);
        addresses = new byte[ADDRESSES][];
        for (int i = 0; i < ADDRESSES; i++)
        {
            final byte[] a = new byte[16];
            if (family.equals("ipv4"))
            {
                a[10] = (byte)0xff;
                a[11] = (byte)0xff;
                final int v = rnd.nextInt();
                a[12] = (byte)(v >>> 24);
                a[13] = (byte)(v >>> 16);
                a[14] = (byte)(v >>> 8);
                a[15] = (byte)v;
            }
            else
            {
                for (int b = 0; b < 16; b++)
                {
                    a[b] = (byte)rnd.nextInt(256);
                }
                a[0] = (byte)(0x20 | (a[0] & 0x1f)); // 2000::/3, where allocations are
                a[1] = (byte)(a[1] & 0x0f);           // and mostly the dense 2000::/12 to 2a00::/12 part
            }
            addresses[i] = a;
        }
    }

    /** Closes the country reader. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        enricher.close();
    }

    private byte[] nextAddress()
    {
        final byte[] a = addresses[next];
        next = (next + 1) & (ADDRESSES - 1);
        return a;
    }

    /** ASN lookup only. */
    @Benchmark
    public long asn()
    {
        return enricher.asn(nextAddress());
    }

    /** Country lookup only. */
    @Benchmark
    public Object country()
    {
        return enricher.country(nextAddress());
    }

    /** Country, ASN and AS name, as the store attributes a new source. */
    @Benchmark
    public Object lookup()
    {
        return enricher.lookup(nextAddress());
    }
}
