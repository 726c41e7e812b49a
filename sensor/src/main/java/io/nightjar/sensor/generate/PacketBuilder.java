package io.nightjar.sensor.generate;

import io.nightjar.sensor.capture.LinkType;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable, fluent builder of link-layer frames for tests and the traffic generator: Ethernet II
 * (with 802.1Q / 802.1ad tags), Linux SLL and SLL2, raw IP, BSD NULL and OpenBSD LOOP framing around
 * IPv4 (with options, fragments) or IPv6 (with an extension-header chain) carrying TCP (with
 * options), UDP, ICMP, ICMPv6 or any other protocol's raw payload, or around non-IP payloads such
 * as ARP. Checksums (IPv4 header, TCP/UDP/ICMPv6 with their pseudo-headers, ICMP) are computed
 * unless overridden, and most header fields can be overridden to build malformed packets on purpose.
 *
 * <pre>{@code
 * PacketBuilder b = new PacketBuilder();
 * byte[] syn = b.reset().ethernet().vlan(100)
 *     .ipv4("192.0.2.7", "198.51.100.9").ttl(255).id(54321)
 *     .tcp(40000, 23).seq(0xc6336409).flags(PacketBuilder.SYN).window(1024).mss(1460)
 *     .build();
 * int len = b.writeTo(buffer, offset);              // same frame, into a caller's array, no allocation
 * }</pre>
 *
 * <p>Layers are chosen by calling one method per layer: a link method ({@link #ethernet()},
 * {@link #sll()}, {@link #sll2()}, {@link #rawIp()}, {@link #nullLoopback(ByteOrder)},
 * {@link #loop()}), a network method ({@link #ipv4(int, int)}, {@link #ipv6(byte[], byte[])},
 * {@link #arp}, {@link #etherPayload}), and a transport method ({@link #tcp}, {@link #udp},
 * {@link #icmp}, {@link #icmpv6}, {@link #ipPayload}). Each layer method resets that layer's fields
 * to their defaults, so a builder can be reused for the next packet without {@link #reset()};
 * field setters then apply to the layer they name. Defaults: Ethernet with MACs 02:00:00:00:00:02
 * (dst) and 02:00:00:00:00:01 (src), TTL/hop limit 64, IPv4 ID 0 with no flags, TCP flags
 * {@link #SYN} with window 65535 (like Scapy), no payload.
 *
 * <p>All multi-byte fields are written in network byte order (big-endian) except the BSD NULL
 * address family, written in the byte order given to {@link #nullLoopback(ByteOrder)}.
 * Lengths are in bytes unless a name says otherwise (IPv4 fragment offsets are in 8-byte units,
 * as on the wire).
 *
 * <p>Not thread-safe: one builder per thread. Frames are assembled in an internal 70 000-byte array;
 * {@link #writeTo(byte[], int)} and {@link #writeTo(ByteBuffer)} copy out without allocating
 * (the setters that take a {@code String} or build a new array allocate; the int / byte[] ones don't).
 * Payload arrays are referenced, not copied, until the frame is written.
 */
public final class PacketBuilder
{
    /** TCP flag FIN. */
    public static final int FIN = 0x01;
    /** TCP flag SYN. */
    public static final int SYN = 0x02;
    /** TCP flag RST. */
    public static final int RST = 0x04;
    /** TCP flag PSH. */
    public static final int PSH = 0x08;
    /** TCP flag ACK. */
    public static final int ACK = 0x10;
    /** TCP flag URG. */
    public static final int URG = 0x20;
    /** TCP flag ECE. */
    public static final int ECE = 0x40;
    /** TCP flag CWR. */
    public static final int CWR = 0x80;
    /** TCP flag NS (ECN nonce, the low bit of the data-offset byte). */
    public static final int NS = 0x100;

    /** IP protocol numbers used by the builder. */
    public static final int PROTO_ICMP = 1;
    /** IP protocol number of TCP. */
    public static final int PROTO_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int PROTO_UDP = 17;
    /** IP protocol number of GRE. */
    public static final int PROTO_GRE = 47;
    /** IP protocol number of ESP. */
    public static final int PROTO_ESP = 50;
    /** IP protocol number of ICMPv6. */
    public static final int PROTO_ICMPV6 = 58;
    /** IPv6 extension header: hop-by-hop options. */
    public static final int EXT_HOP_BY_HOP = 0;
    /** IPv6 extension header: routing. */
    public static final int EXT_ROUTING = 43;
    /** IPv6 extension header: fragment. */
    public static final int EXT_FRAGMENT = 44;
    /** IPv6 extension header: destination options. */
    public static final int EXT_DESTINATION_OPTIONS = 60;
    /** IPv6 "no next header". */
    public static final int NO_NEXT_HEADER = 59;

    /** Ethertype IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** Ethertype ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** Ethertype IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    /** TPID of an 802.1Q (customer) VLAN tag. */
    public static final int TPID_8021Q = 0x8100;
    /** TPID of an 802.1ad (service, QinQ outer) VLAN tag. */
    public static final int TPID_8021AD = 0x88a8;

    /** Largest frame the builder assembles, in bytes. */
    public static final int MAX_FRAME_BYTES = 70_000;

    private static final int NET_NONE = 0;
    private static final int NET_IPV4 = 4;
    private static final int NET_IPV6 = 6;
    private static final int NET_ETHER = 1;

    private static final int L4_NONE = 0;
    private static final int L4_TCP = 1;
    private static final int L4_UDP = 2;
    private static final int L4_ICMP = 3;
    private static final int L4_ICMPV6 = 4;
    private static final int L4_RAW = 5;

    private static final int MAX_TAGS = 4;
    private static final int MAX_EXT = 8;

    private final byte[] frame = new byte[MAX_FRAME_BYTES];
    private final byte[] quote = new byte[MAX_FRAME_BYTES];
    private final byte[] etherData = new byte[1500];

    // link
    private int link;
    private long dstMac;
    private long srcMac;
    private int tagCount;
    private final int[] tagTpid = new int[MAX_TAGS];
    private final int[] tagTci = new int[MAX_TAGS];
    private int sllPacketType;
    private int sllIfIndex;
    private ByteOrder nullOrder = ByteOrder.LITTLE_ENDIAN;
    private int nullFamilyV6;
    private int padTo;

    // network
    private int net;
    private int etherType;
    private int etherDataLen;
    private byte[] etherDataArr;
    private int etherDataOff;
    private int src4;
    private int dst4;
    private final byte[] src6 = new byte[16];
    private final byte[] dst6 = new byte[16];
    private int tos;
    private int flowLabel;
    private int ipId;
    private int ipFlags;
    private int fragOffset;
    private int ttl;
    private int protoOverride;
    private final byte[] ipOptions = new byte[40];
    private int ipOptLen;
    private int versionOverride;
    private int ihlOverride;
    private int totalLengthOverride;
    private int ipChecksumOverride;
    private int extCount;
    private final int[] extType = new int[MAX_EXT];
    private final int[] extOff = new int[MAX_EXT];
    private final int[] extLen = new int[MAX_EXT];
    private final byte[] extData = new byte[2048];
    private int extDataLen;
    private int routingFinalOff;

    // transport
    private int l4;
    private int rawProto;
    private int sport;
    private int dport;
    private int seq;
    private int ackNo;
    private int tcpFlags;
    private int window;
    private int urgent;
    private int dataOffsetOverride;
    private final byte[] tcpOptions = new byte[40];
    private int tcpOptLen;
    private int udpLengthOverride;
    private int icmpType;
    private int icmpCode;
    private int icmpRest;
    private int l4ChecksumOverride;
    private int l4Truncate;
    private byte[] payloadArr;
    private int payloadOff;
    private int payloadLen;

    private int ipStart;
    private int ipLength;

    /** A builder with the defaults of {@link #reset()}. */
    public PacketBuilder()
    {
        reset();
    }

    /** Resets every layer to the defaults: Ethernet, no network layer, no transport layer. */
    public PacketBuilder reset()
    {
        ethernet();
        nullOrder = ByteOrder.LITTLE_ENDIAN;
        nullFamilyV6 = 24;
        sllPacketType = 0;
        sllIfIndex = 1;
        net = NET_NONE;
        resetIp();
        l4 = L4_NONE;
        resetL4();
        return this;
    }

    // ------------------------------------------------------------------------------------- link

    /** Ethernet II with the default MACs and no VLAN tags ({@link LinkType#ETHERNET}). */
    public PacketBuilder ethernet()
    {
        return ethernet(0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L);
    }

    /** Ethernet II with MACs given as 48-bit values in the low bits of a long (0x0200_0000_0001 = 02:00:00:00:00:01). */
    public PacketBuilder ethernet(final long dstMac, final long srcMac)
    {
        this.link = LinkType.ETHERNET;
        this.dstMac = dstMac & 0xffff_ffff_ffffL;
        this.srcMac = srcMac & 0xffff_ffff_ffffL;
        this.tagCount = 0;
        this.padTo = 0;
        return this;
    }

    /** Changes the Ethernet MACs (48-bit values in longs) and keeps the tags and the rest of the frame. */
    public PacketBuilder macs(final long dstMac, final long srcMac)
    {
        this.dstMac = dstMac & 0xffff_ffff_ffffL;
        this.srcMac = srcMac & 0xffff_ffff_ffffL;
        return this;
    }

    /** Ethernet II with MACs given as 6-byte arrays. */
    public PacketBuilder ethernet(final byte[] dstMac, final byte[] srcMac)
    {
        return ethernet(macToLong(dstMac), macToLong(srcMac));
    }

    /** Adds an 802.1Q tag (TPID 0x8100, priority 0) with VLAN id {@code vid}; call again to stack tags, outermost first. */
    public PacketBuilder vlan(final int vid)
    {
        return vlanTag(TPID_8021Q, vid & 0xfff);
    }

    /** Adds an 802.1Q tag with priority code point {@code pcp} (0..7) and VLAN id {@code vid}. */
    public PacketBuilder vlan(final int pcp, final int vid)
    {
        return vlanTag(TPID_8021Q, ((pcp & 7) << 13) | (vid & 0xfff));
    }

    /** Adds a QinQ pair: an 802.1ad outer tag (TPID 0x88a8) with {@code outerVid}, then an 802.1Q inner tag with {@code innerVid}. */
    public PacketBuilder qinq(final int outerVid, final int innerVid)
    {
        vlanTag(TPID_8021AD, outerVid & 0xfff);
        return vlanTag(TPID_8021Q, innerVid & 0xfff);
    }

    /** Adds a raw tag with any TPID (e.g. 0x9100) and 16-bit TCI; at most four tags. */
    public PacketBuilder vlanTag(final int tpid, final int tci)
    {
        if (tagCount == MAX_TAGS)
        {
            throw new IllegalStateException("at most " + MAX_TAGS + " VLAN tags");
        }
        tagTpid[tagCount] = tpid & 0xffff;
        tagTci[tagCount] = tci & 0xffff;
        tagCount++;
        return this;
    }

    /** Pads the frame with zero bytes after the packet up to {@code minFrameBytes} (60 for Ethernet as received without FCS); 0 = no padding. */
    public PacketBuilder padTo(final int minFrameBytes)
    {
        this.padTo = minFrameBytes;
        return this;
    }

    /** Linux cooked capture v1 ({@link LinkType#LINUX_SLL}, 16 bytes), packet type 0 (to us), ARPHRD_ETHER, the source MAC as address. */
    public PacketBuilder sll()
    {
        this.link = LinkType.LINUX_SLL;
        this.tagCount = 0;
        this.padTo = 0;
        return this;
    }

    /** Linux cooked capture v2 ({@link LinkType#LINUX_SLL2}, 20 bytes), interface index {@link #sllInterfaceIndex}. */
    public PacketBuilder sll2()
    {
        this.link = LinkType.LINUX_SLL2;
        this.tagCount = 0;
        this.padTo = 0;
        return this;
    }

    /** SLL / SLL2 packet type: 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. */
    public PacketBuilder sllPacketType(final int packetType)
    {
        this.sllPacketType = packetType;
        return this;
    }

    /** SLL2 interface index. */
    public PacketBuilder sllInterfaceIndex(final int ifIndex)
    {
        this.sllIfIndex = ifIndex;
        return this;
    }

    /** Raw IP, no link header ({@link LinkType#RAW}); the version nibble tells IPv4 from IPv6. */
    public PacketBuilder rawIp()
    {
        this.link = LinkType.RAW;
        this.tagCount = 0;
        this.padTo = 0;
        return this;
    }

    /**
     * BSD NULL loopback ({@link LinkType#NULL}): a 4-byte address family in the writer's host byte
     * order: 2 for IPv4, {@link #nullIpv6Family} (default 24, also 28 and 30 are seen) for IPv6.
     */
    public PacketBuilder nullLoopback(final ByteOrder order)
    {
        this.link = LinkType.NULL;
        this.nullOrder = order;
        this.tagCount = 0;
        this.padTo = 0;
        return this;
    }

    /** The AF value written for IPv6 under BSD NULL / LOOP: 24 (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (macOS). */
    public PacketBuilder nullIpv6Family(final int af)
    {
        this.nullFamilyV6 = af;
        return this;
    }

    /** OpenBSD loopback ({@link LinkType#LOOP}): like NULL but the family is in network byte order. */
    public PacketBuilder loop()
    {
        this.link = LinkType.LOOP;
        this.tagCount = 0;
        this.padTo = 0;
        return this;
    }

    /** The LINKTYPE_* value of the frames being built, for the file writer. */
    public int linkType()
    {
        return link;
    }

    // ------------------------------------------------------------------------------- non-IP

    /**
     * An Ethernet/IPv4 ARP message (ethertype 0x0806, 28 bytes): {@code op} 1 request, 2 reply; MACs
     * as 48-bit longs, IPv4 addresses as ints. Clears any transport layer.
     */
    public PacketBuilder arp(final int op, final long senderMac, final int senderIp, final long targetMac, final int targetIp)
    {
        final byte[] d = etherData;
        put16(d, 0, 1);
        put16(d, 2, ETHERTYPE_IPV4);
        d[4] = 6;
        d[5] = 4;
        put16(d, 6, op);
        putMac(d, 8, senderMac);
        put32(d, 14, senderIp);
        putMac(d, 18, targetMac);
        put32(d, 24, targetIp);
        return etherPayload(ETHERTYPE_ARP, d, 0, 28);
    }

    /** Any non-IP payload behind ethertype {@code etherType} (referenced, not copied). Clears IP and transport layers. */
    public PacketBuilder etherPayload(final int etherType, final byte[] data, final int off, final int len)
    {
        this.net = NET_ETHER;
        this.etherType = etherType & 0xffff;
        this.etherDataArr = data;
        this.etherDataOff = off;
        this.etherDataLen = len;
        this.l4 = L4_NONE;
        return this;
    }

    /** {@link #etherPayload(int, byte[], int, int)} over a whole array. */
    public PacketBuilder etherPayload(final int etherType, final byte[] data)
    {
        return etherPayload(etherType, data, 0, data.length);
    }

    // ------------------------------------------------------------------------------------- IPv4

    /** IPv4 from {@code src} to {@code dst} (addresses as unsigned 32-bit values in ints); resets the IP fields. */
    public PacketBuilder ipv4(final int src, final int dst)
    {
        this.net = NET_IPV4;
        resetIp();
        this.src4 = src;
        this.dst4 = dst;
        return this;
    }

    /** IPv4 from dotted-quad strings. */
    public PacketBuilder ipv4(final String src, final String dst)
    {
        return ipv4(parseIpv4(src), parseIpv4(dst));
    }

    /** IPv4 identification (16 bits). */
    public PacketBuilder id(final int id)
    {
        this.ipId = id & 0xffff;
        return this;
    }

    /** Sets or clears IPv4 Don't Fragment. */
    public PacketBuilder dontFragment(final boolean df)
    {
        ipFlags = df ? ipFlags | 0x4000 : ipFlags & ~0x4000;
        return this;
    }

    /** Sets or clears IPv4 More Fragments. */
    public PacketBuilder moreFragments(final boolean mf)
    {
        ipFlags = mf ? ipFlags | 0x2000 : ipFlags & ~0x2000;
        return this;
    }

    /** Sets the three IPv4 flag bits directly (bit 2 reserved/"evil", bit 1 DF, bit 0 MF). */
    public PacketBuilder ipv4Flags(final int threeBits)
    {
        ipFlags = (threeBits & 7) << 13;
        return this;
    }

    /** IPv4 fragment offset in 8-byte units (0..8191). */
    public PacketBuilder fragmentOffset(final int units8)
    {
        this.fragOffset = units8 & 0x1fff;
        return this;
    }

    /** IPv4 type of service / IPv6 traffic class (DSCP and ECN). */
    public PacketBuilder tos(final int tos)
    {
        this.tos = tos & 0xff;
        return this;
    }

    /** IPv4 TTL or IPv6 hop limit. */
    public PacketBuilder ttl(final int ttl)
    {
        this.ttl = ttl & 0xff;
        return this;
    }

    /** IPv4 options (copied, zero-padded to a multiple of 4, at most 40 bytes); IHL follows unless overridden. */
    public PacketBuilder ipv4Options(final byte[] options)
    {
        if (options.length > 40)
        {
            throw new IllegalArgumentException("IPv4 options are at most 40 bytes, got " + options.length);
        }
        java.util.Arrays.fill(ipOptions, (byte)0);
        System.arraycopy(options, 0, ipOptions, 0, options.length);
        ipOptLen = (options.length + 3) & ~3;
        return this;
    }

    /** Overrides the IPv4 protocol field or the IPv6 last next-header value (the payload is still built by the transport method). */
    public PacketBuilder protocol(final int proto)
    {
        this.protoOverride = proto & 0xff;
        return this;
    }

    /** Malformed on purpose: writes this value into the IP version nibble (IPv4 or IPv6 header layout is kept). */
    public PacketBuilder versionOverride(final int version)
    {
        this.versionOverride = version & 0xf;
        return this;
    }

    /** Malformed on purpose: writes this value into the IPv4 IHL nibble (the header actually written is unchanged). */
    public PacketBuilder ihlOverride(final int ihl)
    {
        this.ihlOverride = ihl & 0xf;
        return this;
    }

    /** Malformed on purpose: writes this IPv4 total length (or IPv6 payload length) instead of the real one. */
    public PacketBuilder totalLengthOverride(final int length)
    {
        this.totalLengthOverride = length & 0xffff;
        return this;
    }

    /** Writes this IPv4 header checksum instead of the correct one. */
    public PacketBuilder ipChecksumOverride(final int checksum)
    {
        this.ipChecksumOverride = checksum & 0xffff;
        return this;
    }

    // ------------------------------------------------------------------------------------- IPv6

    /** IPv6 from {@code src} to {@code dst} (16-byte arrays, copied); resets the IP fields and the extension chain. */
    public PacketBuilder ipv6(final byte[] src, final byte[] dst)
    {
        this.net = NET_IPV6;
        resetIp();
        System.arraycopy(src, 0, src6, 0, 16);
        System.arraycopy(dst, 0, dst6, 0, 16);
        return this;
    }

    /** IPv6 from address literals. */
    public PacketBuilder ipv6(final String src, final String dst)
    {
        return ipv6(parseIpv6(src), parseIpv6(dst));
    }

    /** IPv6 from addresses given as (high, low) 64-bit halves, no allocation. */
    public PacketBuilder ipv6(final long srcHi, final long srcLo, final long dstHi, final long dstLo)
    {
        this.net = NET_IPV6;
        resetIp();
        put64(src6, 0, srcHi);
        put64(src6, 8, srcLo);
        put64(dst6, 0, dstHi);
        put64(dst6, 8, dstLo);
        return this;
    }

    /** IPv6 flow label (20 bits). */
    public PacketBuilder flowLabel(final int label)
    {
        this.flowLabel = label & 0xfffff;
        return this;
    }

    /** IPv6 hop limit (same field as {@link #ttl}). */
    public PacketBuilder hopLimit(final int hopLimit)
    {
        return ttl(hopLimit);
    }

    /** Appends a hop-by-hop options header (8 bytes, a PadN option). */
    public PacketBuilder hopByHop()
    {
        return optionsHeader(EXT_HOP_BY_HOP);
    }

    /** Appends a destination options header (8 bytes, a PadN option). */
    public PacketBuilder destinationOptions()
    {
        return optionsHeader(EXT_DESTINATION_OPTIONS);
    }

    /**
     * Appends a routing header of {@code routingType} with {@code segmentsLeft} and the given
     * 16-byte addresses (8 + 16n bytes). With addresses and segments left, the last address is the
     * final destination used in the transport pseudo-header.
     */
    public PacketBuilder routing(final int routingType, final int segmentsLeft, final byte[]... addresses)
    {
        final int off = beginExt(EXT_ROUTING, 8 + 16 * addresses.length);
        extData[off + 1] = (byte)(2 * addresses.length);
        extData[off + 2] = (byte)routingType;
        extData[off + 3] = (byte)segmentsLeft;
        for (int i = 0; i < addresses.length; i++)
        {
            System.arraycopy(addresses[i], 0, extData, off + 8 + 16 * i, 16);
        }
        if (addresses.length > 0 && segmentsLeft > 0)
        {
            routingFinalOff = off + 8 + 16 * (addresses.length - 1);
        }
        return this;
    }

    /** Appends a fragment header: offset in 8-byte units, the M (more fragments) flag, and the 32-bit identification. */
    public PacketBuilder fragmentHeader(final int offsetUnits8, final boolean more, final int identification)
    {
        final int off = beginExt(EXT_FRAGMENT, 8);
        put16(extData, off + 2, ((offsetUnits8 & 0x1fff) << 3) | (more ? 1 : 0));
        put32(extData, off + 4, identification);
        return this;
    }

    /** Appends any extension header as raw bytes (copied; byte 0, the next header, is filled in at build time). */
    public PacketBuilder extensionHeader(final int type, final byte[] bytes)
    {
        final int off = beginExt(type, bytes.length);
        System.arraycopy(bytes, 1, extData, off + 1, bytes.length - 1);
        return this;
    }

    // -------------------------------------------------------------------------------------- TCP

    /** TCP from {@code sport} to {@code dport}; resets TCP fields: seq 0, ack 0, flags SYN, window 65535, no options, no payload. */
    public PacketBuilder tcp(final int sport, final int dport)
    {
        this.l4 = L4_TCP;
        resetL4();
        this.sport = sport & 0xffff;
        this.dport = dport & 0xffff;
        return this;
    }

    /** TCP sequence number. */
    public PacketBuilder seq(final int seq)
    {
        this.seq = seq;
        return this;
    }

    /** TCP acknowledgement number. */
    public PacketBuilder ack(final int ack)
    {
        this.ackNo = ack;
        return this;
    }

    /** TCP flags, an OR of {@link #SYN}, {@link #ACK}, ... (9 bits with {@link #NS}). */
    public PacketBuilder flags(final int flags)
    {
        this.tcpFlags = flags & 0x1ff;
        return this;
    }

    /** TCP window. */
    public PacketBuilder window(final int window)
    {
        this.window = window & 0xffff;
        return this;
    }

    /** TCP urgent pointer. */
    public PacketBuilder urgentPointer(final int urgent)
    {
        this.urgent = urgent & 0xffff;
        return this;
    }

    /** Malformed on purpose: writes this TCP data offset (in 32-bit words) instead of the real one. */
    public PacketBuilder dataOffsetOverride(final int words)
    {
        this.dataOffsetOverride = words & 0xf;
        return this;
    }

    /** Appends TCP option MSS (kind 2, 4 bytes). */
    public PacketBuilder mss(final int mss)
    {
        final int o = beginTcpOption(4);
        tcpOptions[o] = 2;
        tcpOptions[o + 1] = 4;
        put16(tcpOptions, o + 2, mss);
        return this;
    }

    /** Appends TCP option window scale (kind 3, 3 bytes). */
    public PacketBuilder windowScale(final int shift)
    {
        final int o = beginTcpOption(3);
        tcpOptions[o] = 3;
        tcpOptions[o + 1] = 3;
        tcpOptions[o + 2] = (byte)shift;
        return this;
    }

    /** Appends TCP option SACK permitted (kind 4, 2 bytes). */
    public PacketBuilder sackPermitted()
    {
        final int o = beginTcpOption(2);
        tcpOptions[o] = 4;
        tcpOptions[o + 1] = 2;
        return this;
    }

    /** Appends TCP option timestamps (kind 8, 10 bytes). */
    public PacketBuilder timestamps(final int tsVal, final int tsEcr)
    {
        final int o = beginTcpOption(10);
        tcpOptions[o] = 8;
        tcpOptions[o + 1] = 10;
        put32(tcpOptions, o + 2, tsVal);
        put32(tcpOptions, o + 6, tsEcr);
        return this;
    }

    /** Appends TCP option NOP (kind 1). */
    public PacketBuilder nop()
    {
        tcpOptions[beginTcpOption(1)] = 1;
        return this;
    }

    /** Appends TCP option end of list (kind 0). */
    public PacketBuilder eol()
    {
        tcpOptions[beginTcpOption(1)] = 0;
        return this;
    }

    /** Appends raw TCP option bytes (copied). Options are zero-padded to a multiple of 4 at build time. */
    public PacketBuilder tcpOption(final byte[] raw)
    {
        System.arraycopy(raw, 0, tcpOptions, beginTcpOption(raw.length), raw.length);
        return this;
    }

    // -------------------------------------------------------------------------------------- UDP

    /** UDP from {@code sport} to {@code dport}; resets UDP fields, no payload. */
    public PacketBuilder udp(final int sport, final int dport)
    {
        this.l4 = L4_UDP;
        resetL4();
        this.sport = sport & 0xffff;
        this.dport = dport & 0xffff;
        return this;
    }

    /** Malformed on purpose: writes this UDP length instead of the real one (the checksum still uses the real length). */
    public PacketBuilder udpLengthOverride(final int length)
    {
        this.udpLengthOverride = length & 0xffff;
        return this;
    }

    // ----------------------------------------------------------------------------- ICMP, ICMPv6

    /** ICMP (over IPv4) of {@code type} and {@code code}; the 4 bytes after the checksum are 0 until set. */
    public PacketBuilder icmp(final int type, final int code)
    {
        this.l4 = L4_ICMP;
        resetL4();
        this.icmpType = type & 0xff;
        this.icmpCode = code & 0xff;
        return this;
    }

    /** ICMPv6 (over IPv6) of {@code type} and {@code code}; checksummed with the IPv6 pseudo-header. */
    public PacketBuilder icmpv6(final int type, final int code)
    {
        this.l4 = L4_ICMPV6;
        resetL4();
        this.icmpType = type & 0xff;
        this.icmpCode = code & 0xff;
        return this;
    }

    /** Echo (request or reply) identifier and sequence number: the 4 bytes after the ICMP checksum. */
    public PacketBuilder echo(final int id, final int seq)
    {
        this.icmpRest = ((id & 0xffff) << 16) | (seq & 0xffff);
        return this;
    }

    /** The 4 "rest of header" bytes after the ICMP checksum (unused, next-hop MTU, pointer, gateway...). */
    public PacketBuilder icmpRestOfHeader(final int rest)
    {
        this.icmpRest = rest;
        return this;
    }

    /**
     * Makes the ICMP/ICMPv6 payload the first {@code maxBytes} bytes of the IP packet that
     * {@code inner} describes (its link layer is ignored), as an error message quotes the offending
     * datagram: e.g. 28 for an IPv4 header plus 8 bytes, or as much as fits for ICMPv6. Copied now.
     */
    public PacketBuilder quote(final PacketBuilder inner, final int maxBytes)
    {
        inner.assemble();
        final int n = Math.min(maxBytes, inner.ipLength);
        System.arraycopy(inner.frame, inner.ipStart, quote, 0, n);
        return payload(quote, 0, n);
    }

    // ------------------------------------------------------------------------------ other / all

    /** Any IP protocol ({@code proto}, e.g. 47 GRE, 50 ESP) with a raw payload set by {@link #payload}; also for non-first fragments. */
    public PacketBuilder ipPayload(final int proto)
    {
        this.l4 = L4_RAW;
        resetL4();
        this.rawProto = proto & 0xff;
        return this;
    }

    /** Transport payload (referenced until the frame is written, not copied). */
    public PacketBuilder payload(final byte[] data, final int off, final int len)
    {
        this.payloadArr = data;
        this.payloadOff = off;
        this.payloadLen = len;
        return this;
    }

    /** Transport payload, a whole array (referenced). */
    public PacketBuilder payload(final byte[] data)
    {
        return payload(data, 0, data.length);
    }

    /** Transport payload of {@code len} zero bytes. */
    public PacketBuilder payloadZeros(final int len)
    {
        return payload(null, 0, len);
    }

    /** Writes this TCP/UDP/ICMP/ICMPv6 checksum instead of the correct one. */
    public PacketBuilder l4ChecksumOverride(final int checksum)
    {
        this.l4ChecksumOverride = checksum & 0xffff;
        return this;
    }

    /**
     * Malformed on purpose: keeps only the first {@code bytes} of the transport segment (header
     * included); the IP lengths describe the cut packet, so the transport header itself is truncated.
     * The checksum is the one of the uncut segment. (A capture snaplen cut is the file writer's job.)
     */
    public PacketBuilder truncateTransport(final int bytes)
    {
        this.l4Truncate = bytes;
        return this;
    }

    // ------------------------------------------------------------------------------------ output

    /** Frame length in bytes of the packet as currently described (assembles it). */
    public int length()
    {
        return assemble();
    }

    /** Assembles the frame and copies it into {@code dst} at {@code off}; returns its length. */
    public int writeTo(final byte[] dst, final int off)
    {
        final int len = assemble();
        System.arraycopy(frame, 0, dst, off, len);
        return len;
    }

    /** Assembles the frame and puts it at the buffer's position, advancing it; returns its length. */
    public int writeTo(final ByteBuffer dst)
    {
        final int len = assemble();
        dst.put(frame, 0, len);
        return len;
    }

    /** Assembles the frame into a new array. */
    public byte[] build()
    {
        final int len = assemble();
        return java.util.Arrays.copyOf(frame, len);
    }

    /**
     * Assembles the frame into the internal array and returns its length; the bytes are then
     * readable through {@link #frameArray()} until the next call. Offsets of the IP packet:
     * {@link #ipOffset()}, {@link #ipLength()}.
     */
    public int assemble()
    {
        final byte[] f = frame;
        int p = writeLink(f);
        ipStart = p;
        if (net == NET_ETHER)
        {
            if (etherDataArr == null)
            {
                java.util.Arrays.fill(f, p, p + etherDataLen, (byte)0);
            }
            else
            {
                System.arraycopy(etherDataArr, etherDataOff, f, p, etherDataLen);
            }
            p += etherDataLen;
            ipLength = 0;
        }
        else if (net == NET_IPV4)
        {
            p = writeIpv4(f, p);
        }
        else if (net == NET_IPV6)
        {
            p = writeIpv6(f, p);
        }
        else
        {
            ipLength = 0;
        }
        if (p < padTo)
        {
            java.util.Arrays.fill(f, p, padTo, (byte)0);
            p = padTo;
        }
        return p;
    }

    /** The internal frame array holding the last {@link #assemble()}d frame from index 0. */
    public byte[] frameArray()
    {
        return frame;
    }

    /** Offset of the IP header (or non-IP payload) in the last assembled frame. */
    public int ipOffset()
    {
        return ipStart;
    }

    /** Length of the IP packet (header + payload, as emitted) in the last assembled frame; 0 for non-IP. */
    public int ipLength()
    {
        return ipLength;
    }

    // ---------------------------------------------------------------------------------- helpers

    /** Parses a dotted-quad IPv4 address into an unsigned 32-bit value held in an int. */
    public static int parseIpv4(final String text)
    {
        final String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int v = 0;
        for (final String part : parts)
        {
            final int b;
            try
            {
                b = Integer.parseInt(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            if (b < 0 || b > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    /** Parses an IPv6 literal (no name lookup) into 16 bytes. */
    public static byte[] parseIpv6(final String text)
    {
        final String t = text.trim();
        if (t.indexOf(':') < 0 || !t.matches("[0-9A-Fa-f:.]+"))
        {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
        try
        {
            final byte[] b = InetAddress.getByName(t).getAddress();
            if (b.length == 16)
            {
                return b;
            }
            // an IPv4-mapped literal comes back as 4 bytes
            final byte[] m = new byte[16];
            m[10] = (byte)0xff;
            m[11] = (byte)0xff;
            System.arraycopy(b, 0, m, 12, 4);
            return m;
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
    }

    /** Formats an unsigned 32-bit IPv4 address held in an int as a dotted quad. */
    public static String formatIpv4(final int addr)
    {
        return ((addr >>> 24) & 0xff) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "." + (addr & 0xff);
    }

    private void resetIp()
    {
        src4 = 0;
        dst4 = 0;
        java.util.Arrays.fill(src6, (byte)0);
        java.util.Arrays.fill(dst6, (byte)0);
        tos = 0;
        flowLabel = 0;
        ipId = 0;
        ipFlags = 0;
        fragOffset = 0;
        ttl = 64;
        protoOverride = -1;
        ipOptLen = 0;
        versionOverride = -1;
        ihlOverride = -1;
        totalLengthOverride = -1;
        ipChecksumOverride = -1;
        extCount = 0;
        extDataLen = 0;
        routingFinalOff = -1;
    }

    private void resetL4()
    {
        seq = 0;
        ackNo = 0;
        tcpFlags = SYN;
        window = 65535;
        urgent = 0;
        dataOffsetOverride = -1;
        tcpOptLen = 0;
        udpLengthOverride = -1;
        icmpRest = 0;
        l4ChecksumOverride = -1;
        l4Truncate = -1;
        payloadArr = null;
        payloadOff = 0;
        payloadLen = 0;
    }

    private PacketBuilder optionsHeader(final int type)
    {
        final int off = beginExt(type, 8);
        extData[off + 1] = 0;
        extData[off + 2] = 1; // PadN
        extData[off + 3] = 4;
        return this;
    }

    private int beginExt(final int type, final int len)
    {
        if (net != NET_IPV6)
        {
            throw new IllegalStateException("extension headers need ipv6(...) first");
        }
        if (extCount == MAX_EXT || extDataLen + len > extData.length)
        {
            throw new IllegalStateException("too many IPv6 extension headers");
        }
        final int off = extDataLen;
        java.util.Arrays.fill(extData, off, off + len, (byte)0);
        extType[extCount] = type;
        extOff[extCount] = off;
        extLen[extCount] = len;
        extCount++;
        extDataLen += len;
        return off;
    }

    private int beginTcpOption(final int len)
    {
        if (tcpOptLen + len > 40)
        {
            throw new IllegalStateException("TCP options exceed 40 bytes");
        }
        final int o = tcpOptLen;
        tcpOptLen += len;
        return o;
    }

    private int linkFamilyOrType(final boolean familyNotEthertype)
    {
        if (!familyNotEthertype)
        {
            return net == NET_IPV4 ? ETHERTYPE_IPV4 : net == NET_IPV6 ? ETHERTYPE_IPV6 : etherType;
        }
        if (net == NET_IPV4)
        {
            return 2;
        }
        if (net == NET_IPV6)
        {
            return nullFamilyV6;
        }
        throw new IllegalStateException("BSD NULL/LOOP framing carries only IP");
    }

    private int writeLink(final byte[] f)
    {
        switch (link)
        {
            case LinkType.ETHERNET:
            {
                putMac(f, 0, dstMac);
                putMac(f, 6, srcMac);
                int p = 12;
                for (int i = 0; i < tagCount; i++)
                {
                    put16(f, p, tagTpid[i]);
                    put16(f, p + 2, tagTci[i]);
                    p += 4;
                }
                put16(f, p, linkFamilyOrType(false));
                return p + 2;
            }
            case LinkType.LINUX_SLL:
                put16(f, 0, sllPacketType);
                put16(f, 2, 1); // ARPHRD_ETHER
                put16(f, 4, 6);
                putMac(f, 6, srcMac);
                f[12] = 0;
                f[13] = 0;
                put16(f, 14, linkFamilyOrType(false));
                return 16;
            case LinkType.LINUX_SLL2:
                put16(f, 0, linkFamilyOrType(false));
                put16(f, 2, 0);
                put32(f, 4, sllIfIndex);
                put16(f, 8, 1); // ARPHRD_ETHER
                f[10] = (byte)sllPacketType;
                f[11] = 6;
                putMac(f, 12, srcMac);
                f[18] = 0;
                f[19] = 0;
                return 20;
            case LinkType.RAW:
                if (net != NET_IPV4 && net != NET_IPV6)
                {
                    throw new IllegalStateException("raw IP framing carries only IP");
                }
                return 0;
            case LinkType.NULL:
            {
                final int af = linkFamilyOrType(true);
                if (nullOrder == ByteOrder.LITTLE_ENDIAN)
                {
                    f[0] = (byte)af;
                    f[1] = (byte)(af >>> 8);
                    f[2] = (byte)(af >>> 16);
                    f[3] = (byte)(af >>> 24);
                }
                else
                {
                    put32(f, 0, af);
                }
                return 4;
            }
            case LinkType.LOOP:
                put32(f, 0, linkFamilyOrType(true));
                return 4;
            default:
                throw new IllegalStateException("unsupported link type " + link);
        }
    }

    private int transportProto()
    {
        switch (l4)
        {
            case L4_TCP:
                return PROTO_TCP;
            case L4_UDP:
                return PROTO_UDP;
            case L4_ICMP:
                return PROTO_ICMP;
            case L4_ICMPV6:
                return PROTO_ICMPV6;
            case L4_RAW:
                return rawProto;
            default:
                return NO_NEXT_HEADER;
        }
    }

    /** Writes the transport segment at {@code p} in full; returns its full length. The checksum is left 0. */
    private int writeTransport(final byte[] f, final int p)
    {
        int q;
        switch (l4)
        {
            case L4_TCP:
            {
                final int optPadded = (tcpOptLen + 3) & ~3;
                put16(f, p, sport);
                put16(f, p + 2, dport);
                put32(f, p + 4, seq);
                put32(f, p + 8, ackNo);
                final int doff = dataOffsetOverride >= 0 ? dataOffsetOverride : (20 + optPadded) >>> 2;
                f[p + 12] = (byte)((doff << 4) | ((tcpFlags >>> 8) & 1));
                f[p + 13] = (byte)tcpFlags;
                put16(f, p + 14, window);
                put16(f, p + 16, 0);
                put16(f, p + 18, urgent);
                System.arraycopy(tcpOptions, 0, f, p + 20, tcpOptLen);
                for (int i = tcpOptLen; i < optPadded; i++)
                {
                    f[p + 20 + i] = 0;
                }
                q = p + 20 + optPadded;
                break;
            }
            case L4_UDP:
                put16(f, p, sport);
                put16(f, p + 2, dport);
                put16(f, p + 4, 8 + payloadLen); // real length; an override is applied after the checksum
                put16(f, p + 6, 0);
                q = p + 8;
                break;
            case L4_ICMP:
            case L4_ICMPV6:
                f[p] = (byte)icmpType;
                f[p + 1] = (byte)icmpCode;
                put16(f, p + 2, 0);
                put32(f, p + 4, icmpRest);
                q = p + 8;
                break;
            case L4_RAW:
                q = p;
                break;
            default:
                return 0;
        }
        if (payloadLen > 0)
        {
            if (q + payloadLen > f.length)
            {
                throw new IllegalStateException("frame exceeds " + MAX_FRAME_BYTES + " bytes");
            }
            if (payloadArr == null)
            {
                java.util.Arrays.fill(f, q, q + payloadLen, (byte)0);
            }
            else
            {
                System.arraycopy(payloadArr, payloadOff, f, q, payloadLen);
            }
            q += payloadLen;
        }
        return q - p;
    }

    /** Fills the transport checksum given the pseudo-header sum (or none for ICMPv4), then applies overrides. */
    private void finishTransport(final byte[] f, final int p, final int len, final long pseudo)
    {
        final int csumOff;
        switch (l4)
        {
            case L4_TCP:
                csumOff = 16;
                break;
            case L4_UDP:
                csumOff = 6;
                break;
            case L4_ICMP:
            case L4_ICMPV6:
                csumOff = 2;
                break;
            default:
                return;
        }
        int c;
        if (l4ChecksumOverride >= 0)
        {
            c = l4ChecksumOverride;
        }
        else
        {
            final long base = l4 == L4_ICMP ? 0 : pseudo;
            c = InternetChecksum.fold(InternetChecksum.sum(f, p, len, base));
            if (c == 0 && l4 == L4_UDP)
            {
                c = 0xffff; // 0 means "no checksum" in UDP
            }
        }
        put16(f, p + csumOff, c);
        if (l4 == L4_UDP && udpLengthOverride >= 0)
        {
            put16(f, p + 4, udpLengthOverride);
        }
    }

    private int emittedTransport(final int fullLen)
    {
        return l4Truncate >= 0 && l4Truncate < fullLen ? l4Truncate : fullLen;
    }

    private int writeIpv4(final byte[] f, final int p)
    {
        final int hdr = 20 + ipOptLen;
        final int l4p = p + hdr;
        final int full = writeTransport(f, l4p);
        final int proto = protoOverride >= 0 ? protoOverride : transportProto();
        if (l4 != L4_NONE && l4 != L4_RAW)
        {
            final long pseudo = ((src4 >>> 16) & 0xffff) + (src4 & 0xffff) + ((dst4 >>> 16) & 0xffff) + (dst4 & 0xffff)
                + transportProto() + full;
            finishTransport(f, l4p, full, pseudo);
        }
        final int emitted = emittedTransport(full);
        final int total = hdr + emitted;
        f[p] = (byte)(((versionOverride >= 0 ? versionOverride : 4) << 4) | (ihlOverride >= 0 ? ihlOverride : hdr >>> 2));
        f[p + 1] = (byte)tos;
        put16(f, p + 2, totalLengthOverride >= 0 ? totalLengthOverride : total);
        put16(f, p + 4, ipId);
        put16(f, p + 6, ipFlags | fragOffset);
        f[p + 8] = (byte)ttl;
        f[p + 9] = (byte)proto;
        put16(f, p + 10, 0);
        put32(f, p + 12, src4);
        put32(f, p + 16, dst4);
        System.arraycopy(ipOptions, 0, f, p + 20, ipOptLen);
        put16(f, p + 10, ipChecksumOverride >= 0 ? ipChecksumOverride : InternetChecksum.checksum(f, p, hdr));
        ipLength = total;
        return p + total;
    }

    private int writeIpv6(final byte[] f, final int p)
    {
        final int l4p = p + 40 + extDataLen;
        final int full = writeTransport(f, l4p);
        final int proto = protoOverride >= 0 ? protoOverride : transportProto();
        if (l4 != L4_NONE && l4 != L4_RAW)
        {
            long pseudo = InternetChecksum.sum(src6, 0, 16, 0);
            pseudo = routingFinalOff >= 0
                ? InternetChecksum.sum(extData, routingFinalOff, 16, pseudo)
                : InternetChecksum.sum(dst6, 0, 16, pseudo);
            pseudo += full + transportProto();
            finishTransport(f, l4p, full, pseudo);
        }
        final int emitted = emittedTransport(full);
        for (int i = 0; i < extCount; i++)
        {
            final int o = p + 40 + extOff[i];
            System.arraycopy(extData, extOff[i], f, o, extLen[i]);
            f[o] = (byte)(i + 1 < extCount ? extType[i + 1] : proto);
        }
        final int payload = extDataLen + emitted;
        put32(f, p, ((versionOverride >= 0 ? versionOverride : 6) << 28) | (tos << 20) | flowLabel);
        put16(f, p + 4, totalLengthOverride >= 0 ? totalLengthOverride : payload);
        f[p + 6] = (byte)(extCount > 0 ? extType[0] : proto);
        f[p + 7] = (byte)ttl;
        System.arraycopy(src6, 0, f, p + 8, 16);
        System.arraycopy(dst6, 0, f, p + 24, 16);
        ipLength = 40 + payload;
        return p + ipLength;
    }

    static void put16(final byte[] b, final int p, final int v)
    {
        b[p] = (byte)(v >>> 8);
        b[p + 1] = (byte)v;
    }

    static void put32(final byte[] b, final int p, final int v)
    {
        b[p] = (byte)(v >>> 24);
        b[p + 1] = (byte)(v >>> 16);
        b[p + 2] = (byte)(v >>> 8);
        b[p + 3] = (byte)v;
    }

    static void put64(final byte[] b, final int p, final long v)
    {
        put32(b, p, (int)(v >>> 32));
        put32(b, p + 4, (int)v);
    }

    static void putMac(final byte[] b, final int p, final long mac)
    {
        b[p] = (byte)(mac >>> 40);
        b[p + 1] = (byte)(mac >>> 32);
        b[p + 2] = (byte)(mac >>> 24);
        b[p + 3] = (byte)(mac >>> 16);
        b[p + 4] = (byte)(mac >>> 8);
        b[p + 5] = (byte)mac;
    }

    private static long macToLong(final byte[] mac)
    {
        if (mac.length != 6)
        {
            throw new IllegalArgumentException("a MAC address is 6 bytes, got " + mac.length);
        }
        long v = 0;
        for (final byte b : mac)
        {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }
}
