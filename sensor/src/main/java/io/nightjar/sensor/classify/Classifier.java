package io.nightjar.sensor.classify;

import io.nightjar.sensor.decode.DecodedPacket;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

/**
 * Gives every decoded packet exactly one {@link TrafficClass} and the mask of scanner-tool
 * fingerprints it matches. Stateless and allocation-free; safe to share, though each capture
 * thread normally has its own.
 *
 * <p>Order of the rules: non-IP, then malformed (a fatal anomaly), then fragment, then by protocol.
 * A TCP segment with RST is backscatter whatever else is set; SYN+ACK is backscatter; SYN without
 * ACK (and without RST) is a scan. See {@link TrafficClass} for the full definitions.
 */
public final class Classifier
{
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;

    /** IPv4 identification that ZMap (before 4.1) puts in every probe. */
    public static final int ZMAP_IP_ID = 54321;

    /** Returns the {@link TrafficClass#id()} of the packet. */
    public static int classify(final DecodedPacket p)
    {
        if (p.ipVersion == 0)
        {
            return p.fatal != null ? TrafficClass.MALFORMED.id() : TrafficClass.NON_IP.id();
        }
        if (p.fatal != null)
        {
            return TrafficClass.MALFORMED.id();
        }
        if (p.fragment)
        {
            return TrafficClass.FRAGMENT.id();
        }
        switch (p.protocol)
        {
            case 6:
            {
                final int f = p.tcpFlags;
                if ((f & RST) != 0)
                {
                    return TrafficClass.BACKSCATTER.id();
                }
                if ((f & SYN) != 0)
                {
                    return (f & ACK) != 0 ? TrafficClass.BACKSCATTER.id() : TrafficClass.TCP_SCAN.id();
                }
                return TrafficClass.TCP_OTHER.id();
            }
            case 17:
                return TrafficClass.UDP_PROBE.id();
            case 1:
                if (p.icmpType < 0)
                {
                    return TrafficClass.OTHER.id(); // protocol 1 inside IPv6
                }
                return isIcmpBackscatter(p.icmpType) ? TrafficClass.BACKSCATTER.id() : TrafficClass.ICMP_PROBE.id();
            case 58:
                if (p.icmpType < 0)
                {
                    return TrafficClass.OTHER.id(); // protocol 58 inside IPv4
                }
                return isIcmpv6Backscatter(p.icmpType) ? TrafficClass.BACKSCATTER.id() : TrafficClass.ICMP_PROBE.id();
            default:
                return TrafficClass.OTHER.id();
        }
    }

    /** ICMP types that are replies or errors: echo reply 0, unreachable 3, source quench 4, redirect 5, time exceeded 11, parameter problem 12, timestamp reply 14, information reply 16, address mask reply 18. */
    public static boolean isIcmpBackscatter(final int type)
    {
        switch (type)
        {
            case 0:
            case 3:
            case 4:
            case 5:
            case 11:
            case 12:
            case 14:
            case 16:
            case 18:
                return true;
            default:
                return false;
        }
    }

    /** ICMPv6 error types 1 to 4 and echo reply 129. */
    public static boolean isIcmpv6Backscatter(final int type)
    {
        return (type >= 1 && type <= 4) || type == 129;
    }

    /**
     * The fingerprint mask ({@link ScannerTool#bit()}s) of a packet of class {@code trafficClass}.
     * Only IPv4 packets in a tool's scope can match.
     */
    public static int fingerprint(final DecodedPacket p, final int trafficClass)
    {
        if (p.ipVersion != 4)
        {
            return 0;
        }
        int mask = 0;
        if (p.ipId == ZMAP_IP_ID && (trafficClass == TrafficClass.TCP_SCAN.id() ||
            trafficClass == TrafficClass.UDP_PROBE.id() || trafficClass == TrafficClass.ICMP_PROBE.id()))
        {
            mask |= ScannerTool.ZMAP.bit();
        }
        if (trafficClass == TrafficClass.TCP_SCAN.id())
        {
            final int dst = p.dstV4;
            final int seq = p.tcpSeq;
            if (((dst ^ p.dstPort ^ seq) & 0xffff) == p.ipId)
            {
                mask |= ScannerTool.MASSCAN.bit();
            }
            if (seq == dst)
            {
                mask |= ScannerTool.MIRAI.bit();
            }
        }
        return mask;
    }

    private Classifier()
    {
    }
}
