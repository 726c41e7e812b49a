package io.nightjar.benchmarks.traffic;

import io.nightjar.sensor.generate.PacketBuilder;

/**
 * A deterministic, seeded source of Ethernet frames that look like what a /16 darknet receives:
 * Internet background radiation, used by the benchmarks until (and alongside) the project's
 * traffic generator.
 *
 * <p>The mix, per packet (approximate shares):
 * <ul>
 *   <li>78% TCP SYN scans, 54 to 74 bytes: ZMap (IP ID 54321, no options, 54 B), masscan (IP ID
 *       derived from destination, port and sequence, 58 B with MSS), Mirai (sequence = destination,
 *       ports 23/2323) and OS-stack scanners (MSS, SACK-permitted, timestamps, window scale: 74 B);</li>
 *   <li>8% TCP backscatter (SYN-ACK and RST from a few thousand attacked servers);</li>
 *   <li>7% UDP probes (DNS, NTP, SNMP, SSDP, SIP, memcached, NetBIOS; 0 to 40 payload bytes);</li>
 *   <li>3% ICMP echo requests, 1% ICMP destination-unreachable backscatter quoting a packet
 *       "from" the darknet;</li>
 *   <li>1% IPv6 TCP SYNs to a /32 darknet; 2% IPv4 traffic to destinations outside the darknet.</li>
 * </ul>
 *
 * <p>Flow cardinality: sources are drawn from a population of {@value #SOURCES} with a heavy-tailed
 * (cubic) skew, so a few hundred scanners send most packets and a long tail sends a handful each;
 * most scanners stick to one port per campaign, some (masscan-style) sweep random ports, which is
 * what makes darknet flow tables large. Destinations are uniform over the /16. Packet times advance
 * by a uniform 0 to 80 µs step (about 25 000 packets/s, so 10M packets span about 400 s, seven
 * 60 s bins).
 *
 * <p>Not thread-safe; allocation-free per packet after construction (frames are copied out of one
 * reused {@link PacketBuilder}).
 */
public final class DarknetTraffic
{
    /** The IPv4 darknet the traffic targets, as a CIDR string. */
    public static final String DARKNET_V4 = "10.200.0.0/16";
    /** The IPv6 darknet, as a CIDR string. */
    public static final String DARKNET_V6 = "2001:db8::/32";
    /** The darknet option value for {@code nightjar summarize --darknet}. */
    public static final String DARKNET = DARKNET_V4 + "," + DARKNET_V6;
    /** Largest frame this source produces, bytes. */
    public static final int MAX_FRAME_BYTES = 128;
    /** Start time of the traffic: 2026-01-01T00:00:00Z, ns since the epoch. */
    public static final long START_NANOS = 1_767_225_600_000_000_000L;

    private static final int DARKNET_V4_BASE = (10 << 24) | (200 << 16);
    private static final long DARKNET_V6_HI = 0x2001_0db8_0000_0000L;
    private static final int SOURCES = 200_000;
    private static final int VICTIMS = 4_000;
    private static final int ZMAP_IP_ID = 54321;
    private static final int[] TCP_PORTS = {
        23, 22, 80, 443, 8080, 445, 3389, 2323, 5555, 8443, 81, 8000, 6379, 1433, 3306, 5900, 21, 25, 7547, 37215};
    private static final int[] UDP_PORTS = {53, 123, 161, 1900, 5060, 11211, 137, 19, 389, 5353};
    private static final int[] VICTIM_PORTS = {80, 443, 53, 25565, 27015, 22, 8080};

    private final PacketBuilder b = new PacketBuilder();
    private final PacketBuilder quoted = new PacketBuilder();
    private final byte[] payload = new byte[64];
    private long state;
    private long timeNanos = START_NANOS;

    /** @param seed any value; the same seed gives the same frames and times. */
    public DarknetTraffic(final long seed)
    {
        state = seed ^ 0x5DEECE66DL;
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = (byte)(0x41 + i % 26);
        }
    }

    /** Time of the frame last returned by {@link #next}, ns since the epoch. */
    public long timestampNanos()
    {
        return timeNanos;
    }

    /**
     * Writes the next frame (Ethernet, LINKTYPE 1) into {@code dst} at {@code off} and advances time.
     *
     * @return the frame length in bytes (at most {@link #MAX_FRAME_BYTES}).
     */
    public int next(final byte[] dst, final int off)
    {
        timeNanos += nextInt(81) * 1_000L; // 0 to 80 µs: about 25 000 packets/s
        final int r = nextInt(1000);
        final PacketBuilder p = b;
        if (r < 780)
        {
            tcpScan(p, r);
        }
        else if (r < 860)
        {
            tcpBackscatter(p);
        }
        else if (r < 930)
        {
            udpProbe(p);
        }
        else if (r < 960)
        {
            final int src = source(skewedSource());
            p.ipv4(src, darknetDestination()).ttl(ttl(src)).id(nextInt(65536)).icmp(8, 0)
                .echo(src & 0xffff, nextInt(65536)).payload(payload, 0, nextInt(3) * 16);
        }
        else if (r < 970)
        {
            icmpBackscatter(p);
        }
        else if (r < 980)
        {
            final long srcHi = 0x2400_0000_0000_0000L | ((long)skewedSource() << 16);
            p.ipv6(srcHi, 1, DARKNET_V6_HI, nextLong() & 0xffff_ffffL).hopLimit(57)
                .tcp(1024 + nextInt(64000), TCP_PORTS[nextInt(4)]).seq((int)nextLong()).flags(PacketBuilder.SYN).window(1024);
        }
        else
        {
            // leaked or misrouted traffic to a lit address next to the darknet
            final int src = source(skewedSource());
            p.ipv4(src, (10 << 24) | (201 << 16) | nextInt(65536)).ttl(ttl(src)).id(nextInt(65536))
                .tcp(1024 + nextInt(64000), 443).seq((int)nextLong()).flags(PacketBuilder.SYN).window(29200).mss(1460);
        }
        return p.writeTo(dst, off);
    }

    private void tcpScan(final PacketBuilder p, final int r)
    {
        final int s = skewedSource();
        final int src = source(s);
        final int dst = darknetDestination();
        final int kind = s & 7; // a source keeps its tool
        final int sport = 1024 + (int)(mix(s) & 0x7fff) + (kind == 1 ? 0 : nextInt(16));
        if (kind <= 2)
        {
            // ZMap: fixed IP ID, no options, one port per campaign (the source's), 54 bytes
            final int port = campaignPort(s);
            p.ipv4(src, dst).ttl(ttl(src)).id(ZMAP_IP_ID).tcp(sport, port).seq((int)nextLong())
                .flags(PacketBuilder.SYN).window(65535);
        }
        else if (kind <= 4)
        {
            // masscan: IP ID = dst ^ port ^ seq (low 16 bits); some sweep random ports; MSS option, 58 bytes
            final int port = (s & 8) != 0 ? 1 + nextInt(65535) : campaignPort(s);
            final int seq = (int)nextLong();
            p.ipv4(src, dst).ttl(ttl(src)).id((dst ^ port ^ seq) & 0xffff).tcp(sport, port).seq(seq)
                .flags(PacketBuilder.SYN).window(1024).mss(1460);
        }
        else if (kind == 5)
        {
            // Mirai: sequence = destination address, telnet ports
            p.ipv4(src, dst).ttl(ttl(src)).id(nextInt(65536)).tcp(sport, (r & 7) == 0 ? 2323 : 23).seq(dst)
                .flags(PacketBuilder.SYN).window(5840 + ((s & 0xf) << 4));
        }
        else
        {
            // an OS stack (nmap -sT, worms, crawlers): full option set, 74 bytes
            p.ipv4(src, dst).ttl(ttl(src)).id(nextInt(65536)).dontFragment(true).tcp(sport, campaignPort(s))
                .seq((int)nextLong()).flags(PacketBuilder.SYN).window(64240)
                .mss(1460).sackPermitted().timestamps((int)timeNanos, 0).nop().windowScale(7);
        }
    }

    private void tcpBackscatter(final PacketBuilder p)
    {
        final int v = nextInt(VICTIMS);
        final int victim = source(SOURCES + v);
        final int port = VICTIM_PORTS[v % VICTIM_PORTS.length];
        final boolean rst = (nextInt(4)) == 0;
        p.ipv4(victim, darknetDestination()).ttl(ttl(victim)).id(nextInt(65536))
            .tcp(port, 1024 + nextInt(64000)).seq((int)nextLong()).ack((int)nextLong())
            .flags(rst ? PacketBuilder.RST | PacketBuilder.ACK : PacketBuilder.SYN | PacketBuilder.ACK)
            .window(rst ? 0 : 29200);
        if (!rst)
        {
            p.mss(1460);
        }
    }

    private void udpProbe(final PacketBuilder p)
    {
        final int s = skewedSource();
        final int src = source(s);
        final int port = UDP_PORTS[(int)((mix(s) >>> 1) % UDP_PORTS.length)];
        p.ipv4(src, darknetDestination()).ttl(ttl(src)).id((s & 3) == 0 ? ZMAP_IP_ID : nextInt(65536))
            .udp(1024 + nextInt(64000), port).payload(payload, 0, nextInt(41));
    }

    private void icmpBackscatter(final PacketBuilder p)
    {
        final int v = nextInt(VICTIMS);
        final int router = source(SOURCES + VICTIMS + v);
        final int dark = darknetDestination();
        // the quoted packet went from the (spoofed) darknet address to a victim
        quoted.reset().rawIp().ipv4(dark, source(SOURCES + v)).ttl(1).tcp(1024 + nextInt(64000), 80)
            .flags(PacketBuilder.SYN);
        p.ipv4(router, dark).ttl(ttl(router)).id(nextInt(65536)).icmp(3, (v & 1) == 0 ? 3 : 13).quote(quoted, 28);
    }

    private int campaignPort(final int s)
    {
        final long h = mix(s * 31L + 7);
        // popular ports mostly; a tenth of the sources scan an arbitrary port
        return (h & 0xf) < 14 ? TCP_PORTS[(int)((h >>> 8) % TCP_PORTS.length)] : 1 + (int)((h >>> 16) % 65535);
    }

    /** A public-looking IPv4 address for source number {@code s} (never in 10/8). */
    private static int source(final int s)
    {
        final int a = (int)mix(s + 0x1234_5678L);
        final int first = 1 + ((a >>> 24) % 223);
        return ((first == 10 ? 11 : first) << 24) | (a & 0x00ff_ffff);
    }

    private static int ttl(final int src)
    {
        final int hops = 5 + (src & 0x1f);
        return ((src >>> 5) & 3) == 0 ? 128 - hops : ((src >>> 5) & 3) == 1 ? 255 - hops : 64 - hops;
    }

    private int skewedSource()
    {
        final double u = (nextLong() >>> 11) * 0x1.0p-53;
        return (int)(SOURCES * u * u * u);
    }

    private int darknetDestination()
    {
        return DARKNET_V4_BASE | nextInt(65536);
    }

    private long nextLong()
    {
        // SplitMix64: fast, good enough, deterministic
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    private int nextInt(final int bound)
    {
        return (int)(((nextLong() >>> 32) * bound) >>> 32);
    }

    private static long mix(final long v)
    {
        long z = v;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
