package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;

import java.util.List;

/**
 * One finished randomly-spoofed DoS attack as {@link DosAttackDetector} infers it from backscatter:
 * the backscatter of one (victim, protocol) without a pause longer than the detector's gap, that
 * passed its packet, duration and windowed-rate thresholds. Immutable value.
 *
 * @param victim          victim address, 16 bytes (IPv4 as IPv4-mapped IPv6).
 * @param protocol        IP protocol of the backscatter (6 TCP, 1 ICMP, 58 ICMPv6, ...).
 * @param startMicros     first backscatter packet, µs since the epoch.
 * @param endMicros       last backscatter packet, µs since the epoch.
 * @param packets         backscatter packets over every sensor.
 * @param ports           distinct victim ports (TCP/UDP backscatter: the victim's source port); 0 for ICMP.
 * @param attackerSlash16 distinct prefixes of the spoofed addresses, i.e. of the darknet destinations
 *                        that received the backscatter (IPv4 /16, IPv6 /48).
 * @param peakWindowPackets most packets in one window (60 s, sliding by 10 s, by default).
 * @param peakRate        {@code peakWindowPackets / window seconds}, packets/s.
 * @param sensors         ids of the sensors that saw it, sorted (empty when the records carried none).
 */
public record DosAttack(
    byte[] victim,
    int protocol,
    long startMicros,
    long endMicros,
    long packets,
    int ports,
    long attackerSlash16,
    long peakWindowPackets,
    double peakRate,
    List<String> sensors)
{
    /** The victim as text. */
    public String victimText()
    {
        return Addresses.toString(victim);
    }
}
