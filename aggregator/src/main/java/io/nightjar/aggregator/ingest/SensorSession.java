package io.nightjar.aggregator.ingest;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.nightjar.aggregator.store.Progress;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.BatchUpgrade;
import io.nightjar.wire.arrow.DecodedBatch;
import io.nightjar.wire.arrow.IpcStreams;
import io.nightjar.wire.arrow.InvalidBatchException;
import io.nightjar.wire.frame.ErrorCode;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.FrameException;
import io.nightjar.wire.frame.Frames;
import io.nightjar.wire.tls.PeerIdentity;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * One sensor connection on the aggregator: checks the protocol (HELLO first and once, sequences
 * rising, sensor id allowed and matching the client certificate), reads each BATCH's Arrow stream
 * and hands it to the {@link StoreWriter}, and sends ACKs and ERRORs. A sensor of an older schema
 * version (from {@link BatchSchemas#OLDEST_READ_VERSION}) is served: its batches are read in its
 * version's schema and brought to the current one ({@link BatchUpgrade}) before the writer sees them. Any violation sends ERROR,
 * logs one line and closes this connection only. Runs on the connection's event loop, never blocks.
 */
final class SensorSession extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(SensorSession.class);

    private final IngestContext context;
    private Channel channel;
    private String sensorId;
    private int schemaVersion;
    private boolean failed;

    SensorSession(final IngestContext context)
    {
        this.context = context;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
        context.metrics().connections.increment();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final Frame frame = (Frame)msg;
        try
        {
            if (failed)
            {
                return;
            }
            switch (frame.type())
            {
                case HELLO -> onHello(Frames.readHello(frame.payload()));
                case BATCH -> onBatch(frame);
                case HEARTBEAT -> onHeartbeat(frame);
                case ERROR -> onPeerError(Frames.readError(frame.payload()));
                default -> throw new FrameException(ErrorCode.OUT_OF_ORDER, frame.type() + " is not sent by sensors");
            }
        }
        catch (final FrameException ex)
        {
            fail(ex.code(), ex.getMessage());
        }
        catch (final InvalidBatchException ex)
        {
            fail(ErrorCode.INVALID_BATCH, ex.getMessage());
        }
        finally
        {
            frame.release();
        }
    }

    private void onHello(final Frames.Hello hello)
    {
        if (sensorId != null)
        {
            throw new FrameException(ErrorCode.OUT_OF_ORDER, "second HELLO on one connection");
        }
        if (!BatchSchemas.readable(hello.schemaVersion()))
        {
            throw new FrameException(ErrorCode.UNSUPPORTED_VERSION, "schema version " + hello.schemaVersion() + ", this aggregator reads "
                + BatchSchemas.OLDEST_READ_VERSION + " to " + BatchSchemas.VERSION);
        }
        if (!context.registry().allows(hello.sensorId()))
        {
            throw new FrameException(ErrorCode.UNAUTHORISED, "sensor id '" + hello.sensorId() + "' is not allowed");
        }
        final SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl != null)
        {
            final Set<String> names = PeerIdentity.names(ssl.engine().getSession());
            if (!names.contains(hello.sensorId()))
            {
                throw new FrameException(ErrorCode.UNAUTHORISED, "sensor id '" + hello.sensorId() + "' does not match the client certificate "
                    + names);
            }
        }
        sensorId = hello.sensorId();
        schemaVersion = hello.schemaVersion();
        LOG.info("sensor {} connected from {} (software {}, schema {})", sensorId, channel.remoteAddress(), hello.software(),
            hello.schemaVersion());
        // One connection per sensor: the newer one wins; its HELLO is answered once the older is closed,
        // so every batch the older one delivered is queued before the answer.
        context.sessions().replace(sensorId, this, () -> context.writer().submit(new IngestItem.Hello(this, sensorId, hello.spoolId())));
    }

    private void onBatch(final Frame frame)
    {
        if (sensorId == null)
        {
            throw new FrameException(ErrorCode.OUT_OF_ORDER, "BATCH before HELLO");
        }
        final long wireBytes = frame.payload().readableBytes();
        final Frames.BatchHeader header = Frames.readBatchHeader(frame.payload());
        if (header.lastPosition() < header.firstPosition())
        {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "batch positions go backwards: " + header);
        }
        final boolean bins = (frame.flags() & Frame.FLAG_BINS) != 0;
        final BufferAllocator allocator = context.allocator();
        final DecodedBatch read = IpcStreams.read(frame.payload(), BatchSchemas.of(bins, schemaVersion), allocator);
        try
        {
            if (read.rows() != header.rows())
            {
                throw new InvalidBatchException("header says " + header.rows() + " rows, Arrow stream has " + read.rows());
            }
            read.requireSensor(sensorId, allocator);
        }
        catch (final InvalidBatchException ex)
        {
            read.close();
            throw ex;
        }
        final DecodedBatch data = BatchUpgrade.toCurrent(read, allocator);
        context.metrics().batchesReceived.increment();
        if (!context.writer().submit(new IngestItem.Batch(this, sensorId, header, data, wireBytes)))
        {
            channel.config().setAutoRead(false);
            context.metrics().pauses.increment();
            context.writer().pauseUntilDrained(this);
        }
    }

    private void onHeartbeat(final Frame frame)
    {
        if (sensorId == null)
        {
            throw new FrameException(ErrorCode.OUT_OF_ORDER, "HEARTBEAT before HELLO");
        }
        context.writer().submit(new IngestItem.Beat(sensorId, System.currentTimeMillis() * 1000, Frames.readHeartbeat(frame.payload())));
    }

    private void onPeerError(final Frames.ErrorMessage error)
    {
        LOG.warn("sensor {} at {} reported error {}: {}", sensorId, channel.remoteAddress(), error.code(), error.message());
        channel.close();
    }

    /** Sends the durable progress (any thread). */
    void acknowledge(final Progress p)
    {
        if (channel.isActive() && !failed)
        {
            // on the loop, so that an ACK racing the server's shutdown is dropped here (the sensor resends
            // what was not acknowledged) instead of failing in the writer's thread; the buffer is made there too
            onLoop(() -> channel.writeAndFlush(Frames.ack(channel.alloc(), new Frames.Ack(p.sequence(), p.position())), channel.voidPromise()));
        }
    }

    /** Resumes reading after back-pressure (any thread). */
    void resume()
    {
        onLoop(() ->
        {
            channel.config().setAutoRead(true);
            channel.read();
        });
    }

    /**
     * Runs {@code task} on this connection's event loop, or drops it when the loop has shut down (the
     * server is stopping and the connection is gone, so there is nothing left to send).
     */
    private void onLoop(final Runnable task)
    {
        try
        {
            channel.eventLoop().execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            LOG.debug("sensor {}: event loop stopped, dropped a task for the closed connection", sensorId);
        }
    }

    /** Sends ERROR, logs, and closes this connection (any thread). */
    void fail(final int code, final String message)
    {
        if (!channel.eventLoop().inEventLoop())
        {
            onLoop(() -> fail(code, message));
            return;
        }
        if (failed)
        {
            return;
        }
        failed = true;
        context.metrics().rejectedConnections.increment();
        LOG.warn("closing connection from {} (sensor {}): error {}: {}", channel.remoteAddress(), sensorId == null ? "?" : sensorId, code,
            message);
        if (channel.isActive())
        {
            channel.writeAndFlush(Frames.error(channel.alloc(), code, message)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The connection (its close future tells {@link Sessions} when a replaced connection is gone). */
    Channel channel()
    {
        return channel;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof IdleStateEvent)
        {
            fail(ErrorCode.TIMEOUT, "nothing received for " + context.idleTimeoutSeconds() + " s");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        final Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FrameException fe)
        {
            fail(fe.code(), fe.getMessage());
        }
        else if (root instanceof javax.net.ssl.SSLException || root.getCause() instanceof javax.net.ssl.SSLException)
        {
            context.metrics().rejectedConnections.increment();
            LOG.warn("TLS failure with {}: {}", ctx.channel().remoteAddress(), root.getMessage());
            ctx.close();
        }
        else if (root instanceof java.io.IOException)
        {
            LOG.info("connection from {} (sensor {}) lost: {}", ctx.channel().remoteAddress(), sensorId, root.getMessage());
            ctx.close();
        }
        else
        {
            fail(ErrorCode.INTERNAL, root.toString());
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (sensorId != null)
        {
            context.sessions().remove(sensorId, this);
            LOG.info("sensor {} disconnected", sensorId);
        }
        ctx.fireChannelInactive();
    }
}
