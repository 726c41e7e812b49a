package io.nightjar.aggregator.ingest;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.nightjar.aggregator.store.Progress;
import io.nightjar.wire.frame.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The store writer calls a session from its own thread (ACK, resume, fail) and may do so while the
 * server is stopping. In a report run the writer's {@code fail} hit an event loop that had already
 * terminated: the {@code RejectedExecutionException} killed the writer thread, its batches' Arrow
 * memory was never released, and the aggregator's close failed with "Memory was leaked".
 */
class SensorSessionShutdownTest
{
    @Test
    void callsFromTheWritersThreadAfterTheEventLoopStoppedDoNotThrow() throws Exception
    {
        final DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        final SensorSession session = new SensorSession(new IngestContext(null, null, new Sessions(), new IngestMetrics(), null, 60));
        final LocalAddress address = new LocalAddress("nightjar-session-shutdown-" + System.nanoTime());
        final Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class).childHandler(session)
            .bind(address).sync().channel();
        final Channel client = new Bootstrap().group(group).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter())
            .connect(address).sync().channel();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (session.channel() == null && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertThat(session.channel()).as("the server side of the connection is active").isNotNull();

        assertThat(group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(group.isTerminated()).isTrue();
        assertThat(server.isOpen()).isFalse();
        assertThat(client.isOpen()).isFalse();

        assertThatCode(() -> session.fail(ErrorCode.MALFORMED_FRAME, "late")).doesNotThrowAnyException();
        assertThatCode(session::resume).doesNotThrowAnyException();
        assertThatCode(() -> session.acknowledge(new Progress(1, 1, 1, "spool"))).doesNotThrowAnyException();
    }
}
