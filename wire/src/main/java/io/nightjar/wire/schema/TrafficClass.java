package io.nightjar.wire.schema;

/**
 * The one class every captured packet gets. Stable ids: they are stored in the spool and sent on
 * the wire, so never reorder or reuse them; append new classes at the end.
 *
 * <p>Definitions (see README "Classes"):
 * <ul>
 *   <li>{@link #TCP_SCAN}: TCP SYN without ACK.</li>
 *   <li>{@link #BACKSCATTER}: replies of victims of spoofed attacks: TCP SYN-ACK, TCP RST (with or
 *       without ACK), ICMP types 0, 3, 4, 5, 11, 12, 14, 16, 18, ICMPv6 types 1 to 4 and 129.</li>
 *   <li>{@link #UDP_PROBE}: any well-formed, unfragmented UDP datagram.</li>
 *   <li>{@link #ICMP_PROBE}: ICMP/ICMPv6 echo and other requests (everything not backscatter).</li>
 *   <li>{@link #TCP_OTHER}: any other TCP segment (ACK, FIN, PSH, no flags, ...).</li>
 *   <li>{@link #FRAGMENT}: IPv4 with MF set or a non-zero fragment offset; IPv6 with a fragment header.</li>
 *   <li>{@link #OTHER}: other IP protocols (GRE, ESP, SCTP, ...).</li>
 *   <li>{@link #MALFORMED}: a packet whose IP or L4 header is broken; a named anomaly counter says how.</li>
 *   <li>{@link #NON_IP}: ARP, spanning tree, link types we do not decode, and the like.</li>
 * </ul>
 */
public enum TrafficClass
{
    TCP_SCAN(0, "tcp_scan"),
    BACKSCATTER(1, "backscatter"),
    UDP_PROBE(2, "udp_probe"),
    ICMP_PROBE(3, "icmp_probe"),
    TCP_OTHER(4, "tcp_other"),
    FRAGMENT(5, "fragment"),
    OTHER(6, "other"),
    MALFORMED(7, "malformed"),
    NON_IP(8, "non_ip");

    /** Number of classes; ids run from 0 to COUNT - 1. */
    public static final int COUNT = 9;

    private static final TrafficClass[] BY_ID = values();

    private final int id;
    private final String key;

    TrafficClass(final int id, final String key)
    {
        this.id = id;
        this.key = key;
    }

    /** Stable numeric id, as stored. */
    public int id()
    {
        return id;
    }

    /** The lower-case name used in JSON, CSV and the API. */
    public String key()
    {
        return key;
    }

    /** Whether the class describes a well-formed IP packet (everything but malformed and non-IP). */
    public boolean isIp()
    {
        return id < MALFORMED.id;
    }

    /** The class with the given stable id. */
    public static TrafficClass ofId(final int id)
    {
        if (id < 0 || id >= BY_ID.length)
        {
            throw new IllegalArgumentException("unknown traffic class id " + id);
        }
        return BY_ID[id];
    }

    /** The class with the given key, e.g. "tcp_scan". */
    public static TrafficClass ofKey(final String key)
    {
        for (final TrafficClass c : BY_ID)
        {
            if (c.key.equals(key))
            {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown traffic class '" + key + "'");
    }
}
