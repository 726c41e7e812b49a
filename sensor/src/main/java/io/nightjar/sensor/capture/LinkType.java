package io.nightjar.sensor.capture;

/**
 * LINKTYPE_* values as written in pcap and pcapng files (tcpdump.org/linktypes.html). Sources
 * normalise platform DLT_* values (e.g. DLT_RAW 12/14) to these before handing packets on.
 */
public final class LinkType
{
    /** BSD loopback: 4-byte address family in the host byte order of the writer. */
    public static final int NULL = 0;
    /** Ethernet II / 802.3, possibly with 802.1Q / 802.1ad tags. */
    public static final int ETHERNET = 1;
    /** PPP in HDLC-like framing or bare PPP protocol field. */
    public static final int PPP = 9;
    /** PPP in HDLC-like framing (RFC 1662). */
    public static final int PPP_HDLC = 50;
    /** Raw IP: IPv4 or IPv6 decided by the version nibble. */
    public static final int RAW = 101;
    /** Cisco HDLC. */
    public static final int C_HDLC = 104;
    /** OpenBSD loopback: 4-byte address family in network byte order. */
    public static final int LOOP = 108;
    /** Linux cooked capture v1 (16-byte header). */
    public static final int LINUX_SLL = 113;
    /** Raw IPv4. */
    public static final int IPV4 = 228;
    /** Raw IPv6. */
    public static final int IPV6 = 229;
    /** Linux cooked capture v2 (20-byte header). */
    public static final int LINUX_SLL2 = 276;

    private LinkType()
    {
    }

    /**
     * Maps a DLT_* value returned by a libpcap handle (live or reading a file) to its LINKTYPE_* value, as
     * libpcap's {@code dlt_to_linktype} does on Linux for the values where the two spaces differ.
     * Values that are the same in both spaces pass through.
     */
    public static int fromDlt(final int dlt)
    {
        switch (dlt)
        {
            case 12: // DLT_RAW on most platforms
            case 14: // DLT_RAW on OpenBSD
                return RAW;
            case 11: // DLT_ATM_RFC1483 -> LINKTYPE_ATM_RFC1483
                return 100;
            case 19: // DLT_ATM_CLIP (Linux) -> LINKTYPE_ATM_CLIP
                return 106;
            default:
                return dlt;
        }
    }
}
