package io.nightjar.sensor.generate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongConsumer;

/** Test helper: walks the records of a little-endian microsecond pcap held in memory. Test thread only. */
final class PcapScan
{
    /** Receives one record's captured bytes. */
    interface RecordVisitor
    {
        void visit(byte[] file, int offset, int capturedLength);
    }

    private PcapScan()
    {
    }

    static void forEach(final byte[] file, final RecordVisitor visitor)
    {
        final ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int p = 24;
        while (p + 16 <= file.length)
        {
            final int cap = bb.getInt(p + 8);
            visitor.visit(file, p + 16, cap);
            p += 16 + cap;
        }
    }

    static void forEachTimestamp(final byte[] file, final LongConsumer microsSinceEpoch)
    {
        final ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int p = 24;
        while (p + 16 <= file.length)
        {
            microsSinceEpoch.accept((bb.getInt(p) & 0xffffffffL) * 1_000_000L + bb.getInt(p + 4));
            p += 16 + bb.getInt(p + 8);
        }
    }
}
