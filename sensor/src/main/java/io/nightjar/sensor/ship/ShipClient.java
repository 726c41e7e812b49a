package io.nightjar.sensor.ship;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.FrameDecoder;
import io.nightjar.wire.frame.Frames;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One connection from the shipper to the aggregator (Netty, TLS when configured). Frames from
 * the aggregator become events (an {@link Frames.Ack}, an {@link Frames.ErrorMessage}, or
 * {@link #CLOSED}) that the shipper's thread polls; the shipper's thread writes frames.
 */
final class ShipClient implements AutoCloseable
{
    /** Event: the connection closed. */
    static final Object CLOSED = new Object()
    {
        @Override
        public String toString()
        {
            return "closed";
        }
    };

    private final Channel channel;
    private final LinkedBlockingQueue<Object> events;

    private ShipClient(final Channel channel, final LinkedBlockingQueue<Object> events)
    {
        this.channel = channel;
        this.events = events;
    }

    /** Connects (blocking the caller, not an event loop) within {@code timeoutMillis}. */
    static ShipClient connect(final EventLoopGroup group, final String host, final int port, final SslContext tls, final int timeoutMillis)
        throws IOException
    {
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (tls != null)
                    {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port));
                    }
                    ch.pipeline().addLast("frames", new FrameDecoder(Frame.DEFAULT_MAX_PAYLOAD, false));
                    ch.pipeline().addLast("events", new ChannelInboundHandlerAdapter()
                    {
                        @Override
                        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                        {
                            final Frame f = (Frame)msg;
                            try
                            {
                                switch (f.type())
                                {
                                    case ACK -> events.add(Frames.readAck(f.payload()));
                                    case ERROR -> events.add(Frames.readError(f.payload()));
                                    default -> events.add(new Frames.ErrorMessage(0, "unexpected " + f.type() + " from aggregator"));
                                }
                            }
                            catch (final RuntimeException ex)
                            {
                                events.add(new Frames.ErrorMessage(0, "bad frame from aggregator: " + ex.getMessage()));
                                ctx.close();
                            }
                            finally
                            {
                                f.release();
                            }
                        }

                        @Override
                        public void channelInactive(final ChannelHandlerContext ctx)
                        {
                            events.add(CLOSED);
                        }

                        @Override
                        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                        {
                            events.add(new Frames.ErrorMessage(0, cause.getCause() != null ? cause.getCause().toString() : cause.toString()));
                            ctx.close();
                        }
                    });
                }
            });
        try
        {
            final var future = b.connect(host, port).await();
            if (!future.isSuccess())
            {
                throw new IOException("cannot connect to " + host + ":" + port + ": " + future.cause().getMessage(), future.cause());
            }
            return new ShipClient(future.channel(), events);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted connecting to " + host + ":" + port);
        }
    }

    /** Writes and flushes a frame (takes ownership of {@code frame}). */
    void send(final ByteBuf frame)
    {
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** The next event, waiting up to {@code millis}; null if none. */
    Object poll(final long millis) throws InterruptedException
    {
        return millis <= 0 ? events.poll() : events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The channel's allocator. */
    io.netty.buffer.ByteBufAllocator alloc()
    {
        return channel.alloc();
    }

    /** True while connected. */
    boolean isActive()
    {
        return channel.isActive();
    }

    @Override
    public void close()
    {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
