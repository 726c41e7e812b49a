package io.nightjar.sensor.capture;

import java.io.IOException;

/**
 * What the in-place file readers share: the {@link ByteWindow}, the packet count and the end-of-input
 * and damage bookkeeping. The per-format {@code read} loops live in the final subclasses.
 *
 * <p>Single-threaded, as {@link PacketSource}.
 */
abstract class WindowedFileSource implements PacketSource
{
    final String name;
    final ByteWindow window;
    /** Packets delivered by completed {@code read} calls. */
    long packets;
    boolean finished;
    private CaptureDamage damage;

    WindowedFileSource(final String name, final ByteWindow window)
    {
        this.name = name;
        this.window = window;
    }

    /**
     * The stream ended where a record or block could start. A gzip stream that ended early is still damage.
     *
     * @param delivered packets delivered by the current {@code read} call so far.
     */
    final void end(final int delivered)
    {
        finished = true;
        if (window.streamProblem != null)
        {
            damage = new CaptureDamage(name, window.streamPosition(), window.streamProblem, packets + delivered);
        }
    }

    /**
     * The record or block at the window's position is damaged: reading stops there.
     *
     * @param reason    what is wrong.
     * @param delivered packets delivered by the current {@code read} call so far.
     */
    final void damage(final String reason, final int delivered)
    {
        finished = true;
        final String fullReason = window.streamProblem == null ? reason : window.streamProblem + "; " + reason;
        damage = new CaptureDamage(name, window.streamPosition(), fullReason, packets + delivered);
    }

    @Override
    public final long position()
    {
        return window.streamPosition();
    }

    @Override
    public final long size()
    {
        return window.fileSize();
    }

    @Override
    public final long filePosition()
    {
        return window.filePosition();
    }

    @Override
    public final CaptureDamage damage()
    {
        return damage;
    }

    @Override
    public final String name()
    {
        return name;
    }

    @Override
    public final void close() throws IOException
    {
        window.close();
    }
}
