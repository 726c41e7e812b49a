package io.nightjar.wire.schema;

/**
 * Named anomaly counters, in the manner of Zeek's "weirds": each says what was wrong with a
 * packet. Stable ids (stored in bin summaries): append new anomalies, never reorder.
 *
 * <p>A <em>fatal</em> anomaly makes the packet {@code malformed}; a non-fatal one is only counted
 * and the packet is still classified (e.g. a TCP option with a bad length).
 */
public enum Anomaly
{
    /** Frame too short for its link-layer header (or VLAN tags). */
    LINK_HEADER_TRUNCATED(0, "link_header_truncated", true),
    /** IP version nibble disagrees with the link layer's protocol field (e.g. ethertype IPv4, version 6). */
    IP_BAD_VERSION(1, "ip_bad_version", true),
    /** Captured bytes end inside the 20-byte IPv4 header or its options. */
    IPV4_HEADER_TRUNCATED(2, "ipv4_header_truncated", true),
    /** IPv4 IHL below 5 (header shorter than 20 bytes). */
    IPV4_IHL_TOO_SMALL(3, "ipv4_ihl_too_small", true),
    /** IPv4 total length smaller than its own header length. */
    IPV4_TOTAL_LENGTH_BELOW_HEADER(4, "ipv4_total_length_below_header", true),
    /** IP total length (IPv4) or header + payload length (IPv6) larger than the frame on the wire. */
    IP_LENGTH_ABOVE_FRAME(5, "ip_length_above_frame", true),
    /** Captured bytes end inside the 40-byte IPv6 header. */
    IPV6_HEADER_TRUNCATED(6, "ipv6_header_truncated", true),
    /** An IPv6 extension header is cut short or runs past the payload. */
    IPV6_EXTENSION_TRUNCATED(7, "ipv6_extension_truncated", true),
    /** The TCP header (first 20 bytes, or up to the flags when snapped) is not there. */
    TCP_HEADER_TRUNCATED(8, "tcp_header_truncated", true),
    /** TCP data offset below 5 or beyond the IP payload. */
    TCP_BAD_DATA_OFFSET(9, "tcp_bad_data_offset", true),
    /** The 8-byte UDP header is not there. */
    UDP_HEADER_TRUNCATED(10, "udp_header_truncated", true),
    /** The ICMP/ICMPv6 type and code are not there (or, for IPv4, the 8-byte header is cut by the packet itself). */
    ICMP_HEADER_TRUNCATED(11, "icmp_header_truncated", true),
    /** Non-fatal: a TCP option's length runs past the options area. */
    TCP_OPTION_MALFORMED(12, "tcp_option_malformed", false),
    /** Non-fatal: UDP length field disagrees with the IP payload length. */
    UDP_BAD_LENGTH(13, "udp_bad_length", false),
    /** Non-fatal: an ICMP error's quoted header is missing or cut; the outer source is the victim. */
    ICMP_QUOTE_TRUNCATED(14, "icmp_quote_truncated", false),
    /** Non-fatal: the capture's snaplen cut the packet, but the headers needed were present. */
    SNAPLEN_TRUNCATED(15, "snaplen_truncated", false),
    /** Non-fatal: a packet older than the current time bin (out-of-order capture); counted in the current bin. */
    LATE_PACKET(16, "late_packet", false),
    /** Non-fatal: the flow table was full; the packet is in the bin's class counters but in no flow record. */
    FLOW_TABLE_FULL(17, "flow_table_full", false),
    /** Non-fatal: the per-bin destination set was full; distinct-destination counts are lower bounds. */
    DESTINATION_SET_FULL(18, "destination_set_full", false),
    /** Link type that Nightjar does not decode (counted as non_ip). */
    UNSUPPORTED_LINK_TYPE(19, "unsupported_link_type", false);

    /** Number of anomalies; ids run from 0 to COUNT - 1. */
    public static final int COUNT = 20;

    private static final Anomaly[] BY_ID = values();

    private final int id;
    private final String key;
    private final boolean fatal;

    Anomaly(final int id, final String key, final boolean fatal)
    {
        this.id = id;
        this.key = key;
        this.fatal = fatal;
    }

    /** Stable id, the index into anomaly counter arrays. */
    public int id()
    {
        return id;
    }

    /** Lower-case name used in JSON, CSV and metrics. */
    public String key()
    {
        return key;
    }

    /** Whether this anomaly makes the packet malformed. */
    public boolean isFatal()
    {
        return fatal;
    }

    /** The anomaly with the given id. */
    public static Anomaly ofId(final int id)
    {
        return BY_ID[id];
    }
}
