package io.nightjar.wire.schema;

/**
 * The summary of one time bin of one sensor: what every packet of the bin added up to, including
 * the packets that made no flow record (malformed, non-IP, traffic to non-darknet destinations).
 * Immutable value; arrays must not be modified after construction.
 *
 * @param binStartMicros      start of the bin, µs since the epoch.
 * @param binLengthMicros     bin length, µs.
 * @param classPackets        packets per {@link TrafficClass#id()} (darknet traffic, plus malformed and non-IP).
 * @param classBytes          wire bytes per class.
 * @param anomalies           counters per {@link Anomaly#id()}.
 * @param nonDarknetPackets   well-formed IP packets to destinations outside the darknet.
 * @param nonDarknetBytes     their wire bytes.
 * @param ipv4Packets         packets with an IPv4 header (including malformed and non-darknet ones).
 * @param ipv6Packets         packets with an IPv6 header (likewise).
 * @param captureDrops        packets the capture lost during the bin (kernel, interface and ring drops), 0 for files; for
 *                            bins of this version {@code capture.drops()}, for bins from older sensors (spool layout 2,
 *                            schema version 2) the only drop count known, with {@code capture} all zero.
 * @param capture             the capture's statistics over the bin, split ({@link CaptureStats#NONE} for files).
 * @param flows               flow records of the bin.
 * @param firstMicros         first packet time in the bin, µs (0 if the bin had no packet).
 * @param lastMicros          last packet time in the bin, µs.
 */
public record BinSummary(
    long binStartMicros,
    long binLengthMicros,
    long[] classPackets,
    long[] classBytes,
    long[] anomalies,
    long nonDarknetPackets,
    long nonDarknetBytes,
    long ipv4Packets,
    long ipv6Packets,
    long captureDrops,
    CaptureStats capture,
    long flows,
    long firstMicros,
    long lastMicros)
{
    /** All packets of the bin. */
    public long packets()
    {
        long n = nonDarknetPackets;
        for (final long p : classPackets)
        {
            n += p;
        }
        return n;
    }

    /** All wire bytes of the bin. */
    public long bytes()
    {
        long n = nonDarknetBytes;
        for (final long p : classBytes)
        {
            n += p;
        }
        return n;
    }
}
