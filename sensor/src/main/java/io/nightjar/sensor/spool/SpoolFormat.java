package io.nightjar.sensor.spool;

import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.BinSummary;
import io.nightjar.wire.schema.CaptureStats;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import net.openhft.chronicle.bytes.Bytes;

import java.util.ArrayList;
import java.util.List;

/**
 * Layout of the spool's documents (Chronicle Queue excerpts, Chronicle's native byte order). Each
 * closed bin is written as zero or more FLOWS documents followed by one BIN document, so a reader
 * that has seen the BIN document has seen the whole bin.
 *
 * <pre>
 *  FLOWS: u8 type=1, u8 version=3, i64 binStartMicros, i64 binLengthMicros, i32 count, then count records:
 *         16 bytes src, u8 protocol, u16 port, u8 class, u8 fingerprint, u8 hasVictim [16 bytes victim],
 *         i64 packets, i64 bytes, i64 distinctDestinations, i64 firstMicros, i64 lastMicros,
 *         u8 tcpFlags, u8 ttlMin, u8 ttlMax, i32 synWindow, utf8 synOptions, i32 sketchLength, sketch bytes,
 *         i32 slotPacketsLength, slot packets bytes, i32 destinationPrefixesLength, prefix sketch bytes
 *         (lengths -1 for null; the last two fields are new in version 2, see BackscatterDetail)
 *  BIN:   u8 type=2, u8 version=3, i64 binStartMicros, i64 binLengthMicros,
 *         u8 classes, classes x (i64 packets, i64 bytes), u8 anomalies, anomalies x i64,
 *         i64 nonDarknetPackets, i64 nonDarknetBytes, i64 ipv4, i64 ipv6, i64 captureDrops, i64 flows,
 *         i64 firstMicros, i64 lastMicros,
 *         i64 captureReceived, i64 captureKernelDrops, i64 captureInterfaceDrops, i64 captureRingDrops
 *         (the last four are new in version 3, see CaptureStats; the FLOWS layout did not change in version 3)
 * </pre>
 *
 * Version 1 documents (no backscatter detail) and version 2 documents (bins without the split
 * capture statistics: read as {@link CaptureStats#NONE}, their {@code captureDrops} kept) are still read. Stateless; the methods run on the spool's single writer thread or on a reader's thread.
 */
public final class SpoolFormat
{
    /** Document type of a chunk of flow records. */
    public static final int TYPE_FLOWS = 1;
    /** Document type of a bin summary (last document of a bin). */
    public static final int TYPE_BIN = 2;
    /** Layout version written. */
    public static final int VERSION = 3;
    /** Oldest layout version read. */
    public static final int OLDEST_READ_VERSION = 1;
    /** Flow records per FLOWS document. */
    public static final int FLOWS_PER_DOCUMENT = 1024;

    private SpoolFormat()
    {
    }

    /** Writes the header of a FLOWS document. */
    public static void writeFlowsHeader(final Bytes<?> b, final long binStartMicros, final long binLengthMicros, final int count)
    {
        b.writeUnsignedByte(TYPE_FLOWS);
        b.writeUnsignedByte(VERSION);
        b.writeLong(binStartMicros);
        b.writeLong(binLengthMicros);
        b.writeInt(count);
    }

    /** Writes one flow record (bin fields are in the document header). */
    public static void writeFlow(final Bytes<?> b, final FlowRecord r)
    {
        b.write(r.src());
        b.writeUnsignedByte(r.protocol());
        b.writeUnsignedShort(r.port());
        b.writeUnsignedByte(r.trafficClass());
        b.writeUnsignedByte(r.fingerprint());
        if (r.victim() != null)
        {
            b.writeUnsignedByte(1);
            b.write(r.victim());
        }
        else
        {
            b.writeUnsignedByte(0);
        }
        b.writeLong(r.packets());
        b.writeLong(r.bytes());
        b.writeLong(r.distinctDestinations());
        b.writeLong(r.firstMicros());
        b.writeLong(r.lastMicros());
        b.writeUnsignedByte(r.tcpFlags());
        b.writeUnsignedByte(r.ttlMin());
        b.writeUnsignedByte(r.ttlMax());
        b.writeInt(r.synWindow());
        b.writeUtf8(r.synOptions());
        final byte[] sketch = r.destinationSketch();
        writeBytes(b, sketch);
        writeBytes(b, r.slotPackets());
        writeBytes(b, r.destinationPrefixes());
    }

    private static void writeBytes(final Bytes<?> b, final byte[] value)
    {
        b.writeInt(value == null ? -1 : value.length);
        if (value != null)
        {
            b.write(value);
        }
    }

    private static byte[] readBytes(final Bytes<?> b)
    {
        final int length = b.readInt();
        if (length < 0)
        {
            return null;
        }
        final byte[] value = new byte[length];
        b.read(value);
        return value;
    }

    /** Writes a BIN document. */
    public static void writeBin(final Bytes<?> b, final BinSummary s)
    {
        b.writeUnsignedByte(TYPE_BIN);
        b.writeUnsignedByte(VERSION);
        b.writeLong(s.binStartMicros());
        b.writeLong(s.binLengthMicros());
        b.writeUnsignedByte(s.classPackets().length);
        for (int i = 0; i < s.classPackets().length; i++)
        {
            b.writeLong(s.classPackets()[i]);
            b.writeLong(s.classBytes()[i]);
        }
        b.writeUnsignedByte(s.anomalies().length);
        for (final long a : s.anomalies())
        {
            b.writeLong(a);
        }
        b.writeLong(s.nonDarknetPackets());
        b.writeLong(s.nonDarknetBytes());
        b.writeLong(s.ipv4Packets());
        b.writeLong(s.ipv6Packets());
        b.writeLong(s.captureDrops());
        b.writeLong(s.flows());
        b.writeLong(s.firstMicros());
        b.writeLong(s.lastMicros());
        final CaptureStats capture = s.capture();
        b.writeLong(capture.received());
        b.writeLong(capture.kernelDrops());
        b.writeLong(capture.interfaceDrops());
        b.writeLong(capture.ringDrops());
    }

    /** One decoded document: either a bin summary or a chunk of flow records. */
    public record Document(int type, BinSummary bin, List<FlowRecord> flows)
    {
    }

    /**
     * Reads one document.
     *
     * @throws IllegalStateException naming what is wrong if the document is not in this layout.
     */
    public static Document read(final Bytes<?> b)
    {
        final int type = b.readUnsignedByte();
        final int version = b.readUnsignedByte();
        if (version < OLDEST_READ_VERSION || version > VERSION)
        {
            throw new IllegalStateException("spool document version " + version + ", this sensor reads " + OLDEST_READ_VERSION + " to " + VERSION);
        }
        final long binStart = b.readLong();
        final long binLength = b.readLong();
        if (type == TYPE_FLOWS)
        {
            final int count = b.readInt();
            final List<FlowRecord> flows = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final byte[] src = new byte[16];
                b.read(src);
                final int protocol = b.readUnsignedByte();
                final int port = b.readUnsignedShort();
                final int cls = b.readUnsignedByte();
                final int fingerprint = b.readUnsignedByte();
                byte[] victim = null;
                if (b.readUnsignedByte() == 1)
                {
                    victim = new byte[16];
                    b.read(victim);
                }
                final long packets = b.readLong();
                final long bytes = b.readLong();
                final long distinct = b.readLong();
                final long first = b.readLong();
                final long last = b.readLong();
                final int flags = b.readUnsignedByte();
                final int ttlMin = b.readUnsignedByte();
                final int ttlMax = b.readUnsignedByte();
                final int synWindow = b.readInt();
                final String synOptions = b.readUtf8();
                final byte[] sketch = readBytes(b);
                final byte[] slotPackets = version >= 2 ? readBytes(b) : null;
                final byte[] prefixes = version >= 2 ? readBytes(b) : null;
                flows.add(new FlowRecord(binStart, binLength, src, protocol, port, cls, fingerprint, victim, packets,
                    bytes, distinct, sketch, first, last, flags, ttlMin, ttlMax, synWindow, synOptions == null ? "" : synOptions,
                    slotPackets, prefixes));
            }
            return new Document(type, null, flows);
        }
        if (type == TYPE_BIN)
        {
            final int classes = b.readUnsignedByte();
            final long[] classPackets = new long[Math.max(classes, TrafficClass.COUNT)];
            final long[] classBytes = new long[classPackets.length];
            for (int i = 0; i < classes; i++)
            {
                classPackets[i] = b.readLong();
                classBytes[i] = b.readLong();
            }
            final int anomalyCount = b.readUnsignedByte();
            final long[] anomalies = new long[Math.max(anomalyCount, Anomaly.COUNT)];
            for (int i = 0; i < anomalyCount; i++)
            {
                anomalies[i] = b.readLong();
            }
            final long nonDarknetPackets = b.readLong();
            final long nonDarknetBytes = b.readLong();
            final long ipv4 = b.readLong();
            final long ipv6 = b.readLong();
            final long captureDrops = b.readLong();
            final long flows = b.readLong();
            final long first = b.readLong();
            final long last = b.readLong();
            final CaptureStats capture = version >= 3 ? new CaptureStats(b.readLong(), b.readLong(), b.readLong(), b.readLong()) : CaptureStats.NONE;
            final BinSummary s = new BinSummary(binStart, binLength, classPackets, classBytes, anomalies, nonDarknetPackets, nonDarknetBytes,
                ipv4, ipv6, captureDrops, capture, flows, first, last);
            return new Document(type, s, List.of());
        }
        throw new IllegalStateException("unknown spool document type " + type);
    }
}
