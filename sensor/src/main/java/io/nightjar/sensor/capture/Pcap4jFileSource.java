package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;

import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * A capture file read by libpcap through pcap4j's raw path ({@code PcapHandle.loop} with a
 * {@link RawPacketListener}), never its packet object model: the second opinion behind
 * {@link PacketSource}, and the reader for anything libpcap reads that {@link CaptureFiles} does not.
 *
 * <p>Slower than {@link CaptureFiles} (about 1.5-2M packets/s) and it allocates per packet inside pcap4j
 * (a {@code byte[]}, a timestamp); each packet is copied into one reused buffer before the handler sees it.
 * libpcap hands over one link type per file (that of the first pcapng interface; libpcap stops at an
 * interface with another one), mapped from DLT_* to LINKTYPE_* by {@link LinkType#fromDlt}. libpcap applies
 * its own fix-ups to some pseudo-headers (USB, NFLOG, CAN in Linux cooked captures) that
 * {@link CaptureFiles} does not.
 *
 * <p>Damage is what libpcap reports (e.g. "truncated dump file"): libpcap gives no byte offset, so
 * {@link CaptureDamage#byteOffset()} is -1, as are {@link #position()} and {@link #filePosition()}.
 * A packet whose timestamp pcap4j cannot represent (a fraction of a second out of range, only in corrupt
 * files) is dropped inside pcap4j, and the read ends early as if the file ended there.
 *
 * <p>Needs the Debian package {@code libpcap0.8} at run time. Single-threaded, as {@link PacketSource}.
 */
public final class Pcap4jFileSource implements PacketSource
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String name;
    private final long size;
    private final PcapHandle handle;
    private final int linkType;
    private final RawPacketListener listener = this::onRawPacket;
    private ByteBuffer packetBuffer = ByteBuffer.allocate(2048);
    private PacketHandler handler;
    private int deliveredInCall;
    private long packets;
    private boolean finished;
    private CaptureDamage damage;

    private Pcap4jFileSource(final String name, final long size, final PcapHandle handle)
    {
        this.name = name;
        this.size = size;
        this.handle = handle;
        this.linkType = LinkType.fromDlt(handle.getDlt().value());
    }

    /**
     * Opens a capture file with libpcap, timestamps in nanoseconds.
     *
     * @param file the file (pcap or pcapng; gzip only if the system's libpcap reads it).
     * @return the source; the caller closes it.
     * @throws CaptureFormatException if libpcap refuses the file; the message names the file and gives libpcap's reason.
     * @throws IOException            if the file cannot be read.
     */
    public static Pcap4jFileSource open(final Path file) throws IOException
    {
        final String name = file.toString();
        if (!Files.isReadable(file) || Files.isDirectory(file))
        {
            throw new CaptureFormatException(name, "no such readable file");
        }
        final long size = Files.size(file);
        try
        {
            return new Pcap4jFileSource(name, size, Pcaps.openOffline(name, PcapHandle.TimestampPrecision.NANO));
        }
        catch (final PcapNativeException ex)
        {
            throw new CaptureFormatException(name, "libpcap refuses it: " + ex.getMessage(), ex);
        }
    }

    @Override
    public int read(final PacketHandler handler, final int maxPackets) throws IOException
    {
        if (finished)
        {
            return -1;
        }
        if (maxPackets <= 0)
        {
            return 0;
        }
        this.handler = handler;
        deliveredInCall = 0;
        try
        {
            handle.loop(maxPackets, listener);
            if (deliveredInCall < maxPackets)
            {
                finished = true;
            }
        }
        catch (final PcapNativeException ex)
        {
            finished = true;
            damage = new CaptureDamage(name, -1, "libpcap: " + ex.getMessage(), packets + deliveredInCall);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final NotOpenException ex)
        {
            throw new IOException(name + ": read after close", ex);
        }
        finally
        {
            this.handler = null;
        }
        final int delivered = deliveredInCall;
        packets += delivered;
        return delivered == 0 && finished ? -1 : delivered;
    }

    private void onRawPacket(final byte[] packet)
    {
        ByteBuffer buffer = packetBuffer;
        if (buffer.capacity() < packet.length)
        {
            buffer = ByteBuffer.allocate(Math.max(packet.length, 2 * buffer.capacity()));
            packetBuffer = buffer;
        }
        System.arraycopy(packet, 0, buffer.array(), 0, packet.length);

        final int wireLength = handle.getOriginalLength();
        deliveredInCall++;
        handler.onPacket(
            buffer,
            0,
            packet.length,
            wireLength < 0 ? Integer.MAX_VALUE : wireLength,
            timestampNanos(handle),
            linkType);
    }

    /** The current packet's timestamp in ns since the epoch (a handle opened with nanosecond precision). */
    static long timestampNanos(final PcapHandle handle)
    {
        final Timestamp ts = handle.getTimestamp();
        return Math.floorDiv(ts.getTime(), 1000L) * NANOS_PER_SECOND + ts.getNanos();
    }

    /** @return -1: libpcap does not say how far into the file it is. */
    @Override
    public long position()
    {
        return -1;
    }

    @Override
    public long size()
    {
        return size;
    }

    /** @return -1: libpcap does not say how far into the file it is. */
    @Override
    public long filePosition()
    {
        return -1;
    }

    @Override
    public CaptureDamage damage()
    {
        return damage;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void close()
    {
        handle.close();
    }
}
