package io.nightjar.aggregator.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gives an HTTP connection a deadline to deliver each complete request: from its opening, and
 * again from each answer, it has {@code millis} ms to send a whole request (line, headers, body), or
 * it is closed. A read timeout alone would not do: a client sending its headers one byte at a
 * time (slowloris) is never idle. While a request is being answered (queries may take seconds)
 * the clock is stopped. Sits after the {@code HttpObjectAggregator}; event-loop thread only.
 */
final class RequestDeadline extends ChannelDuplexHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

    private final long millis;
    private ScheduledFuture<?> deadline;
    private int answering;

    /** Closes connections that take longer than {@code millis} ms to deliver a request. */
    RequestDeadline(final long millis)
    {
        this.millis = millis;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof FullHttpRequest)
        {
            answering++;
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpResponse && answering > 0 && --answering == 0)
        {
            arm(ctx);
        }
        ctx.write(msg, promise);
    }

    private void arm(final ChannelHandlerContext ctx)
    {
        disarm();
        deadline = ctx.executor().schedule(() ->
        {
            LOG.debug("api: closing {}: no complete request within {} ms", ctx.channel().remoteAddress(), millis);
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void disarm()
    {
        if (deadline != null)
        {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        disarm();
        ctx.fireChannelInactive();
    }
}
