package io.nightjar.sensor.decode;

import io.nightjar.wire.schema.Anomaly;

/**
 * The fields of one packet that the classifier and the flow table need, filled by
 * {@link PacketDecoder#decode}. One instance is reused for every packet: nothing here outlives the
 * packet. Plain mutable fields, written by the decoding thread only, read by the same thread.
 *
 * <p>Addresses are 128-bit values in two longs; IPv4 addresses are IPv4-mapped ({@code ::ffff:a.b.c.d}),
 * so an IPv4 address {@code a} is {@code hi = 0, lo = 0x0000_ffff_0000_0000L | (a & 0xffffffffL)}.
 */
public final class DecodedPacket
{
    /** Capture time, ns since the epoch. */
    public long timestampNanos;
    /** Original length on the wire, bytes. */
    public int wireLength;
    /** Captured length, bytes. */
    public int capturedLength;
    /** LINKTYPE_* of the frame. */
    public int linkType;
    /** Number of 802.1Q/802.1ad tags skipped. */
    public int vlanTags;

    /** libpcap BPF view of the outermost link layer: 4 ("ip"), 6 ("ip6") or 0. No descent into tags. */
    public int bpfNetwork;
    /** libpcap BPF view: IPv4 protocol byte or IPv6 first next-header byte of the outermost IP header, or -1. */
    public int bpfProtocol;

    /** 4 or 6 for a packet whose IP header was found (even if malformed later), else 0. */
    public int ipVersion;
    /** Source address, high 64 bits. */
    public long srcHi;
    /** Source address, low 64 bits. */
    public long srcLo;
    /** Destination address, high 64 bits. */
    public long dstHi;
    /** Destination address, low 64 bits. */
    public long dstLo;
    /** IPv4 destination as an unsigned 32-bit value in an int (IPv4 only). */
    public int dstV4;
    /** TTL or hop limit. */
    public int ttl;
    /** IPv4 identification, -1 for IPv6. */
    public int ipId;
    /** IPv4 MF set or non-zero offset, or an IPv6 fragment header. */
    public boolean fragment;
    /** Whether an IPv6 extension header was skipped to reach the transport header. */
    public boolean ipv6Extensions;
    /** Transport protocol number (after IPv6 extension headers), -1 if unknown. */
    public int protocol;

    /** TCP/UDP source port, else -1. */
    public int srcPort;
    /** TCP/UDP destination port, else -1. */
    public int dstPort;
    /** TCP flags, 0 for other protocols. */
    public int tcpFlags;
    /** TCP sequence number (unsigned 32 bits in an int). */
    public int tcpSeq;
    /** TCP window, -1 if not captured. */
    public int tcpWindow;
    /** TCP option kinds in order of appearance, one per byte, first option in the most significant used byte; only for SYN segments. */
    public long tcpOptionKinds;
    /** Number of option kinds recorded in {@link #tcpOptionKinds} (at most 8). */
    public int tcpOptionCount;
    /** MSS option value, -1 if absent; only for SYN segments. */
    public int tcpMss;
    /** Window-scale option value, -1 if absent; only for SYN segments. */
    public int tcpWindowScale;

    /** ICMP/ICMPv6 type, -1 for other protocols. */
    public int icmpType;
    /** ICMP/ICMPv6 code. */
    public int icmpCode;
    /** Whether an ICMP error's quoted IP header was decoded. */
    public boolean hasQuote;
    /** Quoted header's protocol. */
    public int quotedProtocol;
    /** Quoted header's destination (the victim of a spoofed attack), high 64 bits. */
    public long quotedDstHi;
    /** Quoted header's destination, low 64 bits. */
    public long quotedDstLo;
    /** Quoted header's source (usually a darknet address), high 64 bits. */
    public long quotedSrcHi;
    /** Quoted header's source, low 64 bits. */
    public long quotedSrcLo;
    /** Quoted TCP/UDP destination port (the attacked service), -1 if not quoted. */
    public int quotedDstPort;

    /** Bit set of {@link Anomaly} ids found ({@code 1 << anomaly.id()}). */
    public int anomalies;
    /** The first fatal anomaly, or null when the packet is well formed (or non-IP). */
    public Anomaly fatal;

    /** Clears every field before decoding the next packet. */
    public void reset()
    {
        vlanTags = 0;
        bpfNetwork = 0;
        bpfProtocol = -1;
        ipVersion = 0;
        srcHi = 0;
        srcLo = 0;
        dstHi = 0;
        dstLo = 0;
        dstV4 = 0;
        ttl = 0;
        ipId = -1;
        fragment = false;
        ipv6Extensions = false;
        protocol = -1;
        srcPort = -1;
        dstPort = -1;
        tcpFlags = 0;
        tcpSeq = 0;
        tcpWindow = -1;
        tcpOptionKinds = 0;
        tcpOptionCount = 0;
        tcpMss = -1;
        tcpWindowScale = -1;
        icmpType = -1;
        icmpCode = 0;
        hasQuote = false;
        quotedProtocol = -1;
        quotedDstHi = 0;
        quotedDstLo = 0;
        quotedSrcHi = 0;
        quotedSrcLo = 0;
        quotedDstPort = -1;
        anomalies = 0;
        fatal = null;
    }

    /** Whether the anomaly was recorded for this packet. */
    public boolean has(final Anomaly anomaly)
    {
        return (anomalies & (1 << anomaly.id())) != 0;
    }

    /** Whether the IP layer was decoded without a fatal anomaly. */
    public boolean isWellFormedIp()
    {
        return ipVersion != 0 && fatal == null;
    }
}
