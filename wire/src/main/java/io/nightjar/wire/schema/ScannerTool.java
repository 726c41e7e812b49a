package io.nightjar.wire.schema;

/**
 * Scanner tools recognised by per-packet fingerprints. A flow record carries the bit mask of the
 * fingerprints its packets matched ({@link #bit()}); attribution of a whole source to a tool is a
 * separate, thresholded decision (at least {@link #MIN_MATCHING_PACKETS} matching packets in the
 * rule's scope and at least {@link #MIN_MATCHING_SHARE} of them).
 *
 * <p>Fingerprints as the tools' own sources define them:
 * <ul>
 *   <li>{@link #ZMAP}: IPv4 identification 54321, on any IPv4 probe (tcp_scan, udp_probe,
 *       icmp_probe). ZMap 4.1 and later randomise the IP ID, so recent ZMap is not recognised.</li>
 *   <li>{@link #MASSCAN}: IPv4 identification == (destination address ^ destination port ^ TCP
 *       sequence number) &amp; 0xffff, on TCP SYN (tcp_scan over IPv4).</li>
 *   <li>{@link #MIRAI}: TCP sequence number == destination IPv4 address, on TCP SYN (tcp_scan over IPv4).</li>
 * </ul>
 */
public enum ScannerTool
{
    ZMAP(0, "zmap"),
    MASSCAN(1, "masscan"),
    MIRAI(2, "mirai");

    /** Attribution needs at least this many matching packets from the source, in the rule's scope. */
    public static final long MIN_MATCHING_PACKETS = 10;
    /** ... and at least this share of the source's packets in the rule's scope must match. */
    public static final double MIN_MATCHING_SHARE = 0.9;

    private static final ScannerTool[] ALL = values();

    private final int bit;
    private final String key;

    ScannerTool(final int index, final String key)
    {
        this.bit = 1 << index;
        this.key = key;
    }

    /** The bit of this tool in a fingerprint mask. */
    public int bit()
    {
        return bit;
    }

    /** Lower-case name used in JSON and CSV. */
    public String key()
    {
        return key;
    }

    /** Whether a packet of this class and IP version is in the scope of this tool's rule. */
    public boolean inScope(final int trafficClassId, final boolean ipv4)
    {
        if (!ipv4)
        {
            return false;
        }
        if (this == ZMAP)
        {
            return trafficClassId == TrafficClass.TCP_SCAN.id() ||
                trafficClassId == TrafficClass.UDP_PROBE.id() ||
                trafficClassId == TrafficClass.ICMP_PROBE.id();
        }
        return trafficClassId == TrafficClass.TCP_SCAN.id();
    }

    /** Whether {@code matching} of {@code inScope} packets attribute a source to a tool. */
    public static boolean attributes(final long matching, final long inScope)
    {
        return matching >= MIN_MATCHING_PACKETS && matching >= MIN_MATCHING_SHARE * inScope;
    }

    /** Renders a fingerprint mask as "zmap+mirai", or "" for none. */
    public static String maskToString(final int mask)
    {
        final StringBuilder sb = new StringBuilder();
        for (final ScannerTool t : ALL)
        {
            if ((mask & t.bit) != 0)
            {
                if (sb.length() > 0)
                {
                    sb.append('+');
                }
                sb.append(t.key);
            }
        }
        return sb.toString();
    }

    /** All tools, in bit order. */
    public static ScannerTool[] all()
    {
        return ALL.clone();
    }
}
