package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

import java.util.List;

/**
 * One finished scan event as {@link ScanEventDetector} reports it: the traffic of one (source,
 * protocol, port, class) without a pause longer than the detector's gap, that passed its
 * destination and rate thresholds. Immutable value (the address array must not be modified).
 *
 * @param src          source address, 16 bytes (IPv4 as IPv4-mapped IPv6).
 * @param protocol     IP protocol number.
 * @param port         the records' port (destination port; ICMP: type &lt;&lt; 8 | code).
 * @param trafficClass {@link TrafficClass#id()}.
 * @param startMicros  first packet, µs since the epoch.
 * @param endMicros    last packet, µs since the epoch.
 * @param packets      packets over every sensor.
 * @param destinations distinct darknet destinations over every sensor (merged sketches).
 * @param coverage     {@code destinations / darknet IPv4 addresses} for an IPv4 source; NaN for IPv6.
 * @param tool         the scanner tool the event's packets are attributed to
 *                     ({@link ScannerTool#attributes}), or null.
 * @param rate         global packet rate, packets/s: {@code packets × 2^32 / darknet IPv4 addresses /
 *                     max(end − start, 1 s)}; NaN for an IPv6 source (not scaled, not thresholded).
 * @param sensors      ids of the sensors that saw it, sorted (empty when the records carried none).
 */
public record ScanEvent(
    byte[] src,
    int protocol,
    int port,
    int trafficClass,
    long startMicros,
    long endMicros,
    long packets,
    long destinations,
    double coverage,
    ScannerTool tool,
    double rate,
    List<String> sensors)
{
    /** The source as text. */
    public String srcText()
    {
        return Addresses.toString(src);
    }

    /** The class as an enum. */
    public TrafficClass trafficClassEnum()
    {
        return TrafficClass.ofId(trafficClass);
    }
}
