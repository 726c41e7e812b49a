package io.nightjar.aggregator.ingest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.wire.frame.FrameDecoder;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The aggregator's sensor-facing TCP server (Netty; epoll when available): TLS (mutual by
 * default), a minimum rate for frames in progress ({@link SlowFrameGuard}), an idle timeout against
 * stalled peers, frame decoding with a maximum size, then one {@link SensorSession} per connection.
 */
public final class IngestServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(IngestServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;
    private final IngestContext context;

    /**
     * Binds and starts serving.
     *
     * @param tls         server TLS context, or null for plaintext (loopback tests only).
     * @param maxFrame    largest frame payload accepted, bytes.
     * @param idleSeconds seconds without any byte from a peer before it is dropped.
     * @param threads     event-loop threads (0 = Netty's default).
     */
    public IngestServer(final InetSocketAddress listen, final SslContext tls, final SensorRegistry registry, final StoreWriter writer,
                        final IngestMetrics metrics, final BufferAllocator allocator, final int maxFrame, final int idleSeconds,
                        final int threads)
    {
        final IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerSocketChannel> channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class
            : NioServerSocketChannel.class;
        this.boss = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(threads, io);
        this.context = new IngestContext(registry, writer, new Sessions(), metrics, allocator, idleSeconds);
        final ServerBootstrap b = new ServerBootstrap()
            .group(boss, workers)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // BATCH frames are up to --max-frame (typically 0.5-1 MB): Netty 4.2's adaptive allocator
            // takes a fresh direct chunk for many of their cumulation buffers, which the JDK zeroes
            // and the kernel faults in; the pooled arenas reuse theirs
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 << 10, 256 << 10))
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (tls != null)
                    {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast("slow", new SlowFrameGuard(idleSeconds));
                    ch.pipeline().addLast("idle", new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS));
                    ch.pipeline().addLast("frames", new FrameDecoder(maxFrame, true));
                    ch.pipeline().addLast("session", new SensorSession(context));
                }
            });
        try
        {
            this.server = b.bind(listen).sync().channel();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while binding " + listen);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw new IllegalArgumentException("cannot listen on " + listen + ": " + ex.getMessage(), ex);
        }
        LOG.info("ingest: listening on {} ({}, max frame {} bytes, idle timeout {} s, allow-list: {})", address(),
            tls == null ? "PLAINTEXT" : "mutual TLS", maxFrame, idleSeconds, registry.isOpen() ? "none" : registry.sensors().keySet());
    }

    /** The bound address (the port is real even when 0 was asked). */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)server.localAddress();
    }

    /** Sensors connected now. */
    public int connectedSensors()
    {
        return context.sessions().size();
    }

    @Override
    public void close()
    {
        if (server != null)
        {
            server.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
