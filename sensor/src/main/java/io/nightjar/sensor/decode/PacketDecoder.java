package io.nightjar.sensor.decode;

import io.nightjar.wire.schema.Anomaly;

import io.nightjar.sensor.capture.LinkType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes link, network and transport headers of one captured frame into a {@link DecodedPacket},
 * through reusable flyweights: no allocation, no exception, no logging per packet. A packet that is
 * broken gets a fatal {@link Anomaly} and is left for the classifier to call malformed; a packet cut
 * short by the snaplen is decoded as far as its headers go.
 *
 * <p>Link types: Ethernet (802.1Q/802.1ad/QinQ tags skipped, up to 4), Linux SLL and SLL2, raw IP,
 * raw IPv4/IPv6, BSD NULL and OpenBSD LOOP, PPP, PPP-in-HDLC and Cisco HDLC. Others are non-IP with
 * the {@link Anomaly#UNSUPPORTED_LINK_TYPE} counter.
 *
 * <p>Not thread-safe: one decoder per capture thread.
 */
public final class PacketDecoder
{
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int MAX_VLAN_TAGS = 4;
    private static final int MAX_IPV6_EXTENSIONS = 8;
    private static final long IPV4_MAPPED = 0x0000_ffff_0000_0000L;

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ICMPV6 = 58;

    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private final Ipv6Flyweight ipv6 = new Ipv6Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final Ipv4Flyweight quotedIpv4 = new Ipv4Flyweight();
    private final Ipv6Flyweight quotedIpv6 = new Ipv6Flyweight();
    private final boolean fastPath;

    /** A decoder with the fast path for untagged Ethernet, IPv4 without options, and whole TCP or UDP headers. */
    public PacketDecoder()
    {
        this(true);
    }

    /** @param fastPath whether the common frames take the fast path (false: every frame takes the general one; for tests). */
    PacketDecoder(final boolean fastPath)
    {
        this.fastPath = fastPath;
    }

    /**
     * Decodes one frame.
     *
     * @param buffer         holds the frame; read with absolute gets only.
     * @param offset         absolute index of the first byte of the frame.
     * @param capturedLength bytes captured.
     * @param wireLength     bytes on the wire.
     * @param linkType       LINKTYPE_* of the frame.
     * @param timestampNanos capture time.
     * @param out            receives the fields; reset first.
     */
    public void decode(
        final ByteBuffer buffer,
        final int offset,
        final int capturedLength,
        final int wireLength,
        final int linkType,
        final long timestampNanos,
        final DecodedPacket out)
    {
        if (fastPath && linkType == LinkType.ETHERNET && decodeCommon(buffer, offset, capturedLength, wireLength, timestampNanos, out))
        {
            return;
        }
        out.reset();
        out.timestampNanos = timestampNanos;
        out.wireLength = wireLength;
        out.capturedLength = capturedLength;
        out.linkType = linkType;

        final int cap = capturedLength;
        final boolean swap = buffer.order() != ByteOrder.BIG_ENDIAN;
        int l3 = -1;
        int network = 0; // 4, 6, or 0 = decide from the version nibble, -1 = not IP

        switch (linkType)
        {
            case LinkType.ETHERNET:
            {
                if (cap < 14)
                {
                    fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                    return;
                }
                int type = u16(buffer, offset + 12, swap);
                out.bpfNetwork = Math.max(0, networkOfEthertype(type));
                int pos = 14;
                while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) &&
                    out.vlanTags < MAX_VLAN_TAGS)
                {
                    if (cap < pos + 4)
                    {
                        fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                        return;
                    }
                    type = u16(buffer, offset + pos + 2, swap);
                    pos += 4;
                    out.vlanTags++;
                }
                network = networkOfEthertype(type);
                l3 = pos;
                break;
            }
            case LinkType.LINUX_SLL:
            {
                if (cap < 16)
                {
                    fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                    return;
                }
                network = networkOfEthertype(u16(buffer, offset + 14, swap));
                out.bpfNetwork = Math.max(0, network);
                l3 = 16;
                break;
            }
            case LinkType.LINUX_SLL2:
            {
                if (cap < 20)
                {
                    fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                    return;
                }
                network = networkOfEthertype(u16(buffer, offset, swap));
                out.bpfNetwork = Math.max(0, network);
                l3 = 20;
                break;
            }
            case LinkType.RAW:
            {
                network = 0;
                l3 = 0;
                if (cap >= 1)
                {
                    final int v = (buffer.get(offset) & 0xff) >>> 4;
                    out.bpfNetwork = v == 4 ? 4 : (v == 6 ? 6 : 0);
                }
                break;
            }
            case LinkType.IPV4:
                network = 4;
                out.bpfNetwork = 4;
                l3 = 0;
                break;
            case LinkType.IPV6:
                network = 6;
                out.bpfNetwork = 6;
                l3 = 0;
                break;
            case LinkType.NULL:
            case LinkType.LOOP:
            {
                if (cap < 4)
                {
                    fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                    return;
                }
                final int raw = buffer.getInt(offset);
                final int be = swap ? Integer.reverseBytes(raw) : raw;
                // NULL is in the writer's byte order, which the file does not tell: accept either.
                final int family = linkType == LinkType.LOOP ? be : (((be & 0xffff0000) == 0) ? be : Integer.reverseBytes(be));
                network = networkOfAddressFamily(family);
                out.bpfNetwork = network == -1 ? 0 : network;
                l3 = 4;
                break;
            }
            case LinkType.PPP:
            case LinkType.PPP_HDLC:
            {
                int pos = 0;
                if (cap >= 2 && (buffer.get(offset) & 0xff) == 0xff && (buffer.get(offset + 1) & 0xff) == 0x03)
                {
                    pos = 2;
                }
                if (cap < pos + 2)
                {
                    fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                    return;
                }
                final int proto = u16(buffer, offset + pos, swap);
                network = proto == 0x0021 ? 4 : (proto == 0x0057 ? 6 : -1);
                out.bpfNetwork = network == -1 ? 0 : network;
                l3 = pos + 2;
                break;
            }
            case LinkType.C_HDLC:
            {
                if (cap < 4)
                {
                    fatal(out, Anomaly.LINK_HEADER_TRUNCATED);
                    return;
                }
                network = networkOfEthertype(u16(buffer, offset + 2, swap));
                out.bpfNetwork = network == -1 ? 0 : network;
                l3 = 4;
                break;
            }
            default:
                out.anomalies |= 1 << Anomaly.UNSUPPORTED_LINK_TYPE.id();
                return;
        }

        if (network == -1)
        {
            return; // non-IP
        }
        final int capL3 = cap - l3;
        final int wireL3 = wireLength - l3;
        if (out.bpfNetwork != 0 && out.vlanTags == 0)
        {
            final int protoIndex = out.bpfNetwork == 4 ? Ipv4Flyweight.PROTOCOL_OFFSET : Ipv6Flyweight.NEXT_HEADER_OFFSET;
            if (capL3 > protoIndex)
            {
                out.bpfProtocol = buffer.get(offset + l3 + protoIndex) & 0xff;
            }
        }
        if (network == 0)
        {
            if (capL3 < 1)
            {
                fatal(out, Anomaly.IPV4_HEADER_TRUNCATED);
                return;
            }
            final int v = (buffer.get(offset + l3) & 0xff) >>> 4;
            if (v != 4 && v != 6)
            {
                out.ipVersion = v == 6 ? 6 : 4;
                fatal(out, Anomaly.IP_BAD_VERSION);
                return;
            }
            network = v;
        }
        if (network == 4)
        {
            decodeIpv4(buffer, offset + l3, capL3, wireL3, out);
        }
        else
        {
            decodeIpv6(buffer, offset + l3, capL3, wireL3, out);
        }
    }

    /** Bytes of a frame read by the fast path: Ethernet, IPv4 without options, UDP header (TCP needs 50). */
    private static final int FAST_MIN_CAPTURE = 14 + 20 + 8;
    private static final int FAST_TCP_CAPTURE = 14 + 20 + 16;

    /**
     * The fast path: an untagged Ethernet frame with IPv4 (no options, not a fragment, lengths
     * consistent with the frame) and a whole TCP or UDP header, read in five to six loads and
     * written without the general path's reset, flyweights and per-field checks. Gives exactly the
     * fields the general path gives (PacketDecoderFastPathTest compares the two on every field);
     * returns false, having written nothing, for any other frame, which then takes the general path.
     */
    boolean decodeCommon(
        final ByteBuffer buffer,
        final int offset,
        final int cap,
        final int wireLength,
        final long timestampNanos,
        final DecodedPacket out)
    {
        if (cap < FAST_MIN_CAPTURE)
        {
            return false;
        }
        final boolean swap = buffer.order() != ByteOrder.BIG_ENDIAN;
        final long w0 = be(buffer.getLong(offset + 8), swap);   // bytes 8-15: ..., ethertype, version/IHL, TOS
        if ((w0 & 0xffff_ff00L) != 0x0800_4500L)
        {
            return false;
        }
        final long w1 = be(buffer.getLong(offset + 16), swap);  // 16-23: total length, id, flags/offset, TTL, protocol
        final int total = (int)(w1 >>> 48);
        final int protocol = (int)w1 & 0xff;
        if (total < Ipv4Flyweight.MIN_HEADER_LENGTH || total > wireLength - 14 ||
            ((int)(w1 >>> 16) & (Ipv4Flyweight.FLAG_MF | Ipv4Flyweight.FRAGMENT_OFFSET_MASK)) != 0)
        {
            return false;
        }
        final long w3 = be(buffer.getLong(offset + 32), swap);  // 32-39: dst (low half), ports, seq (high half) or UDP length
        final int l4Cap = Math.min(cap - 14, total) - 20;
        final int l4Wire = total - 20;
        final int tcpFlags;
        final int tcpSeq;
        final int tcpWindow;
        final int headerLength;
        if (protocol == PROTO_TCP)
        {
            if (cap < FAST_TCP_CAPTURE || l4Wire < TcpFlyweight.MIN_HEADER_LENGTH)
            {
                return false;
            }
            final long w4 = be(buffer.getLong(offset + 40), swap); // 40-47: seq (low half), ack, data offset, flags
            headerLength = ((int)(w4 >>> 12) & 0xf) << 2;
            if (headerLength < TcpFlyweight.MIN_HEADER_LENGTH || headerLength > l4Wire || l4Cap < headerLength)
            {
                return false;
            }
            tcpSeq = (int)(w3 << 16 | w4 >>> 48);
            tcpFlags = (int)w4 & 0xff;
            final short window = buffer.getShort(offset + 48);
            tcpWindow = (swap ? Short.reverseBytes(window) : window) & 0xffff;
        }
        else if (protocol == PROTO_UDP)
        {
            final int udpLength = (int)w3 & 0xffff;
            if (l4Cap < UdpFlyweight.HEADER_LENGTH || udpLength < UdpFlyweight.HEADER_LENGTH || udpLength > l4Wire)
            {
                return false;
            }
            headerLength = 0;
            tcpSeq = 0;
            tcpFlags = 0;
            tcpWindow = -1;
        }
        else
        {
            return false;
        }
        final long w2 = be(buffer.getLong(offset + 24), swap);  // 24-31: checksum, src, dst (high half)
        final int dst = (int)(w2 << 16 | w3 >>> 48);
        out.timestampNanos = timestampNanos;
        out.wireLength = wireLength;
        out.capturedLength = cap;
        out.linkType = LinkType.ETHERNET;
        out.vlanTags = 0;
        out.bpfNetwork = 4;
        out.bpfProtocol = protocol;
        out.ipVersion = 4;
        out.ttl = (int)(w1 >>> 8) & 0xff;
        out.ipId = (int)(w1 >>> 32) & 0xffff;
        out.fragment = false;
        out.ipv6Extensions = false;
        out.protocol = protocol;
        out.srcHi = 0;
        out.srcLo = IPV4_MAPPED | (w2 >>> 16 & 0xffff_ffffL);
        out.dstV4 = dst;
        out.dstHi = 0;
        out.dstLo = IPV4_MAPPED | (dst & 0xffff_ffffL);
        out.srcPort = (int)(w3 >>> 32) & 0xffff;
        out.dstPort = (int)(w3 >>> 16) & 0xffff;
        out.tcpFlags = tcpFlags;
        out.tcpSeq = tcpSeq;
        out.tcpWindow = tcpWindow;
        out.tcpOptionKinds = 0;
        out.tcpOptionCount = 0;
        out.tcpMss = -1;
        out.tcpWindowScale = -1;
        out.icmpType = -1;
        out.icmpCode = 0;
        out.hasQuote = false;
        out.quotedProtocol = -1;
        out.quotedDstHi = 0;
        out.quotedDstLo = 0;
        out.quotedSrcHi = 0;
        out.quotedSrcLo = 0;
        out.quotedDstPort = -1;
        out.anomalies = 0;
        out.fatal = null;
        if ((tcpFlags & TcpFlyweight.SYN) != 0 && headerLength > TcpFlyweight.MIN_HEADER_LENGTH)
        {
            final TcpFlyweight t = tcp;
            t.wrap(buffer, offset + 34, l4Cap);
            decodeTcpOptions(t, headerLength, out);
        }
        return true;
    }

    private static long be(final long value, final boolean swap)
    {
        return swap ? Long.reverseBytes(value) : value;
    }

    private void decodeIpv4(final ByteBuffer buffer, final int at, final int cap, final int wire, final DecodedPacket out)
    {
        out.ipVersion = 4;
        if (cap < 1)
        {
            fatal(out, Anomaly.IPV4_HEADER_TRUNCATED);
            return;
        }
        final Ipv4Flyweight ip = ipv4;
        ip.wrap(buffer, at, cap);
        if (ip.version() != 4)
        {
            fatal(out, Anomaly.IP_BAD_VERSION);
            return;
        }
        final int ihl = ip.headerLength();
        if (ihl < Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            fatal(out, Anomaly.IPV4_IHL_TOO_SMALL);
            return;
        }
        if (cap < ihl)
        {
            if (cap >= Ipv4Flyweight.MIN_HEADER_LENGTH)
            {
                fillIpv4Fields(ip, out);
            }
            fatal(out, Anomaly.IPV4_HEADER_TRUNCATED);
            return;
        }
        fillIpv4Fields(ip, out);
        final int total = ip.totalLength();
        if (total < ihl)
        {
            fatal(out, Anomaly.IPV4_TOTAL_LENGTH_BELOW_HEADER);
            return;
        }
        if (total > wire)
        {
            fatal(out, Anomaly.IP_LENGTH_ABOVE_FRAME);
            return;
        }
        if ((ip.flagsAndFragmentOffset() & (Ipv4Flyweight.FLAG_MF | Ipv4Flyweight.FRAGMENT_OFFSET_MASK)) != 0)
        {
            out.fragment = true;
            return;
        }
        final int l4Cap = Math.min(cap, total) - ihl;
        decodeTransport(buffer, at + ihl, l4Cap, total - ihl, out.protocol, true, out);
    }

    private static void fillIpv4Fields(final Ipv4Flyweight ip, final DecodedPacket out)
    {
        out.ttl = ip.ttl();
        out.ipId = ip.id();
        out.protocol = ip.protocol();
        out.srcHi = 0;
        out.srcLo = IPV4_MAPPED | (ip.source() & 0xffff_ffffL);
        final int dst = ip.destination();
        out.dstV4 = dst;
        out.dstHi = 0;
        out.dstLo = IPV4_MAPPED | (dst & 0xffff_ffffL);
    }

    private void decodeIpv6(final ByteBuffer buffer, final int at, final int cap, final int wire, final DecodedPacket out)
    {
        out.ipVersion = 6;
        final Ipv6Flyweight ip = ipv6;
        ip.wrap(buffer, at, cap);
        if (cap >= 1 && ip.version() != 6)
        {
            fatal(out, Anomaly.IP_BAD_VERSION);
            return;
        }
        if (cap < Ipv6Flyweight.HEADER_LENGTH)
        {
            fatal(out, Anomaly.IPV6_HEADER_TRUNCATED);
            return;
        }
        out.ttl = ip.hopLimit();
        out.srcHi = ip.sourceHi();
        out.srcLo = ip.sourceLo();
        out.dstHi = ip.destinationHi();
        out.dstLo = ip.destinationLo();
        final int end = Ipv6Flyweight.HEADER_LENGTH + ip.payloadLength();
        if (end > wire)
        {
            fatal(out, Anomaly.IP_LENGTH_ABOVE_FRAME);
            return;
        }
        final int capEnd = Math.min(cap, end);
        int next = ip.nextHeader();
        int pos = Ipv6Flyweight.HEADER_LENGTH;
        for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++)
        {
            if (next == Ipv6Flyweight.EXT_FRAGMENT)
            {
                out.ipv6Extensions = true;
                out.fragment = true;
                out.protocol = next;
                if (pos + 8 > end)
                {
                    fatal(out, Anomaly.IPV6_EXTENSION_TRUNCATED);
                }
                return;
            }
            if (next != Ipv6Flyweight.EXT_HOP_BY_HOP && next != Ipv6Flyweight.EXT_ROUTING &&
                next != Ipv6Flyweight.EXT_DESTINATION_OPTIONS)
            {
                break;
            }
            out.ipv6Extensions = true;
            if (pos + 2 > capEnd)
            {
                out.protocol = next;
                fatal(out, Anomaly.IPV6_EXTENSION_TRUNCATED);
                return;
            }
            ip.wrap(buffer, at + pos, capEnd - pos);
            final int len = ip.extensionLength();
            next = ip.extensionNextHeader();
            if (pos + len > end)
            {
                out.protocol = next;
                fatal(out, Anomaly.IPV6_EXTENSION_TRUNCATED);
                return;
            }
            pos += len;
        }
        out.protocol = next;
        decodeTransport(buffer, at + pos, capEnd - pos, end - pos, next, false, out);
    }

    private void decodeTransport(
        final ByteBuffer buffer,
        final int at,
        final int cap,
        final int wire,
        final int protocol,
        final boolean v4,
        final DecodedPacket out)
    {
        switch (protocol)
        {
            case PROTO_TCP:
                decodeTcp(buffer, at, cap, wire, out);
                break;
            case PROTO_UDP:
            {
                if (wire < UdpFlyweight.HEADER_LENGTH || cap < 4)
                {
                    fatal(out, Anomaly.UDP_HEADER_TRUNCATED);
                    return;
                }
                final UdpFlyweight u = udp;
                u.wrap(buffer, at, cap);
                out.srcPort = u.sourcePort();
                out.dstPort = u.destinationPort();
                if (cap >= 6)
                {
                    final int len = u.lengthField();
                    if (len < UdpFlyweight.HEADER_LENGTH || len > wire)
                    {
                        anomaly(out, Anomaly.UDP_BAD_LENGTH);
                    }
                }
                if (cap < UdpFlyweight.HEADER_LENGTH)
                {
                    anomaly(out, Anomaly.SNAPLEN_TRUNCATED);
                }
                break;
            }
            case PROTO_ICMP:
                if (v4)
                {
                    decodeIcmp(buffer, at, cap, wire, true, out);
                }
                break;
            case PROTO_ICMPV6:
                if (!v4)
                {
                    decodeIcmp(buffer, at, cap, wire, false, out);
                }
                break;
            default:
                break;
        }
    }

    private void decodeTcp(final ByteBuffer buffer, final int at, final int cap, final int wire, final DecodedPacket out)
    {
        if (wire < TcpFlyweight.MIN_HEADER_LENGTH || cap < TcpFlyweight.FLAGS_END)
        {
            fatal(out, Anomaly.TCP_HEADER_TRUNCATED);
            return;
        }
        final TcpFlyweight t = tcp;
        t.wrap(buffer, at, cap);
        out.srcPort = t.sourcePort();
        out.dstPort = t.destinationPort();
        out.tcpSeq = t.sequence();
        final int flags = t.flags();
        out.tcpFlags = flags;
        final int headerLength = t.headerLength();
        if (headerLength < TcpFlyweight.MIN_HEADER_LENGTH || headerLength > wire)
        {
            fatal(out, Anomaly.TCP_BAD_DATA_OFFSET);
            return;
        }
        if (cap < headerLength)
        {
            anomaly(out, Anomaly.SNAPLEN_TRUNCATED);
        }
        if (cap >= 16)
        {
            out.tcpWindow = t.window();
        }
        if ((flags & TcpFlyweight.SYN) != 0 && headerLength > TcpFlyweight.MIN_HEADER_LENGTH)
        {
            decodeTcpOptions(t, Math.min(cap, headerLength), out);
        }
    }

    private static void decodeTcpOptions(final TcpFlyweight t, final int end, final DecodedPacket out)
    {
        int pos = TcpFlyweight.MIN_HEADER_LENGTH;
        long kinds = 0;
        int count = 0;
        while (pos < end)
        {
            final int kind = t.byteAt(pos);
            if (count < 8)
            {
                kinds = (kinds << 8) | kind;
                count++;
            }
            if (kind == 0)
            {
                break;
            }
            if (kind == 1)
            {
                pos++;
                continue;
            }
            if (pos + 1 >= end)
            {
                break; // length byte cut by the snaplen (or header end)
            }
            final int len = t.byteAt(pos + 1);
            if (len < 2)
            {
                anomaly(out, Anomaly.TCP_OPTION_MALFORMED);
                break;
            }
            if (pos + len > end)
            {
                if (end == t.available())
                {
                    anomaly(out, Anomaly.SNAPLEN_TRUNCATED);
                }
                else
                {
                    anomaly(out, Anomaly.TCP_OPTION_MALFORMED);
                }
                break;
            }
            if (kind == 2 && len == 4)
            {
                out.tcpMss = t.shortAt(pos + 2);
            }
            else if (kind == 3 && len == 3)
            {
                out.tcpWindowScale = t.byteAt(pos + 2);
            }
            pos += len;
        }
        out.tcpOptionKinds = kinds;
        out.tcpOptionCount = count;
    }

    private void decodeIcmp(
        final ByteBuffer buffer,
        final int at,
        final int cap,
        final int wire,
        final boolean v4,
        final DecodedPacket out)
    {
        if (wire < (v4 ? IcmpFlyweight.HEADER_LENGTH : 4) || cap < 2)
        {
            fatal(out, Anomaly.ICMP_HEADER_TRUNCATED);
            return;
        }
        final IcmpFlyweight m = icmp;
        m.wrap(buffer, at, cap);
        final int type = m.type();
        out.icmpType = type;
        out.icmpCode = m.code();
        final boolean error = v4 ? (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
            : (type >= 1 && type <= 4);
        if (!error)
        {
            return;
        }
        final int qAt = at + IcmpFlyweight.HEADER_LENGTH;
        final int qCap = cap - IcmpFlyweight.HEADER_LENGTH;
        if (v4)
        {
            final Ipv4Flyweight q = quotedIpv4;
            if (qCap < Ipv4Flyweight.MIN_HEADER_LENGTH)
            {
                anomaly(out, Anomaly.ICMP_QUOTE_TRUNCATED);
                return;
            }
            q.wrap(buffer, qAt, qCap);
            final int ihl = q.headerLength();
            if (q.version() != 4 || ihl < Ipv4Flyweight.MIN_HEADER_LENGTH)
            {
                anomaly(out, Anomaly.ICMP_QUOTE_TRUNCATED);
                return;
            }
            out.hasQuote = true;
            out.quotedProtocol = q.protocol();
            out.quotedSrcHi = 0;
            out.quotedSrcLo = IPV4_MAPPED | (q.source() & 0xffff_ffffL);
            out.quotedDstHi = 0;
            out.quotedDstLo = IPV4_MAPPED | (q.destination() & 0xffff_ffffL);
            readQuotedPorts(buffer, qAt + ihl, qCap - ihl, out);
        }
        else
        {
            final Ipv6Flyweight q = quotedIpv6;
            if (qCap < Ipv6Flyweight.HEADER_LENGTH)
            {
                anomaly(out, Anomaly.ICMP_QUOTE_TRUNCATED);
                return;
            }
            q.wrap(buffer, qAt, qCap);
            if (q.version() != 6)
            {
                anomaly(out, Anomaly.ICMP_QUOTE_TRUNCATED);
                return;
            }
            out.hasQuote = true;
            out.quotedProtocol = q.nextHeader();
            out.quotedSrcHi = q.sourceHi();
            out.quotedSrcLo = q.sourceLo();
            out.quotedDstHi = q.destinationHi();
            out.quotedDstLo = q.destinationLo();
            readQuotedPorts(buffer, qAt + Ipv6Flyweight.HEADER_LENGTH, qCap - Ipv6Flyweight.HEADER_LENGTH, out);
        }
    }

    private void readQuotedPorts(final ByteBuffer buffer, final int at, final int cap, final DecodedPacket out)
    {
        final int p = out.quotedProtocol;
        if ((p == PROTO_TCP || p == PROTO_UDP) && cap >= 4)
        {
            final UdpFlyweight u = udp; // ports sit at the same offsets in TCP and UDP
            u.wrap(buffer, at, cap);
            out.quotedDstPort = u.destinationPort();
        }
    }

    private static int networkOfEthertype(final int type)
    {
        return type == ETHERTYPE_IPV4 ? 4 : (type == ETHERTYPE_IPV6 ? 6 : -1);
    }

    private static int networkOfAddressFamily(final int family)
    {
        switch (family)
        {
            case 2:
                return 4;
            case 10: // Linux
            case 24: // NetBSD, OpenBSD, BSD/OS
            case 28: // FreeBSD, DragonFly
            case 30: // Darwin
                return 6;
            default:
                return -1;
        }
    }

    private static int u16(final ByteBuffer b, final int index, final boolean swap)
    {
        final short s = b.getShort(index);
        return (swap ? Short.reverseBytes(s) : s) & 0xffff;
    }

    private static void anomaly(final DecodedPacket out, final Anomaly a)
    {
        out.anomalies |= 1 << a.id();
    }

    private static void fatal(final DecodedPacket out, final Anomaly a)
    {
        out.anomalies |= 1 << a.id();
        if (out.fatal == null)
        {
            out.fatal = a;
        }
    }
}
