package io.nightjar.wire.schema;

import io.nightjar.wire.sketch.DistinctSketch;

/**
 * The sub-bin detail that {@link TrafficClass#BACKSCATTER backscatter} flow records carry (and no
 * other record does), so that DoS attacks can be inferred from them (packets in 60-s windows
 * sliding by 10 s, distinct /16 prefixes of the spoofed addresses): part of the wire contract, like
 * {@link DistinctSketch}.
 *
 * <ul>
 *   <li><b>slot packets</b>: the record's packets per 10-s slot ({@link #SLOT_MICROS}) of its bin,
 *       slots aligned to multiples of 10 s since the epoch, slot 0 starting at the bin start. Bins
 *       are therefore required to be a multiple of 10 s long to carry it ({@link #slotsPerBin}); a
 *       late packet (from the previous bin, counted in the current one) is counted in slot 0.
 *       Serialised as {@code n} little-endian signed 32-bit counts, {@code n = bin / 10 s}.</li>
 *   <li><b>destination prefixes</b>: a serialised {@link DistinctSketch} of
 *       {@link #prefixHash the prefixes} of the darknet destinations that received the backscatter:
 *       the /16 of IPv4 destinations (Moore et al.'s "attacker /16s": the spoofed source addresses of
 *       the attack), the /48 of IPv6 destinations.</li>
 * </ul>
 *
 * <p>Stateless; any thread.
 */
public final class BackscatterDetail
{
    /** Length of a slot, µs. */
    public static final long SLOT_MICROS = 10_000_000L;
    /** Length of a slot, ns. */
    public static final long SLOT_NANOS = SLOT_MICROS * 1000;
    /** Most slots per bin (a 1-day bin). */
    public static final int MAX_SLOTS = 8640;

    private BackscatterDetail()
    {
    }

    /** Slots of a bin of this length (ns), or 0 if the bin is not a positive multiple of 10 s (or longer than a day): no slot detail then. */
    public static int slotsPerBin(final long binLengthNanos)
    {
        if (binLengthNanos <= 0 || binLengthNanos % SLOT_NANOS != 0 || binLengthNanos / SLOT_NANOS > MAX_SLOTS)
        {
            return 0;
        }
        return (int)(binLengthNanos / SLOT_NANOS);
    }

    /**
     * The value a destination's prefix is kept as in the destination-prefix sketch: for IPv4 the /16
     * itself ({@code address & 0xffff0000}, distinct per prefix, and cheap on the sensor's per-packet
     * path); for IPv6 {@link DistinctSketch#hashAddress} of the /48. One victim's backscatter reaches
     * destinations of its own address family, so the two kinds of values do not meet in one attack.
     * The sketch mixes values again before its HyperLogLog registers, so values need not be random.
     */
    public static int prefixHash(final long dstHi, final long dstLo)
    {
        if (Addresses.isIpv4Mapped(dstHi, dstLo))
        {
            return (int)dstLo & 0xffff_0000;
        }
        return DistinctSketch.hashAddress(dstHi & 0xffff_ffff_ffff_0000L, 0);
    }

    /** Serialises {@code counts[0 .. n)}. */
    public static byte[] encodeSlots(final int[] counts, final int from, final int n)
    {
        final byte[] out = new byte[4 * n];
        for (int i = 0; i < n; i++)
        {
            final int v = counts[from + i];
            out[4 * i] = (byte)v;
            out[4 * i + 1] = (byte)(v >>> 8);
            out[4 * i + 2] = (byte)(v >>> 16);
            out[4 * i + 3] = (byte)(v >>> 24);
        }
        return out;
    }

    /**
     * Number of slots in serialised slot packets.
     *
     * @throws IllegalArgumentException if the length is not a multiple of 4.
     */
    public static int slotCount(final byte[] slots)
    {
        if (slots.length % 4 != 0)
        {
            throw new IllegalArgumentException("slot packets of " + slots.length + " bytes: not a multiple of 4");
        }
        return slots.length / 4;
    }

    /** Packets of slot {@code i} of serialised slot packets (no allocation). */
    public static int slot(final byte[] slots, final int i)
    {
        final int at = 4 * i;
        return (slots[at] & 0xff) | (slots[at + 1] & 0xff) << 8 | (slots[at + 2] & 0xff) << 16 | (slots[at + 3] & 0xff) << 24;
    }
}
