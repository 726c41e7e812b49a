package io.nightjar.aggregator.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.nightjar.wire.frame.ErrorCode;
import io.nightjar.wire.frame.FrameDecoder;
import io.nightjar.wire.frame.FrameException;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that trickles a frame in (slowloris). The idle timeout only sees silence: a
 * peer sending one byte a second is never silent, and could hold a connection and a frame's buffer
 * for as long as the frame is long. So, per window of the idle timeout: when a frame has been
 * incomplete since before the window began, the window must have brought at least
 * {@link #MIN_BYTES_PER_SECOND} bytes per second, else a {@link FrameException} with
 * {@link ErrorCode#TIMEOUT} goes down the pipeline (the session sends ERROR and closes). Windows
 * while reading is paused (back-pressure) are not judged. Sits between TLS and the
 * {@link FrameDecoder}; event-loop thread only.
 */
final class SlowFrameGuard extends ChannelInboundHandlerAdapter
{
    /** The slowest a frame in progress may arrive, bytes per second (8 kbit/s). */
    static final int MIN_BYTES_PER_SECOND = 1024;

    private final int windowSeconds;
    private ScheduledFuture<?> check;
    private long windowStartNanos;
    private long windowBytes;
    private long partialSinceNanos = -1;
    private boolean paused;

    /** Judges windows of {@code windowSeconds} (the idle timeout). */
    SlowFrameGuard(final int windowSeconds)
    {
        this.windowSeconds = windowSeconds;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        windowStartNanos = System.nanoTime();
        check = ctx.executor().scheduleAtFixedRate(() -> judge(ctx), windowSeconds, windowSeconds, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf b)
        {
            windowBytes += b.readableBytes();
        }
        ctx.fireChannelRead(msg);
        final FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
        if (frames == null || frames.bufferedBytes() == 0)
        {
            partialSinceNanos = -1;
        }
        else if (partialSinceNanos < 0)
        {
            partialSinceNanos = System.nanoTime();
        }
    }

    private void judge(final ChannelHandlerContext ctx)
    {
        final long now = System.nanoTime();
        final boolean reading = ctx.channel().config().isAutoRead();
        final boolean judged = reading && !paused && partialSinceNanos >= 0 && partialSinceNanos < windowStartNanos;
        final long minBytes = (long)MIN_BYTES_PER_SECOND * windowSeconds;
        final long got = windowBytes;
        paused = !reading;
        windowStartNanos = now;
        windowBytes = 0;
        if (judged && got < minBytes)
        {
            ctx.fireExceptionCaught(new FrameException(ErrorCode.TIMEOUT, "a frame trickles in: " + got + " bytes in " + windowSeconds
                + " s (at least " + MIN_BYTES_PER_SECOND + " bytes/s while a frame is incomplete)"));
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        cancel();
    }

    private void cancel()
    {
        if (check != null)
        {
            check.cancel(false);
            check = null;
        }
    }
}
