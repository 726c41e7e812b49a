package io.nightjar.wire.schema;

import io.nightjar.wire.sketch.DistinctSketch;

/**
 * One flow record: the traffic of one key during one time bin, as a sensor spools it and ships it.
 * Immutable value; the byte arrays must not be modified after construction.
 *
 * <p>Key: (bin, source, protocol, port, class, fingerprint, victim). Destination addresses never
 * appear: only their count and the mergeable {@link DistinctSketch} of their hashes.
 *
 * @param binStartMicros         start of the bin, µs since the epoch (a multiple of the bin length).
 * @param binLengthMicros        bin length, µs.
 * @param src                    source address, 16 bytes (IPv4 as IPv4-mapped IPv6).
 * @param protocol               IP protocol number (6, 17, 1, 58, ...).
 * @param port                   TCP/UDP: destination port, except for TCP backscatter where it is the
 *                               source port (the victim's service); ICMP/ICMPv6: (type &lt;&lt; 8) | code;
 *                               other protocols and fragments: 0.
 * @param trafficClass           {@link TrafficClass#id()}.
 * @param fingerprint            mask of {@link ScannerTool#bit()}s the packets matched.
 * @param victim                 for ICMP errors quoting a packet: the quoted destination (the victim),
 *                               16 bytes; else null.
 * @param packets                packets.
 * @param bytes                  sum of wire lengths.
 * @param distinctDestinations   distinct darknet destinations in this bin (exact).
 * @param destinationSketch      serialised {@link DistinctSketch} of the destinations, or null when
 *                               the producer did not compute it.
 * @param firstMicros            first packet time, µs since the epoch.
 * @param lastMicros             last packet time, µs since the epoch.
 * @param tcpFlags               union of TCP flags.
 * @param ttlMin                 minimum TTL / hop limit.
 * @param ttlMax                 maximum TTL / hop limit.
 * @param synWindow              window of the first SYN, -1 if no SYN.
 * @param synOptions             option signature of the first SYN (see {@link #optionSignature}), "" if none.
 * @param slotPackets            backscatter records only: packets per 10-s slot of the bin, serialised as
 *                               {@link BackscatterDetail} defines; else (or when the bin is not a multiple
 *                               of 10 s) null.
 * @param destinationPrefixes    backscatter records only: serialised {@link DistinctSketch} of the
 *                               destinations' prefixes ({@link BackscatterDetail#prefixHash}); else null.
 */
public record FlowRecord(
    long binStartMicros,
    long binLengthMicros,
    byte[] src,
    int protocol,
    int port,
    int trafficClass,
    int fingerprint,
    byte[] victim,
    long packets,
    long bytes,
    long distinctDestinations,
    byte[] destinationSketch,
    long firstMicros,
    long lastMicros,
    int tcpFlags,
    int ttlMin,
    int ttlMax,
    int synWindow,
    String synOptions,
    byte[] slotPackets,
    byte[] destinationPrefixes)
{
    /** A record without backscatter detail (every class but backscatter, and layout-1 spools). */
    public FlowRecord(
        final long binStartMicros,
        final long binLengthMicros,
        final byte[] src,
        final int protocol,
        final int port,
        final int trafficClass,
        final int fingerprint,
        final byte[] victim,
        final long packets,
        final long bytes,
        final long distinctDestinations,
        final byte[] destinationSketch,
        final long firstMicros,
        final long lastMicros,
        final int tcpFlags,
        final int ttlMin,
        final int ttlMax,
        final int synWindow,
        final String synOptions)
    {
        this(binStartMicros, binLengthMicros, src, protocol, port, trafficClass, fingerprint, victim, packets, bytes,
            distinctDestinations, destinationSketch, firstMicros, lastMicros, tcpFlags, ttlMin, ttlMax, synWindow, synOptions, null, null);
    }

    /**
     * Renders a SYN's TCP options in order, p0f style: "M1460,N,W7,S,T" (M = MSS with value,
     * W = window scale with value, S = SACK permitted, T = timestamps, N = NOP, E = end of list,
     * other kinds as their number).
     *
     * @param kinds one option kind per byte, first option in the most significant used byte.
     * @param count number of kinds in {@code kinds}.
     */
    public static String optionSignature(final long kinds, final int count, final int mss, final int windowScale)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = count - 1; i >= 0; i--)
        {
            final int kind = (int)(kinds >>> (8 * i)) & 0xff;
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            switch (kind)
            {
                case 0 -> sb.append('E');
                case 1 -> sb.append('N');
                case 2 -> sb.append('M').append(mss < 0 ? "?" : Integer.toString(mss));
                case 3 -> sb.append('W').append(windowScale < 0 ? "?" : Integer.toString(windowScale));
                case 4 -> sb.append('S');
                case 8 -> sb.append('T');
                default -> sb.append(kind);
            }
        }
        return sb.toString();
    }

    /** The class as an enum. */
    public TrafficClass trafficClassEnum()
    {
        return TrafficClass.ofId(trafficClass);
    }

    /** Whether the source is an IPv4 address (IPv4-mapped). */
    public boolean isIpv4()
    {
        return Addresses.isIpv4Mapped(src);
    }
}
