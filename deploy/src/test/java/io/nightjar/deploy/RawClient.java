package io.nightjar.deploy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.FrameDecoder;
import io.nightjar.wire.frame.Frames;

import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A misbehaving peer for tests: connects (TLS optional), writes whatever bytes the test gives,
 * and collects the aggregator's ACK/ERROR frames and the close.
 */
final class RawClient implements AutoCloseable
{
    static final Object CLOSED = "closed";
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final Channel channel;

    RawClient(final InetSocketAddress server, final SslContext tls) throws InterruptedException
    {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel ch)
            {
                if (tls != null)
                {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", server.getPort()));
                }
                ch.pipeline().addLast(new FrameDecoder(1 << 20, false), new ChannelInboundHandlerAdapter()
                {
                    @Override
                    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                    {
                        final Frame f = (Frame)msg;
                        received.add(switch (f.type())
                        {
                            case ACK -> Frames.readAck(f.payload());
                            case ERROR -> Frames.readError(f.payload());
                            default -> f.type();
                        });
                        f.release();
                    }

                    @Override
                    public void channelInactive(final ChannelHandlerContext ctx)
                    {
                        received.add(CLOSED);
                    }

                    @Override
                    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                    {
                        ctx.close();
                    }
                });
            }
        }).connect(server).sync().channel();
    }

    void send(final ByteBuf bytes)
    {
        channel.writeAndFlush(bytes);
    }

    void send(final byte[] bytes)
    {
        send(Unpooled.wrappedBuffer(bytes));
    }

    io.netty.buffer.ByteBufAllocator alloc()
    {
        return channel.alloc();
    }

    /** The next thing received (a frame payload record or {@link #CLOSED}), or null after {@code seconds}. */
    Object next(final int seconds) throws InterruptedException
    {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close()
    {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
