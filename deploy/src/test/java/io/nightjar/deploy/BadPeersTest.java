package io.nightjar.deploy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.arrow.IpcStreams;
import io.nightjar.wire.frame.ErrorCode;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.Frames;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that must not get in or must not hurt: no client certificate, a certificate of another
 * CA, a sensor claiming another's id, an id not on the allow-list, garbage, an oversized frame, a
 * corrupt Arrow body, rows of another sensor, a half frame that stalls. Each is refused on its own
 * connection (ERROR then close, or a failed handshake) while a good sensor on the same server is
 * still acknowledged afterwards.
 */
class BadPeersTest
{
    @TempDir
    static Path dir;
    static Path pki;
    static Aggregator aggregator;
    static RootAllocator allocator;

    @BeforeAll
    static void start() throws Exception
    {
        pki = TestPki.network();
        allocator = new RootAllocator();
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        aggregator = new Aggregator(Aggregator.Settings.of(any, any, dir.resolve("agg"),
                TlsContexts.server(new TlsFiles(pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"), pki.resolve("ca.pem")), true),
                SensorRegistry.of(List.of(new SensorEntry("s1", "TH", "a", 256), new SensorEntry("s2", "VN", "b", 256),
                    new SensorEntry("s4", "MY", "c", 256))))
            .withMaxFrame(1 << 20).withIdleTimeout(2));
    }

    @AfterAll
    static void stop()
    {
        aggregator.close();
        allocator.close();
    }

    private static SslContext client(final Path base, final String id)
    {
        return TlsContexts.client(new TlsFiles(base.resolve("sensors/" + id + ".pem"), base.resolve("sensors/" + id + ".key"),
            pki.resolve("ca.pem")));
    }

    private static RawClient connect(final SslContext tls) throws InterruptedException
    {
        return new RawClient(aggregator.ingestAddress(), tls);
    }

    private static ByteBuf hello(final RawClient c, final String id)
    {
        return Frames.hello(c.alloc(), new Frames.Hello(id, "test", BatchSchemas.VERSION, "spool-" + id));
    }

    private static byte[] arrowBatch(final String rowsSensor, final int rows)
    {
        try (FlowBatchBuilder b = new FlowBatchBuilder(rowsSensor, allocator))
        {
            for (int i = 0; i < rows; i++)
            {
                b.add(new FlowRecord(0, 60_000_000L, Addresses.parse("192.0.2." + (i % 250 + 1)), 6, 23, TrafficClass.TCP_SCAN.id(), 0, null,
                    1, 60, 1, null, 1, 1, 2, 64, 64, 1024, ""));
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.writeTo(out);
            return out.toByteArray();
        }
    }

    private static ByteBuf batch(final RawClient c, final long seq, final long position, final byte[] arrow, final int rows)
    {
        final ByteBuf f = Frames.batchHeader(c.alloc(), new Frames.BatchHeader(seq, position, position, rows), 0, arrow.length);
        return f.writeBytes(arrow);
    }

    /** Reads until an ERROR (returned) or the close; fails on an ACK. */
    private static int errorCode(final RawClient c) throws InterruptedException
    {
        while (true)
        {
            final Object o = c.next(10);
            if (o instanceof Frames.ErrorMessage e)
            {
                assertThat(c.next(10)).as("closed after ERROR").isEqualTo(RawClient.CLOSED);
                return e.code();
            }
            if (o instanceof Frames.Ack ack && ack.sequence() == 0)
            {
                continue; // the answer to HELLO
            }
            assertThat(o).as("expected ERROR then close").isNotNull().isNotInstanceOf(Frames.Ack.class);
            return -1;
        }
    }

    private static void assertGoodSensorStillServed(final String id, final long seq) throws InterruptedException
    {
        try (RawClient good = connect(client(pki, id)))
        {
            good.send(hello(good, id));
            final Frames.Ack hello = (Frames.Ack)good.next(10);
            assertThat(hello).isNotNull();
            good.send(batch(good, hello.sequence() + 1, hello.position() + 1, arrowBatch(id, 3), 3));
            assertThat(good.next(10)).isEqualTo(new Frames.Ack(hello.sequence() + 1, hello.position() + 1));
        }
    }

    @Test
    void aClientWithoutCertificateIsRefusedInTheHandshake() throws Exception
    {
        final SslContext noCert = SslContextBuilder.forClient().trustManager(pki.resolve("ca.pem").toFile())
            .protocols(TlsContexts.PROTOCOLS).build();
        try (RawClient c = connect(noCert))
        {
            c.send(hello(c, "s1"));
            assertThat(c.next(10)).isEqualTo(RawClient.CLOSED);
        }
        assertGoodSensorStillServed("s1", 1);
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedInTheHandshake() throws Exception
    {
        try (RawClient c = connect(client(TestPki.foreign(), "s1")))
        {
            c.send(hello(c, "s1"));
            assertThat(c.next(10)).isEqualTo(RawClient.CLOSED);
        }
        assertGoodSensorStillServed("s1", 1);
    }

    @Test
    void aSensorClaimingAnothersIdOrAnIdOffTheAllowListIsUnauthorised() throws Exception
    {
        try (RawClient c = connect(client(pki, "s1")))
        {
            c.send(hello(c, "s2"));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.UNAUTHORISED);
        }
        try (RawClient c = connect(client(pki, "s3")))
        {
            c.send(hello(c, "s3"));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.UNAUTHORISED);
        }
        assertGoodSensorStillServed("s2", 1);
    }

    @Test
    void garbageOversizedFramesAndBatchBeforeHelloCloseOnlyTheirConnection() throws Exception
    {
        try (RawClient c = connect(client(pki, "s1")))
        {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.MALFORMED_FRAME);
        }
        try (RawClient c = connect(client(pki, "s1")))
        {
            final ByteBuf header = c.alloc().buffer();
            io.nightjar.wire.frame.Frames.writeHeader(header, io.nightjar.wire.frame.FrameType.BATCH, 0, (1 << 20) + 1);
            c.send(header);
            assertThat(errorCode(c)).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        }
        try (RawClient c = connect(client(pki, "s1")))
        {
            c.send(batch(c, 1, 1, arrowBatch("s1", 1), 1));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.OUT_OF_ORDER);
        }
        assertGoodSensorStillServed("s1", 1);
    }

    @Test
    void aCorruptArrowBodyOrAnotherSensorsRowsAreInvalidAndStoreNothing() throws Exception
    {
        final long before = aggregator.metrics().flowRecordsStored.sum();
        try (RawClient c = connect(client(pki, "s4")))
        {
            c.send(hello(c, "s4"));
            final Frames.Ack h = (Frames.Ack)c.next(10);
            final byte[] arrow = arrowBatch("s4", 5);
            for (int i = arrow.length / 3; i < arrow.length; i += 7)
            {
                arrow[i] ^= 0x5a;
            }
            c.send(batch(c, h.sequence() + 1, h.position() + 1, arrow, 5));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.INVALID_BATCH);
        }
        try (RawClient c = connect(client(pki, "s4")))
        {
            c.send(hello(c, "s4"));
            final Frames.Ack h = (Frames.Ack)c.next(10);
            c.send(batch(c, h.sequence() + 1, h.position() + 1, arrowBatch("s1", 2), 2));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.INVALID_BATCH);
        }
        assertThat(aggregator.metrics().flowRecordsStored.sum()).isEqualTo(before);
        assertGoodSensorStillServed("s4", 1);
    }

    @Test
    void halfAFrameThenSilenceTimesOut() throws Exception
    {
        try (RawClient c = connect(client(pki, "s2")))
        {
            c.send(hello(c, "s2"));
            assertThat(c.next(10)).isInstanceOf(Frames.Ack.class);
            final ByteBuf half = Frames.batchHeader(c.alloc(), new Frames.BatchHeader(1, 1, 1, 1), 0, 1000);
            half.writeBytes(new byte[100]);
            c.send(half);
            final long start = System.nanoTime();
            assertThat(errorCode(c)).isEqualTo(ErrorCode.TIMEOUT);
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(8.0);
        }
        assertGoodSensorStillServed("s2", 1);
    }

    @Test
    void aResentBatchIsAcknowledgedButAppliedOnce() throws Exception
    {
        try (RawClient c = connect(client(pki, "s1")))
        {
            c.send(hello(c, "s1"));
            final Frames.Ack h = (Frames.Ack)c.next(10);
            final long before = aggregator.metrics().flowRecordsStored.sum();
            final byte[] arrow = arrowBatch("s1", 4);
            c.send(batch(c, h.sequence() + 1, h.position() + 10, arrow, 4));
            assertThat(c.next(10)).isEqualTo(new Frames.Ack(h.sequence() + 1, h.position() + 10));
            c.send(batch(c, h.sequence() + 1, h.position() + 10, arrow, 4));
            assertThat(c.next(10)).isEqualTo(new Frames.Ack(h.sequence() + 1, h.position() + 10));
            assertThat(aggregator.metrics().flowRecordsStored.sum() - before).isEqualTo(4);
            assertThat(aggregator.metrics().duplicateBatches.sum()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aSensorOfThePreviousSchemaVersionIsServedAndAnOlderOneIsRefused() throws Exception
    {
        try (RawClient c = connect(client(pki, "s2")))
        {
            c.send(Frames.hello(c.alloc(), new Frames.Hello("s2", "test", BatchSchemas.VERSION - 1, "spool-s2")));
            final Frames.Ack h = (Frames.Ack)c.next(10);
            assertThat(h).as("HELLO of version %d answered", BatchSchemas.VERSION - 1).isNotNull();
            final byte[] bins = previousVersionBins("s2");
            final ByteBuf f = Frames.batchHeader(c.alloc(), new Frames.BatchHeader(h.sequence() + 1, h.position() + 1, h.position() + 1, 1),
                Frame.FLAG_BINS, bins.length);
            c.send(f.writeBytes(bins));
            assertThat(c.next(10)).isEqualTo(new Frames.Ack(h.sequence() + 1, h.position() + 1));
        }
        try (RawClient c = connect(client(pki, "s2")))
        {
            c.send(Frames.hello(c.alloc(), new Frames.Hello("s2", "test", BatchSchemas.OLDEST_READ_VERSION - 1, "spool-s2")));
            assertThat(errorCode(c)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        }
        assertGoodSensorStillServed("s2", 1);
    }

    /** One bin summary as a sensor of the previous schema version ships it (no capture split). */
    private static byte[] previousVersionBins(final String sensor)
    {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchSchemas.bins(BatchSchemas.VERSION - 1), allocator))
        {
            root.allocateNew();
            for (final FieldVector v : root.getFieldVectors())
            {
                if (v instanceof BigIntVector l)
                {
                    l.setSafe(0, v.getName().equals("bin_length_us") ? 60_000_000L : 1);
                }
                else if (v instanceof TimeStampMicroVector t)
                {
                    t.setSafe(0, 1_717_200_000_000_000L);
                }
                else if (v instanceof VarCharVector id)
                {
                    id.setSafe(0, sensor.getBytes(StandardCharsets.UTF_8));
                }
            }
            root.setRowCount(1);
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            IpcStreams.write(root, out);
            return out.toByteArray();
        }
    }
}
