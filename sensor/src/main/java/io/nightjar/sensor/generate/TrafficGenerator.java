package io.nightjar.sensor.generate;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Cidr;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates deterministic, realistic darknet traffic as Ethernet frames into a {@link CaptureWriter}
 * and keeps a {@link GroundTruth} of what it meant to write. The same {@link Config} (seed included)
 * gives byte-identical output.
 *
 * <p>The mix, by share of packets (defaults): horizontal TCP SYN scanning by a few heavy sources
 * (25%), by many low-rate sources with Zipf-like port popularity (~20%), by ZMap-like sources
 * (IP ID 54321, 7%), Masscan-like sources (IP ID = (dst ^ dport ^ seq) &amp; 0xffff, 6%) and Mirai-like
 * bots (seq = dst, ports 23/2323, 8%); backscatter from spoofed-DoS victims (SYN-ACK, RST, RST-ACK,
 * ICMP echo replies, ICMP 3/11 errors quoting a header whose source is the darknet address, 12%);
 * UDP probes (53, 123, 161, 1900, 5060, ..., 9%); ICMP echo/timestamp requests (4%); other TCP
 * (ACK, FIN, NULL, Xmas; 1.5%); IPv4 fragments, GRE/ESP, ARP (0.5% each); IPv6 SYN, ICMPv6 echo,
 * UDP, echo replies and fragments (2%, only when an IPv6 darknet is configured); malformed
 * frames (0.1%: bad version, IHL &lt; 5, total length above the frame, truncated TCP header, all in
 * IPv4 frames). Independently of the class, 2% of frames carry an 802.1Q tag and 0.2% a QinQ pair;
 * 10% of short IP frames are zero-padded to 60 bytes as a NIC delivers them.
 *
 * <p>Intended classes follow {@link TrafficClass} exactly. Sources that are not planted tool
 * sources never match a tool fingerprint by chance (IDs and sequence numbers are nudged), so
 * per-packet fingerprint counts in the truth are exact.
 *
 * <p>Single-threaded: one thread calls {@link #run} once. Nothing is allocated per packet.
 * Timestamps are nanoseconds since the epoch, Poisson arrivals at {@link Config#rate}.
 */
public final class TrafficGenerator
{
    /** Default start of the capture: 2024-06-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2024-06-01T00:00:00Z");
    /** Default darknets: TEST-NET-2 (RFC 5737) and an IPv6 documentation prefix (RFC 3849). */
    public static final String DEFAULT_DARKNETS = "198.51.100.0/24,2001:db8:dead::/48";

    /** Progress callback, called on the generator thread every {@link #PROGRESS_EVERY} packets. */
    @FunctionalInterface
    public interface Progress
    {
        /** {@code done} packets of {@code total} have been written. */
        void onProgress(long done, long total);
    }

    /** Packets between progress callbacks. */
    public static final int PROGRESS_EVERY = 1 << 18;

    /**
     * Generator settings; set fluently, then {@link #conclude()} validates them once. Shares are
     * fractions of all packets (0..1).
     */
    public static final class Config
    {
        long packets = 1000;
        long seed = 1;
        final List<Cidr> v4 = new ArrayList<>();
        final List<Cidr> v6 = new ArrayList<>();
        long startNanos = DEFAULT_START.getEpochSecond() * 1_000_000_000L;
        double rate = 3000;
        int snaplen = PcapWriter.DEFAULT_SNAPLEN;
        double vlanShare = 0.02;
        double qinqShare = 0.002;
        double malformedShare = 0.001;
        double ipv6Share = 0.02;
        double paddedShare = 0.10;

        /** Number of packets to write (required, positive). */
        public Config packets(final long packets)
        {
            this.packets = packets;
            return this;
        }

        /** Seed of the SplittableRandom. */
        public Config seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        /** Darknet prefixes, comma-separated, IPv4 and/or IPv6; without an IPv6 prefix no IPv6 traffic is made. */
        public Config darknets(final String commaList)
        {
            v4.clear();
            v6.clear();
            for (final String part : commaList.split(","))
            {
                if (part.isBlank())
                {
                    continue;
                }
                final Cidr c = Cidr.parse(part);
                (c.isIpv4() ? v4 : v6).add(c);
            }
            return this;
        }

        /** Timestamp of the first packet. */
        public Config start(final Instant start)
        {
            this.startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
            return this;
        }

        /** Mean packets per second. */
        public Config rate(final double packetsPerSecond)
        {
            this.rate = packetsPerSecond;
            return this;
        }

        /** Snapshot length the writer cuts to; used for the captured-bytes count of the truth. */
        public Config snaplen(final int snaplen)
        {
            this.snaplen = snaplen;
            return this;
        }

        /** Share of frames with one 802.1Q tag. */
        public Config vlanShare(final double share)
        {
            this.vlanShare = share;
            return this;
        }

        /** Share of frames with a QinQ pair of tags. */
        public Config qinqShare(final double share)
        {
            this.qinqShare = share;
            return this;
        }

        /** Share of malformed frames. */
        public Config malformedShare(final double share)
        {
            this.malformedShare = share;
            return this;
        }

        /** Share of IPv6 packets (ignored without an IPv6 darknet). */
        public Config ipv6Share(final double share)
        {
            this.ipv6Share = share;
            return this;
        }

        /** Share of short IP frames zero-padded to 60 bytes. */
        public Config paddedShare(final double share)
        {
            this.paddedShare = share;
            return this;
        }

        /** Validates once; throws IllegalArgumentException naming the bad setting. */
        public Config conclude()
        {
            if (packets <= 0)
            {
                throw new IllegalArgumentException("packets must be positive, got " + packets);
            }
            if (v4.isEmpty())
            {
                throw new IllegalArgumentException("at least one IPv4 darknet prefix is needed");
            }
            for (final Cidr c : v4)
            {
                if (c.prefixLength() < 8)
                {
                    throw new IllegalArgumentException("IPv4 darknet " + c + " is larger than a /8");
                }
            }
            if (!(rate > 0) || Double.isInfinite(rate))
            {
                throw new IllegalArgumentException("rate must be positive, got " + rate);
            }
            if (snaplen <= 0)
            {
                throw new IllegalArgumentException("snaplen must be positive, got " + snaplen);
            }
            checkShare("vlan share", vlanShare);
            checkShare("qinq share", qinqShare);
            checkShare("vlan + qinq share", vlanShare + qinqShare);
            checkShare("malformed share", malformedShare);
            checkShare("ipv6 share", ipv6Share);
            checkShare("padded share", paddedShare);
            if (malformedShare + (v6.isEmpty() ? 0 : ipv6Share) > 0.5)
            {
                throw new IllegalArgumentException("malformed + ipv6 shares must leave room for IPv4 traffic");
            }
            return this;
        }

        private static void checkShare(final String name, final double v)
        {
            if (!(v >= 0 && v <= 1))
            {
                throw new IllegalArgumentException(name + " must be in 0..1, got " + v);
            }
        }

        String darknetText()
        {
            final StringBuilder sb = new StringBuilder();
            for (final Cidr c : v4)
            {
                sb.append(sb.length() == 0 ? "" : ",").append(c);
            }
            for (final Cidr c : v6)
            {
                sb.append(sb.length() == 0 ? "" : ",").append(c);
            }
            return sb.toString();
        }
    }

    // Kinds of packet the generator makes, each with one intended class.
    private static final int K_HEAVY = 0;
    private static final int K_LOWRATE = 1;
    private static final int K_ZMAP = 2;
    private static final int K_MASSCAN = 3;
    private static final int K_MIRAI = 4;
    private static final int K_SYNACK = 5;
    private static final int K_RST = 6;
    private static final int K_RSTACK = 7;
    private static final int K_ICMP_ERROR = 8;
    private static final int K_ECHO_REPLY = 9;
    private static final int K_UDP = 10;
    private static final int K_ICMP_PROBE = 11;
    private static final int K_TCP_OTHER = 12;
    private static final int K_FRAGMENT = 13;
    private static final int K_OTHER_PROTO = 14;
    private static final int K_ARP = 15;
    private static final int K_V6_SYN = 16;
    private static final int K_V6_ICMP = 17;
    private static final int K_V6_UDP = 18;
    private static final int K_V6_ECHO_REPLY = 19;
    private static final int K_V6_FRAGMENT = 20;
    private static final int K_MALFORMED = 21;
    private static final int KINDS = 22;

    private static final double[] IPV4_WEIGHTS = new double[KINDS];
    private static final double[] IPV6_WEIGHTS = new double[KINDS];

    static
    {
        IPV4_WEIGHTS[K_HEAVY] = 25;
        IPV4_WEIGHTS[K_LOWRATE] = 20;
        IPV4_WEIGHTS[K_ZMAP] = 7;
        IPV4_WEIGHTS[K_MASSCAN] = 6;
        IPV4_WEIGHTS[K_MIRAI] = 8;
        IPV4_WEIGHTS[K_SYNACK] = 5;
        IPV4_WEIGHTS[K_RST] = 2.5;
        IPV4_WEIGHTS[K_RSTACK] = 2.5;
        IPV4_WEIGHTS[K_ICMP_ERROR] = 1.5;
        IPV4_WEIGHTS[K_ECHO_REPLY] = 0.5;
        IPV4_WEIGHTS[K_UDP] = 9;
        IPV4_WEIGHTS[K_ICMP_PROBE] = 4;
        IPV4_WEIGHTS[K_TCP_OTHER] = 1.5;
        IPV4_WEIGHTS[K_FRAGMENT] = 0.5;
        IPV4_WEIGHTS[K_OTHER_PROTO] = 0.5;
        IPV4_WEIGHTS[K_ARP] = 0.5;
        IPV6_WEIGHTS[K_V6_SYN] = 60;
        IPV6_WEIGHTS[K_V6_ICMP] = 22;
        IPV6_WEIGHTS[K_V6_UDP] = 12;
        IPV6_WEIGHTS[K_V6_ECHO_REPLY] = 4;
        IPV6_WEIGHTS[K_V6_FRAGMENT] = 2;
    }

    /** TCP ports by scanning popularity, most popular first (Zipf-weighted). */
    private static final int[] POPULAR_PORTS = {
        23, 22, 80, 443, 445, 3389, 8080, 21, 25, 1433, 3306, 5900, 8443, 81, 8081, 2323, 5555, 7547, 6379,
        9200, 8888, 110, 143, 139, 135, 1723, 5432, 11211, 27017, 5060, 8000, 8088, 9000, 37215, 52869,
        60001, 2222, 4567, 9527, 10000, 1080, 3128, 5985, 6443, 2375, 7001, 8090, 9090, 88, 53, 111, 502,
        102, 20000, 47808, 1911, 2404, 4443, 5000, 49152,
    };
    private static final int[] HEAVY_PORTS = {23, 22, 80, 443, 445, 3389, 8080, 8443, 2323, 5555, 81, 8000};
    private static final int[] ZMAP_PORTS = {80, 443, 22, 8080, 7547, 3389, 21, 25};
    private static final int[] VICTIM_PORTS = {80, 443, 53, 22, 25, 8080, 3389, 6667, 27015, 5222};
    private static final int[] UDP_PORTS = {53, 123, 161, 1900, 5060, 137, 11211, 19, 389, 27015, 500, 5353, 33434, 3702};
    private static final byte[][] UDP_PAYLOADS = new byte[UDP_PORTS.length][];
    private static final byte[] GRE_BODY;
    private static final byte[] ESP_BODY = new byte[32];
    private static final byte[] FRAGMENT_BODY = new byte[24];

    static
    {
        UDP_PAYLOADS[0] = hex("a1b2 0100 0001 0000 0000 0001 0765 7861 6d70 6c65 0363 6f6d 0000 ff00 0100 0029 1000 0000 0000 0000");
        UDP_PAYLOADS[1] = new byte[48];
        UDP_PAYLOADS[1][0] = (byte)0xe3;
        UDP_PAYLOADS[2] = hex("3026 0201 0104 0670 7562 6c69 63a0 1902 0411 2233 4402 0100 0201 0030 0b30 0906 052b 0601 0201 0500");
        UDP_PAYLOADS[3] = ascii("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n");
        UDP_PAYLOADS[4] = ascii("OPTIONS sip:100@198.51.100.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\nMax-Forwards: 70\r\n"
            + "To: <sip:100@198.51.100.1>\r\nFrom: <sip:100@10.0.0.1>;tag=1\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n");
        UDP_PAYLOADS[5] = hex("e5d8 0000 0001 0000 0000 0000 2043 4b41 4141 4141 4141 4141 4141 4141 4141 4141 4141 4141 4141 4141 4141 4141 4100 0021 0001");
        UDP_PAYLOADS[6] = hex("0001 0000 0001 0000 7374 6174 730d 0a");
        UDP_PAYLOADS[7] = new byte[1];
        UDP_PAYLOADS[8] = hex("3084 0000 002d 0201 0163 8400 0000 2404 000a 0100 0a01 0002 0100 0201 0001 0100 8700 0b6f 626a 6563 7463 6c61 7373 3084 0000 0000");
        UDP_PAYLOADS[9] = hex("ffff ffff 5453 6f75 7263 6520 456e 6769 6e65 2051 7565 7279 00");
        UDP_PAYLOADS[10] = new byte[36];
        UDP_PAYLOADS[11] = hex("0000 0000 0001 0000 0000 0000 095f 7365 7276 6963 6573 075f 646e 732d 7364 045f 7564 7005 6c6f 6361 6c00 000c 0001");
        UDP_PAYLOADS[12] = new byte[0];
        UDP_PAYLOADS[13] = ascii("<?xml version=\"1.0\"?><Probe/>");
        final PacketBuilder inner = new PacketBuilder().rawIp()
            .ipv4(PacketBuilder.parseIpv4("10.1.1.1"), PacketBuilder.parseIpv4("10.2.2.2")).tcp(1025, 80);
        final byte[] innerPacket = inner.build();
        GRE_BODY = new byte[4 + innerPacket.length];
        GRE_BODY[2] = 0x08;
        System.arraycopy(innerPacket, 0, GRE_BODY, 4, innerPacket.length);
        final SplittableRandom fixed = new SplittableRandom(0x5eed);
        for (int i = 0; i < ESP_BODY.length; i++)
        {
            ESP_BODY[i] = (byte)fixed.nextInt(256);
        }
        for (int i = 0; i < FRAGMENT_BODY.length; i++)
        {
            FRAGMENT_BODY[i] = (byte)fixed.nextInt(256);
        }
    }

    private static final int ZMAP_ID = 54321;
    private static final long SENSOR_MAC = 0x02_4e_4a_00_00_01L;
    private static final long ROUTER_MAC = 0x02_4e_4a_00_00_feL;
    private static final long BROADCAST_MAC = 0xffff_ffff_ffffL;
    private static final int LOWRATE_POOL = 50_000;
    private static final int HEAVY = 12;
    private static final int ZMAP = 6;
    private static final int MASSCAN = 5;
    private static final int MIRAI = 200;
    private static final int VICTIMS = 40;
    private static final int ROUTERS = 30;
    private static final int PINGERS = 8;
    private static final int V6_SOURCES = 500;

    private final Config config;
    private final SplittableRandom rng;
    private final PacketBuilder b = new PacketBuilder();
    private final PacketBuilder inner = new PacketBuilder();
    private final GroundTruth truth = new GroundTruth();
    private final double[] kindCumulative = new double[KINDS];
    private final double[] portCumulative = new double[POPULAR_PORTS.length];
    private final double[] victimCumulative = new double[VICTIMS];

    private final int[] v4Net;
    private final long[] v4Size;
    private final double[] v4Cumulative;
    private final long[] v6NetHi;
    private final long[] v6NetLo;
    private final long[] v6MaskHi;
    private final long[] v6MaskLo;

    private final int[] heavy = new int[HEAVY];
    private final int[][] heavyPorts = new int[HEAVY][];
    private final long[] heavyPackets = new long[HEAVY];
    private final int[] zmap = new int[ZMAP];
    private final int[] mirai = new int[MIRAI];
    private final int[] masscan = new int[MASSCAN];
    private final long[][] toolPackets = {new long[ZMAP], new long[MASSCAN], new long[MIRAI]};
    private final int[] victims = new int[VICTIMS];
    private final long[] victimPackets = new long[VICTIMS];
    private final int[] routers = new int[ROUTERS];
    private final int[] pingers = new int[PINGERS];
    private final int[] lowrate = new int[LOWRATE_POOL];
    private final long[] v6SrcHi = new long[V6_SOURCES];
    private final long[] v6SrcLo = new long[V6_SOURCES];

    // per-packet scratch, set by build methods
    private int family;
    private int malformedKind;
    private long dstHi;
    private long dstLo;

    /** Prepares source pools from the seed; {@code config} is concluded here. */
    public TrafficGenerator(final Config config)
    {
        this.config = config.conclude();
        this.rng = new SplittableRandom(config.seed);

        v4Net = new int[config.v4.size()];
        v4Size = new long[config.v4.size()];
        v4Cumulative = new double[config.v4.size()];
        double sum = 0;
        for (int i = 0; i < v4Net.length; i++)
        {
            v4Net[i] = config.v4.get(i).ipv4Network();
            v4Size[i] = config.v4.get(i).addressCount();
            sum += v4Size[i];
            v4Cumulative[i] = sum;
        }
        v6NetHi = new long[config.v6.size()];
        v6NetLo = new long[config.v6.size()];
        v6MaskHi = new long[config.v6.size()];
        v6MaskLo = new long[config.v6.size()];
        for (int i = 0; i < v6NetHi.length; i++)
        {
            final Cidr c = config.v6.get(i);
            final int len = c.prefixLength();
            v6NetHi[i] = c.networkHi();
            v6NetLo[i] = c.networkLo();
            v6MaskHi[i] = len >= 64 ? -1L : (len == 0 ? 0L : -1L << (64 - len));
            v6MaskLo[i] = len <= 64 ? 0L : (len == 128 ? -1L : -1L << (128 - len));
        }

        final double v6 = config.v6.isEmpty() ? 0 : config.ipv6Share;
        final double v4 = 1 - v6 - config.malformedShare;
        double v4Total = 0;
        for (final double w : IPV4_WEIGHTS)
        {
            v4Total += w;
        }
        double v6Total = 0;
        for (final double w : IPV6_WEIGHTS)
        {
            v6Total += w;
        }
        double c = 0;
        for (int k = 0; k < KINDS; k++)
        {
            c += v4 * IPV4_WEIGHTS[k] / v4Total + v6 * IPV6_WEIGHTS[k] / v6Total + (k == K_MALFORMED ? config.malformedShare : 0);
            kindCumulative[k] = c;
        }
        for (int k = KINDS - 1; k >= 0; k--)
        {
            // the last kind with a non-zero share takes the rounding slack, so u < 1 always lands
            if (k == 0 || kindCumulative[k] > kindCumulative[k - 1])
            {
                kindCumulative[k] = Double.POSITIVE_INFINITY;
                break;
            }
        }
        c = 0;
        for (int i = 0; i < POPULAR_PORTS.length; i++)
        {
            c += 1.0 / Math.pow(i + 1, 1.1);
            portCumulative[i] = c;
        }
        c = 0;
        for (int i = 0; i < VICTIMS; i++)
        {
            c += 1.0 / (i + 1);
            victimCumulative[i] = c;
        }
        planSources();
        fillHeader();
    }

    private void planSources()
    {
        final Set<Integer> used = new HashSet<>();
        fillPool(heavy, used);
        fillPool(zmap, used);
        fillPool(masscan, used);
        fillPool(mirai, used);
        fillPool(victims, used);
        fillPool(routers, used);
        fillPool(pingers, used);
        fillPool(lowrate, used);
        for (int i = 0; i < HEAVY; i++)
        {
            final int n = 1 + rng.nextInt(4);
            heavyPorts[i] = new int[n];
            final int first = rng.nextInt(HEAVY_PORTS.length);
            for (int j = 0; j < n; j++)
            {
                heavyPorts[i][j] = HEAVY_PORTS[(first + j * 5) % HEAVY_PORTS.length];
            }
        }
        for (int i = 0; i < V6_SOURCES; i++)
        {
            long hi;
            do
            {
                hi = 0x2000_0000_0000_0000L | (rng.nextLong() & 0x0fff_ffff_ffff_ffffL);
            }
            while (inV6Darknet(hi) || (hi >>> 32) == 0x2001_0db8L);
            v6SrcHi[i] = hi;
            v6SrcLo[i] = i % 3 == 0 ? 1 + rng.nextInt(1000) : rng.nextLong();
        }
    }

    private boolean inV6Darknet(final long hi)
    {
        for (int i = 0; i < v6NetHi.length; i++)
        {
            if ((hi & v6MaskHi[i]) == v6NetHi[i])
            {
                return true;
            }
        }
        return false;
    }

    private void fillPool(final int[] pool, final Set<Integer> used)
    {
        for (int i = 0; i < pool.length; i++)
        {
            int a;
            do
            {
                a = rng.nextInt();
            }
            while (!isPublic(a) || inV4Darknet(a) || !used.add(a));
            pool[i] = a;
        }
    }

    private boolean inV4Darknet(final int a)
    {
        for (int i = 0; i < v4Net.length; i++)
        {
            final int hostMask = (int)(v4Size[i] - 1);
            if (((a ^ v4Net[i]) & ~hostMask) == 0)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isPublic(final int a)
    {
        final int o1 = a >>> 24;
        final int o2 = (a >>> 16) & 0xff;
        return o1 != 0 && o1 != 10 && o1 != 127 && o1 < 224
            && !(o1 == 100 && (o2 & 0xc0) == 64)
            && !(o1 == 169 && o2 == 254)
            && !(o1 == 172 && (o2 & 0xf0) == 16)
            && !(o1 == 192 && o2 == 168)
            && !(o1 == 192 && o2 == 0)
            && !(o1 == 198 && (o2 & 0xfe) == 18)
            && !(o1 == 198 && o2 == 51)
            && !(o1 == 203 && o2 == 0);
    }

    private void fillHeader()
    {
        final Map<String, Object> h = truth.header;
        h.put("generator", "nightjar generate");
        h.put("format_version", 1);
        h.put("seed", config.seed);
        h.put("darknets", config.darknetText());
        h.put("start", Instant.ofEpochSecond(0, config.startNanos).toString());
        h.put("rate_pps", config.rate);
        h.put("snaplen", config.snaplen);
        h.put("link_type", LinkType.ETHERNET);
    }

    /**
     * Writes {@code config.packets} frames to {@code out} (which the caller closes) and returns the
     * ground truth. {@code progress} may be null.
     */
    public GroundTruth run(final CaptureWriter out, final Progress progress) throws IOException
    {
        final long total = config.packets;
        final double meanGapNanos = 1e9 / config.rate;
        final int snaplen = config.snaplen;
        final double vlan = config.vlanShare;
        final double qinq = config.vlanShare + config.qinqShare;
        final double padded = config.paddedShare;
        final GroundTruth t = truth;
        long ts = config.startNanos;
        for (long i = 0; i < total; i++)
        {
            if (i > 0)
            {
                ts += (long)(-Math.log(1.0 - rng.nextDouble()) * meanGapNanos);
            }
            b.reset().ethernet(SENSOR_MAC, ROUTER_MAC);
            final double u = rng.nextDouble();
            if (u < vlan)
            {
                b.vlan(100 + 100 * rng.nextInt(3));
                t.dot1q++;
            }
            else if (u < qinq)
            {
                b.qinq(1000, 100 + rng.nextInt(4));
                t.qinq++;
            }
            final int cls = buildOne(pickKind());
            int len = b.assemble();
            if (len < 60 && family != GroundTruth.FAMILY_NONE && rng.nextDouble() < padded)
            {
                len = b.padTo(60).assemble();
                t.padded++;
            }
            out.write(ts, b.frameArray(), 0, len);
            t.packets++;
            t.wireBytes += len;
            t.capturedBytes += Math.min(len, snaplen);
            t.classByFamily[family][cls]++;
            if (family != GroundTruth.FAMILY_NONE)
            {
                final byte[] f = b.frameArray();
                final int ip = b.ipOffset();
                t.frameByProto[family][f[ip + (family == GroundTruth.FAMILY_IPV4 ? 9 : 6)] & 0xff]++;
                if (cls != TrafficClass.MALFORMED.id())
                {
                    t.ipBytes += b.ipLength();
                }
                else
                {
                    t.malformed[malformedKind]++;
                }
            }
            if (progress != null && ((i + 1) & (PROGRESS_EVERY - 1)) == 0)
            {
                progress.onProgress(i + 1, total);
            }
        }
        finishTruth(ts);
        return truth;
    }

    private void finishTruth(final long lastTs)
    {
        truth.header.put("end", Instant.ofEpochSecond(0, lastTs).toString());
        final int[][] pools = {zmap, masscan, mirai};
        for (final ScannerTool tool : ScannerTool.all())
        {
            final int[] pool = pools[tool.ordinal()];
            final long[] counts = toolPackets[tool.ordinal()];
            for (int i = 0; i < pool.length; i++)
            {
                final Map<String, Object> s = new LinkedHashMap<>();
                s.put("src", PacketBuilder.formatIpv4(pool[i]));
                s.put("packets", counts[i]);
                // every packet of a planted source is in the rule's scope and matches
                s.put("attributable", ScannerTool.attributes(counts[i], counts[i]));
                truth.toolSources.get(tool.ordinal()).add(s);
            }
        }
        for (int i = 0; i < HEAVY; i++)
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("src", PacketBuilder.formatIpv4(heavy[i]));
            s.put("packets", heavyPackets[i]);
            s.put("ports", Arrays.stream(heavyPorts[i]).boxed().toArray());
            truth.heavySources.add(s);
        }
        for (int i = 0; i < VICTIMS; i++)
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("src", PacketBuilder.formatIpv4(victims[i]));
            s.put("port", VICTIM_PORTS[i % VICTIM_PORTS.length]);
            s.put("packets", victimPackets[i]);
            truth.victims.add(s);
        }
    }

    /** The truth kept so far (complete after {@link #run}). */
    public GroundTruth truth()
    {
        return truth;
    }

    private int pickKind()
    {
        final double u = rng.nextDouble();
        final double[] c = kindCumulative;
        int k = 0;
        while (u >= c[k])
        {
            k++;
        }
        return k;
    }

    private int buildOne(final int kind)
    {
        switch (kind)
        {
            case K_HEAVY:
                return heavySyn();
            case K_LOWRATE:
                return lowRateSyn();
            case K_ZMAP:
                return zmapSyn();
            case K_MASSCAN:
                return masscanSyn();
            case K_MIRAI:
                return miraiSyn();
            case K_SYNACK:
                return tcpBackscatter(PacketBuilder.SYN | PacketBuilder.ACK);
            case K_RST:
                return tcpBackscatter(PacketBuilder.RST);
            case K_RSTACK:
                return tcpBackscatter(PacketBuilder.RST | PacketBuilder.ACK);
            case K_ICMP_ERROR:
                return icmpError();
            case K_ECHO_REPLY:
                return echoReply();
            case K_UDP:
                return udpProbe();
            case K_ICMP_PROBE:
                return icmpProbe();
            case K_TCP_OTHER:
                return tcpOther();
            case K_FRAGMENT:
                return fragment();
            case K_OTHER_PROTO:
                return otherProto();
            case K_ARP:
                return arp();
            case K_V6_SYN:
                return v6Syn();
            case K_V6_ICMP:
                return v6Icmp(128, TrafficClass.ICMP_PROBE);
            case K_V6_UDP:
                return v6Udp();
            case K_V6_ECHO_REPLY:
                return v6Icmp(129, TrafficClass.BACKSCATTER);
            case K_V6_FRAGMENT:
                return v6Fragment();
            default:
                return malformed();
        }
    }

    // ---------------------------------------------------------------------------- IPv4 helpers

    private int darknetV4()
    {
        int i = 0;
        if (v4Net.length > 1)
        {
            final double u = rng.nextDouble() * v4Cumulative[v4Cumulative.length - 1];
            while (u >= v4Cumulative[i] && i < v4Net.length - 1)
            {
                i++;
            }
        }
        return v4Net[i] + (int)rng.nextLong(v4Size[i]);
    }

    private int ephemeralPort()
    {
        return 1024 + rng.nextInt(64512);
    }

    private int popularPort()
    {
        if (rng.nextInt(100) < 15)
        {
            return 1 + rng.nextInt(65535);
        }
        final double u = rng.nextDouble() * portCumulative[portCumulative.length - 1];
        final int i = Arrays.binarySearch(portCumulative, u);
        return POPULAR_PORTS[Math.min(i >= 0 ? i : -i - 1, POPULAR_PORTS.length - 1)];
    }

    /** A random IPv4 ID that does not carry the ZMap fingerprint. */
    private int plainId()
    {
        final int id = rng.nextInt(65536);
        return id == ZMAP_ID ? id + 1 : id;
    }

    /** A SYN sequence number and ID pair that matches neither Masscan nor Mirai nor ZMap; returns the seq, sets the ID. */
    private int plainSeq(final int dst, final int dport)
    {
        int seq = rng.nextInt();
        while (seq == dst)
        {
            seq = rng.nextInt();
        }
        int id = rng.nextInt(65536);
        while (id == ZMAP_ID || id == ((dst ^ dport ^ seq) & 0xffff))
        {
            id = (id + 1) & 0xffff;
        }
        b.id(id);
        return seq;
    }

    /** Writes one of four common SYN option styles: none, MSS, Windows-like, Linux-like. */
    private void synOptions(final int style)
    {
        switch (style & 3)
        {
            case 1:
                b.mss(1460);
                break;
            case 2:
                b.mss(1460).nop().windowScale(8).nop().nop().sackPermitted();
                break;
            case 3:
                b.mss(1460).sackPermitted().timestamps(rng.nextInt(), 0).nop().windowScale(7);
                break;
            default:
                break;
        }
    }

    private static int ttlFor(final int src)
    {
        final int base = ((src >>> 5) % 3) == 0 ? 64 : ((src >>> 5) % 3) == 1 ? 128 : 255;
        return base - 5 - (src & 15);
    }

    // ---------------------------------------------------------------------------------- kinds

    private int heavySyn()
    {
        final int i = rng.nextInt(HEAVY);
        heavyPackets[i]++;
        final int src = heavy[i];
        final int dst = darknetV4();
        final int[] ports = heavyPorts[i];
        final int dport = ports[rng.nextInt(ports.length)];
        b.ipv4(src, dst).ttl(ttlFor(src)).dontFragment((i & 1) == 0);
        final int seq = plainSeq(dst, dport);
        b.tcp(ephemeralPort(), dport).seq(seq).window((i & 1) == 0 ? 29200 : 1024);
        synOptions(i & 3);
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.TCP_SCAN.id();
    }

    private int lowRateSyn()
    {
        final int src = lowrate[rng.nextInt(LOWRATE_POOL)];
        final int dst = darknetV4();
        final int dport = popularPort();
        b.ipv4(src, dst).ttl(ttlFor(src)).dontFragment(((src >>> 9) & 1) == 0);
        final int seq = plainSeq(dst, dport);
        b.tcp(ephemeralPort(), dport).seq(seq).window(((src >>> 11) & 1) == 0 ? 64240 : 65535);
        synOptions(src >>> 3);
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.TCP_SCAN.id();
    }

    private int zmapSyn()
    {
        final int i = rng.nextInt(ZMAP);
        toolPackets[ScannerTool.ZMAP.ordinal()][i]++;
        truth.fingerprintPackets[ScannerTool.ZMAP.ordinal()]++;
        final int dst = darknetV4();
        final int dport = ZMAP_PORTS[i % ZMAP_PORTS.length];
        int seq = rng.nextInt();
        while (seq == dst || ((dst ^ dport ^ seq) & 0xffff) == ZMAP_ID)
        {
            seq = rng.nextInt();
        }
        b.ipv4(zmap[i], dst).ttl(255 - 5 - i).id(ZMAP_ID)
            .tcp(32768 + rng.nextInt(28232), dport).seq(seq).window(65535);
        if (i % 3 == 0)
        {
            b.mss(1460);
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.TCP_SCAN.id();
    }

    private int masscanSyn()
    {
        final int i = rng.nextInt(MASSCAN);
        toolPackets[ScannerTool.MASSCAN.ordinal()][i]++;
        truth.fingerprintPackets[ScannerTool.MASSCAN.ordinal()]++;
        final int dst = darknetV4();
        final int dport = HEAVY_PORTS[(i * 3 + rng.nextInt(4)) % HEAVY_PORTS.length];
        int seq = rng.nextInt();
        int id = (dst ^ dport ^ seq) & 0xffff;
        while (seq == dst || id == ZMAP_ID)
        {
            seq += 0x10001;
            id = (dst ^ dport ^ seq) & 0xffff;
        }
        b.ipv4(masscan[i], dst).ttl(255 - 10 - i).id(id)
            .tcp(40000 + rng.nextInt(20000), dport).seq(seq).window(1024);
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.TCP_SCAN.id();
    }

    private int miraiSyn()
    {
        final int i = rng.nextInt(MIRAI);
        toolPackets[ScannerTool.MIRAI.ordinal()][i]++;
        truth.fingerprintPackets[ScannerTool.MIRAI.ordinal()]++;
        final int dst = darknetV4();
        final int dport = rng.nextInt(10) == 0 ? 2323 : 23;
        int id = rng.nextInt(65536);
        while (id == ZMAP_ID || id == dport)
        {
            id = (id + 7) & 0xffff;
        }
        b.ipv4(mirai[i], dst).ttl(ttlFor(mirai[i])).id(id)
            .tcp(1024 + rng.nextInt(64000), dport).seq(dst).window(rng.nextInt(65536));
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.TCP_SCAN.id();
    }

    private int victim()
    {
        final double u = rng.nextDouble() * victimCumulative[VICTIMS - 1];
        final int i = Arrays.binarySearch(victimCumulative, u);
        final int v = Math.min(i >= 0 ? i : -i - 1, VICTIMS - 1);
        victimPackets[v]++;
        return v;
    }

    private int tcpBackscatter(final int flags)
    {
        final int v = victim();
        final int dst = darknetV4();
        b.ipv4(victims[v], dst).ttl(ttlFor(victims[v])).id(plainId()).dontFragment(true)
            .tcp(VICTIM_PORTS[v % VICTIM_PORTS.length], ephemeralPort()).flags(flags)
            .seq(flags == (PacketBuilder.RST | PacketBuilder.ACK) ? 0 : rng.nextInt())
            .ack((flags & PacketBuilder.ACK) != 0 ? rng.nextInt() : 0)
            .window(flags == PacketBuilder.RST ? 0 : (flags & PacketBuilder.SYN) != 0 ? 29200 : 0);
        if ((flags & PacketBuilder.SYN) != 0)
        {
            b.mss(1460);
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.BACKSCATTER.id();
    }

    private int icmpError()
    {
        final int darknetAddr = darknetV4();
        final int v = victim();
        final int victimAddr = victims[v];
        final boolean timeExceeded = rng.nextInt(4) == 0;
        final int from = timeExceeded ? routers[rng.nextInt(ROUTERS)] : victimAddr;
        inner.reset().rawIp().ipv4(darknetAddr, victimAddr).ttl(timeExceeded ? 1 : 40 + rng.nextInt(20)).id(rng.nextInt(65536));
        if (rng.nextBoolean())
        {
            inner.udp(ephemeralPort(), VICTIM_PORTS[v % VICTIM_PORTS.length]).payloadZeros(rng.nextInt(40));
        }
        else
        {
            inner.tcp(ephemeralPort(), VICTIM_PORTS[v % VICTIM_PORTS.length]).seq(rng.nextInt()).window(65535);
        }
        b.ipv4(from, darknetAddr).ttl(ttlFor(from)).id(plainId());
        if (timeExceeded)
        {
            b.icmp(11, 0);
        }
        else
        {
            final int r = rng.nextInt(3);
            b.icmp(3, r == 0 ? 1 : r == 1 ? 3 : 13);
        }
        b.quote(inner, 28);
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.BACKSCATTER.id();
    }

    private int echoReply()
    {
        final int v = victim();
        b.ipv4(victims[v], darknetV4()).ttl(ttlFor(victims[v])).id(plainId())
            .icmp(0, 0).echo(rng.nextInt(65536), rng.nextInt(65536)).payloadZeros(rng.nextInt(2) * 56);
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.BACKSCATTER.id();
    }

    private int udpProbe()
    {
        final int src = lowrate[rng.nextInt(LOWRATE_POOL)];
        final int p = rng.nextInt(UDP_PORTS.length);
        final int dport = UDP_PORTS[p] == 33434 ? 33434 + rng.nextInt(100) : UDP_PORTS[p];
        b.ipv4(src, darknetV4()).ttl(ttlFor(src)).id(plainId())
            .udp(dport == 123 && rng.nextBoolean() ? 123 : ephemeralPort(), dport).payload(UDP_PAYLOADS[p]);
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.UDP_PROBE.id();
    }

    private int icmpProbe()
    {
        final boolean pinger = rng.nextBoolean();
        final int src = pinger ? pingers[rng.nextInt(PINGERS)] : lowrate[rng.nextInt(LOWRATE_POOL)];
        b.ipv4(src, darknetV4()).ttl(ttlFor(src)).id(plainId());
        if (rng.nextInt(20) == 0)
        {
            b.icmp(13, 0).echo(rng.nextInt(65536), 0).payloadZeros(12);
        }
        else
        {
            b.icmp(8, 0).echo(rng.nextInt(65536), rng.nextInt(16)).payloadZeros(pinger ? 0 : 56);
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.ICMP_PROBE.id();
    }

    private int tcpOther()
    {
        final int src = lowrate[rng.nextInt(LOWRATE_POOL)];
        final int r = rng.nextInt(5);
        final int flags = r == 0 ? PacketBuilder.ACK
            : r == 1 ? PacketBuilder.FIN
            : r == 2 ? PacketBuilder.PSH | PacketBuilder.ACK
            : r == 3 ? 0
            : PacketBuilder.FIN | PacketBuilder.PSH | PacketBuilder.URG;
        b.ipv4(src, darknetV4()).ttl(ttlFor(src)).id(plainId())
            .tcp(ephemeralPort(), popularPort()).flags(flags).seq(rng.nextInt())
            .ack((flags & PacketBuilder.ACK) != 0 ? rng.nextInt() : 0).window(1024);
        if (r == 2)
        {
            b.payloadZeros(16);
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.TCP_OTHER.id();
    }

    private int fragment()
    {
        final int src = lowrate[rng.nextInt(LOWRATE_POOL)];
        b.ipv4(src, darknetV4()).ttl(ttlFor(src)).id(plainId());
        final int r = rng.nextInt(3);
        if (r == 0)
        {
            // first fragment of a UDP datagram: UDP header present, length describes the whole datagram
            b.moreFragments(true).udp(ephemeralPort(), 53).payload(FRAGMENT_BODY, 0, 16).udpLengthOverride(8 + 16 + 24);
        }
        else if (r == 1)
        {
            b.fragmentOffset(3).ipPayload(PacketBuilder.PROTO_UDP).payload(FRAGMENT_BODY);
        }
        else
        {
            b.moreFragments(true).fragmentOffset(185).ipPayload(PacketBuilder.PROTO_ICMP).payload(FRAGMENT_BODY, 0, 16);
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.FRAGMENT.id();
    }

    private int otherProto()
    {
        final int src = lowrate[rng.nextInt(LOWRATE_POOL)];
        b.ipv4(src, darknetV4()).ttl(ttlFor(src)).id(plainId());
        if (rng.nextBoolean())
        {
            b.ipPayload(PacketBuilder.PROTO_GRE).payload(GRE_BODY);
        }
        else
        {
            b.ipPayload(PacketBuilder.PROTO_ESP).payload(ESP_BODY, 0, 8 + 8 * (1 + rng.nextInt(3)));
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.OTHER.id();
    }

    private int arp()
    {
        final int target = darknetV4();
        b.macs(BROADCAST_MAC, ROUTER_MAC);
        b.arp(1, ROUTER_MAC, v4Net[0] + 1 == target ? v4Net[0] + 2 : v4Net[0] + 1, 0, target).padTo(60);
        family = GroundTruth.FAMILY_NONE;
        return TrafficClass.NON_IP.id();
    }

    private int malformed()
    {
        final int src = lowrate[rng.nextInt(LOWRATE_POOL)];
        final int dst = darknetV4();
        final int dport = popularPort();
        b.ipv4(src, dst).ttl(ttlFor(src));
        final int seq = plainSeq(dst, dport);
        b.tcp(ephemeralPort(), dport).seq(seq).window(1024);
        malformedKind = rng.nextInt(4);
        switch (malformedKind)
        {
            case GroundTruth.MALFORMED_BAD_VERSION:
            {
                final int[] versions = {0, 1, 5, 7, 9, 15};
                b.versionOverride(versions[rng.nextInt(versions.length)]);
                break;
            }
            case GroundTruth.MALFORMED_BAD_IHL:
                b.ihlOverride(rng.nextInt(5));
                break;
            case GroundTruth.MALFORMED_TOTAL_LENGTH:
                b.assemble();
                b.totalLengthOverride(b.ipLength() + 1 + rng.nextInt(400));
                break;
            default:
                b.truncateTransport(1 + rng.nextInt(19));
                break;
        }
        family = GroundTruth.FAMILY_IPV4;
        return TrafficClass.MALFORMED.id();
    }

    // --------------------------------------------------------------------------------- IPv6

    private void darknetV6()
    {
        final int i = v6NetHi.length == 1 ? 0 : rng.nextInt(v6NetHi.length);
        final long mh = v6MaskHi[i];
        final long ml = v6MaskLo[i];
        if (rng.nextBoolean())
        {
            // scanners favour low interface ids (::1, ::2, ...) in low subnets
            dstHi = v6NetHi[i] | (rng.nextInt(4) & ~mh);
            dstLo = v6NetLo[i] | ((1 + rng.nextInt(255)) & ~ml);
        }
        else
        {
            dstHi = v6NetHi[i] | (rng.nextLong() & ~mh);
            dstLo = v6NetLo[i] | (rng.nextLong() & ~ml);
        }
    }

    private void v6Header()
    {
        final int s = rng.nextInt(10) < 4 ? rng.nextInt(5) : rng.nextInt(V6_SOURCES);
        darknetV6();
        b.ipv6(v6SrcHi[s], v6SrcLo[s], dstHi, dstLo).hopLimit(ttlFor((int)v6SrcHi[s]));
    }

    private int v6Syn()
    {
        v6Header();
        b.tcp(ephemeralPort(), popularPort()).seq(rng.nextInt()).window(64800);
        synOptions(rng.nextInt(4));
        family = GroundTruth.FAMILY_IPV6;
        return TrafficClass.TCP_SCAN.id();
    }

    private int v6Icmp(final int type, final TrafficClass cls)
    {
        v6Header();
        b.icmpv6(type, 0).echo(rng.nextInt(65536), rng.nextInt(65536)).payloadZeros(rng.nextInt(2) * 16);
        family = GroundTruth.FAMILY_IPV6;
        return cls.id();
    }

    private int v6Udp()
    {
        v6Header();
        final int p = rng.nextInt(3);
        final int slot = p == 0 ? 0 : p == 1 ? 1 : 11;
        b.udp(ephemeralPort(), UDP_PORTS[slot]).payload(UDP_PAYLOADS[slot]);
        family = GroundTruth.FAMILY_IPV6;
        return TrafficClass.UDP_PROBE.id();
    }

    private int v6Fragment()
    {
        v6Header();
        b.fragmentHeader(0, true, rng.nextInt()).udp(ephemeralPort(), 53).payload(FRAGMENT_BODY, 0, 16);
        family = GroundTruth.FAMILY_IPV6;
        return TrafficClass.FRAGMENT.id();
    }

    // -------------------------------------------------------------------------------- static

    private static byte[] hex(final String s)
    {
        final String t = s.replace(" ", "");
        final byte[] out = new byte[t.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)Integer.parseInt(t.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
