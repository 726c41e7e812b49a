package io.nightjar.sensor.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Test-only writers of pcap, pcapng and gzip files, and a handler that records what a source delivers.
 * Independent of the production writer on purpose: the tests check the readers against these bytes.
 */
final class CaptureFileFixtures
{
    private CaptureFileFixtures()
    {
    }

    /** One packet as a source should deliver it. */
    record Packet(long timestampNanos, int linkType, int wireLength, byte[] data)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Packet p && p.timestampNanos == timestampNanos && p.linkType == linkType &&
                p.wireLength == wireLength && Arrays.equals(p.data, data);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(timestampNanos) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString()
        {
            return "Packet[ts=" + timestampNanos + ", linkType=" + linkType + ", wire=" + wireLength + ", cap=" +
                data.length + "]";
        }
    }

    /**
     * Random packets with microsecond timestamps (so every format can hold them exactly), some cut short of
     * their wire length.
     */
    static List<Packet> packets(final long seed, final int count, final int linkType)
    {
        final Random random = new Random(seed);
        final List<Packet> packets = new ArrayList<>();
        long timestampMicros = 1_700_000_000_000_000L;
        for (int i = 0; i < count; i++)
        {
            timestampMicros += random.nextInt(2_000_000);
            final byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            final int wire = data.length + (random.nextInt(4) == 0 ? random.nextInt(1000) : 0);
            packets.add(new Packet(timestampMicros * 1000, linkType, wire, data));
        }
        return packets;
    }

    /** A classic pcap file holding the packets (all of the given link type). */
    static byte[] pcap(final List<Packet> packets, final ByteOrder order, final boolean nanos, final int linkType)
    {
        int size = 24;
        for (final Packet p : packets)
        {
            size += 16 + p.data.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(order);
        out.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
            .putInt(65535).putInt(linkType);
        for (final Packet p : packets)
        {
            out.putInt((int)(p.timestampNanos / 1_000_000_000L));
            final long fraction = p.timestampNanos % 1_000_000_000L;
            out.putInt((int)(nanos ? fraction : fraction / 1000));
            out.putInt(p.data.length).putInt(p.wireLength).put(p.data);
        }
        return out.array();
    }

    /** A pcapng file with one section and one interface with nanosecond resolution holding the packets. */
    static byte[] pcapng(final List<Packet> packets, final ByteOrder order)
    {
        final PcapngBuilder builder = new PcapngBuilder().section(order, 1, 0)
            .interfaceBlock(packets.isEmpty() ? 1 : packets.get(0).linkType, 65535, 9, 0);
        for (final Packet p : packets)
        {
            builder.enhancedPacket(0, p.timestampNanos, p.wireLength, p.data);
        }
        return builder.bytes();
    }

    /** gzip of the bytes, as one member. */
    static byte[] gzip(final byte[] bytes)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out))
        {
            gzip.write(bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    static Path write(final Path dir, final String name, final byte[] bytes)
    {
        try
        {
            return Files.write(dir.resolve(name), bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Reads the source to its end in slices of {@code slice} packets, copying every packet. */
    static List<Packet> readAll(final PacketSource source, final int slice) throws IOException
    {
        final Recorder recorder = new Recorder();
        int guard = 0;
        while (source.read(recorder, slice) >= 0)
        {
            if (++guard > 10_000_000)
            {
                throw new AssertionError("read never returned -1");
            }
        }
        return recorder.packets;
    }

    static List<Packet> readAll(final PacketSource source) throws IOException
    {
        return readAll(source, 7);
    }

    /** Copies every packet it is handed. */
    static final class Recorder implements PacketHandler
    {
        final List<Packet> packets = new ArrayList<>();

        @Override
        public void onPacket(
            final ByteBuffer buffer,
            final int offset,
            final int capturedLength,
            final int wireLength,
            final long timestampNanos,
            final int linkType)
        {
            final byte[] data = new byte[capturedLength];
            buffer.get(offset, data);
            packets.add(new Packet(timestampNanos, linkType, wireLength, data));
        }
    }

    /** Folds every packet into a running hash and a count, without allocating. */
    static final class HashingHandler implements PacketHandler
    {
        long count;
        long hash = 1125899906842597L;
        /** As {@link #hash} without the timestamps. */
        long contentHash = 1125899906842597L;

        @Override
        public void onPacket(
            final ByteBuffer buffer,
            final int offset,
            final int capturedLength,
            final int wireLength,
            final long timestampNanos,
            final int linkType)
        {
            long h = contentHash;
            h = 31 * h + capturedLength;
            h = 31 * h + wireLength;
            h = 31 * h + linkType;
            for (int i = offset, end = offset + capturedLength; i < end; i++)
            {
                h = 31 * h + buffer.get(i);
            }
            contentHash = h;
            hash = 31 * (31 * hash + timestampNanos) + h;
            count++;
        }
    }

    /** Writes pcapng blocks one by one, each in the byte order of the current section. */
    static final class PcapngBuilder
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        /** Per interface of the current section: units per second as written in if_tsresol. */
        private final List<int[]> interfaces = new ArrayList<>();

        PcapngBuilder section(final ByteOrder sectionOrder, final int major, final int minor)
        {
            order = sectionOrder;
            interfaces.clear();
            final ByteBuffer body = body(16 + 12 + 4);
            body.putInt(0x1A2B3C4D).putShort((short)major).putShort((short)minor).putLong(-1L);
            // One option: shb_userappl, 7 bytes padded to 8; then opt_endofopt.
            body.putShort((short)4).putShort((short)7).put("nightjr".getBytes()).put((byte)0);
            body.putInt(0);
            return block(0x0A0D0D0A, body);
        }

        /**
         * @param tsResolution the if_tsresol byte, or -1 for none (microseconds).
         * @param tsOffsetSeconds if_tsoffset, written only if not 0.
         */
        PcapngBuilder interfaceBlock(final int linkType, final int snapLength, final int tsResolution, final long tsOffsetSeconds)
        {
            final ByteBuffer body = body(8 + 8 + 12 + 4);
            body.putShort((short)linkType).putShort((short)0).putInt(snapLength);
            if (tsResolution >= 0)
            {
                body.putShort((short)9).putShort((short)1).put((byte)tsResolution).put(new byte[3]);
            }
            if (tsOffsetSeconds != 0)
            {
                body.putShort((short)14).putShort((short)8).putLong(tsOffsetSeconds);
            }
            body.putInt(0);
            interfaces.add(new int[] {tsResolution});
            return block(1, body);
        }

        /** An EPB whose timestamp is given in nanoseconds and written in the interface's units. */
        PcapngBuilder enhancedPacket(final int interfaceId, final long timestampNanos, final int wireLength, final byte[] data)
        {
            return enhancedPacketUnits(interfaceId, units(interfaceId, timestampNanos), wireLength, data);
        }

        PcapngBuilder enhancedPacketUnits(final int interfaceId, final long units, final int wireLength, final byte[] data)
        {
            final ByteBuffer body = body(20 + pad(data.length) + 8);
            body.putInt(interfaceId).putInt((int)(units >>> 32)).putInt((int)units).putInt(data.length)
                .putInt(wireLength).put(data).position(20 + pad(data.length));
            // opt_comment "x", then opt_endofopt.
            body.putShort((short)1).putShort((short)1).put((byte)'x').put(new byte[3]);
            return block(6, body);
        }

        PcapngBuilder obsoletePacket(final int interfaceId, final long timestampNanos, final int wireLength, final byte[] data)
        {
            final long units = units(interfaceId, timestampNanos);
            final ByteBuffer body = body(20 + pad(data.length));
            body.putShort((short)interfaceId).putShort((short)0).putInt((int)(units >>> 32)).putInt((int)units)
                .putInt(data.length).putInt(wireLength).put(data);
            return block(2, body);
        }

        /** An SPB: the captured part is {@code data}; the wire length may be longer (snapshot cut). */
        PcapngBuilder simplePacket(final int wireLength, final byte[] data)
        {
            final ByteBuffer body = body(4 + pad(data.length));
            body.putInt(wireLength).put(data);
            return block(3, body);
        }

        /** Any other block (name resolution, statistics, custom...), filled with junk. */
        PcapngBuilder otherBlock(final int type, final int bodyLength)
        {
            final ByteBuffer body = body(pad(bodyLength));
            for (int i = 0; i < bodyLength; i++)
            {
                body.put((byte)(i * 7 + 3));
            }
            return block(type, body);
        }

        byte[] bytes()
        {
            return out.toByteArray();
        }

        private long units(final int interfaceId, final long timestampNanos)
        {
            final int resolution = interfaces.get(interfaceId)[0];
            if (resolution < 0)
            {
                return timestampNanos / 1000;
            }
            if ((resolution & 0x80) != 0)
            {
                final int shift = resolution & 0x7F;
                final long seconds = timestampNanos / 1_000_000_000L;
                final long fractionNanos = timestampNanos % 1_000_000_000L;
                // Rounded up so the reader's floor conversion gives back the nanoseconds exactly when 2^shift >= 10^9.
                if (shift > 33)
                {
                    throw new IllegalArgumentException("fixture supports 2^-33 at most");
                }
                final long fraction = ((fractionNanos << shift) + 999_999_999L) / 1_000_000_000L;
                return (seconds << shift) | fraction;
            }
            long unitsPerSecond = 1;
            for (int i = 0; i < resolution; i++)
            {
                unitsPerSecond *= 10;
            }
            return unitsPerSecond >= 1_000_000_000L ?
                timestampNanos * (unitsPerSecond / 1_000_000_000L) :
                timestampNanos / (1_000_000_000L / unitsPerSecond);
        }

        private ByteBuffer body(final int length)
        {
            return ByteBuffer.allocate(length).order(order);
        }

        private PcapngBuilder block(final int type, final ByteBuffer body)
        {
            final int total = 12 + body.capacity();
            final ByteBuffer block = ByteBuffer.allocate(total).order(order);
            block.putInt(type).putInt(total).put(body.array()).putInt(total);
            out.writeBytes(block.array());
            return this;
        }

        private static int pad(final int length)
        {
            return (length + 3) & ~3;
        }
    }
}
