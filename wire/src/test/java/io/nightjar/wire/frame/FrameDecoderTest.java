package io.nightjar.wire.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameDecoderTest
{
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void framesSplitAcrossReadsAreReassembledAndPayloadsRoundTrip()
    {
        final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024, true));
        final ByteBuf hello = Frames.hello(ALLOC, new Frames.Hello("th-bkk-1", "nightjar 0.1.0", 1, "spool-uuid"));
        final ByteBuf beat = Frames.heartbeat(ALLOC, new Heartbeat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        final ByteBuf both = Unpooled.wrappedBuffer(hello, beat);
        while (both.isReadable())
        {
            ch.writeInbound(both.readRetainedSlice(Math.min(5, both.readableBytes())));
        }
        both.release();
        final Frame f1 = ch.readInbound();
        assertThat(f1.type()).isEqualTo(FrameType.HELLO);
        assertThat(Frames.readHello(f1.payload())).isEqualTo(new Frames.Hello("th-bkk-1", "nightjar 0.1.0", 1, "spool-uuid"));
        f1.release();
        final Frame f2 = ch.readInbound();
        assertThat(Frames.readHeartbeat(f2.payload())).isEqualTo(new Heartbeat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        f2.release();
        assertThat((Object)ch.readInbound()).isNull();
    }

    @Test
    void largeFramesArrivingInTlsRecordSizedPiecesAreReassembledWhileEarlierOnesAreStillHeld()
    {
        // frames over and under the decoder's reserve ahead, each sent in 16-KiB pieces; every frame
        // is kept until the end, so the cumulation buffer is shared with their slices while it grows
        final int[] sizes = {1 << 20, 3, FrameDecoder.MAX_RESERVE + 12_345, 700_000};
        final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(64 << 20, true));
        final java.util.Random rnd = new java.util.Random(5);
        final java.util.List<byte[]> sent = new java.util.ArrayList<>();
        final java.util.List<Frame> got = new java.util.ArrayList<>();
        for (final int size : sizes)
        {
            final byte[] payload = new byte[size];
            rnd.nextBytes(payload);
            sent.add(payload);
            final ByteBuf frame = Unpooled.wrappedBuffer(Frames.header(ALLOC, FrameType.BATCH, 0, size), Unpooled.wrappedBuffer(payload));
            while (frame.isReadable())
            {
                ch.writeInbound(frame.readRetainedSlice(Math.min(16 << 10, frame.readableBytes())));
                for (Frame f; (f = ch.readInbound()) != null; )
                {
                    got.add(f);
                }
            }
            frame.release();
        }
        assertThat(got).hasSize(sizes.length);
        for (int i = 0; i < sizes.length; i++)
        {
            final byte[] b = new byte[got.get(i).payload().readableBytes()];
            got.get(i).payload().getBytes(got.get(i).payload().readerIndex(), b);
            assertThat(b).as("frame %d", i).isEqualTo(sent.get(i));
            got.get(i).release();
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aLengthOverTheMaximumFailsOnTheHeaderBeforeAnyPayloadArrives()
    {
        final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024, true));
        final ByteBuf header = ALLOC.buffer();
        Frames.writeHeader(header, FrameType.BATCH, 0, 1025);
        assertThatThrownBy(() -> ch.writeInbound(header))
            .isInstanceOf(DecoderException.class)
            .hasCauseInstanceOf(FrameException.class)
            .cause().hasMessageContaining("1025 bytes, maximum 1024");
    }

    @Test
    void badMagicWrongVersionAndTypesFromTheWrongSideAreRefusedWithTheirCodes()
    {
        final ByteBuf garbage = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(code(new FrameDecoder(1024, true), garbage)).isEqualTo(ErrorCode.MALFORMED_FRAME);

        final ByteBuf v2 = ALLOC.buffer();
        v2.writeInt(Frame.MAGIC).writeByte(2).writeByte(1).writeShort(0).writeInt(0);
        assertThat(code(new FrameDecoder(1024, true), v2)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);

        final ByteBuf ackFromSensor = Frames.ack(ALLOC, new Frames.Ack(1, 1));
        assertThat(code(new FrameDecoder(1024, true), ackFromSensor)).isEqualTo(ErrorCode.MALFORMED_FRAME);
        final ByteBuf batchFromAggregator = Frames.batchHeader(ALLOC, new Frames.BatchHeader(1, 1, 1, 0), 0, 0);
        assertThat(code(new FrameDecoder(1024, false), batchFromAggregator)).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void afterAViolationTheRestOfTheInputIsDiscarded()
    {
        final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024, true));
        final ByteBuf bad = ALLOC.buffer().writeInt(0xdeadbeef).writeLong(0);
        assertThatThrownBy(() -> ch.writeInbound(bad)).isInstanceOf(DecoderException.class);
        ch.writeInbound(Frames.hello(ALLOC, new Frames.Hello("s", "x", 1, "")));
        assertThat((Object)ch.readInbound()).isNull();
    }

    @Test
    void shortPayloadsAreMalformedNotOutOfBounds()
    {
        final ByteBuf p = Unpooled.buffer().writeShort(200).writeBytes(new byte[10]);
        assertThatThrownBy(() -> Frames.readHello(p)).isInstanceOf(FrameException.class).hasMessageContaining("too short for sensor id");
        final ByteBuf b = Unpooled.buffer().writeLong(1);
        assertThatThrownBy(() -> Frames.readBatchHeader(b)).isInstanceOf(FrameException.class);
        final ByteBuf zeroSeq = Unpooled.buffer().writeLong(0).writeLong(0).writeLong(0).writeInt(0);
        assertThatThrownBy(() -> Frames.readBatchHeader(zeroSeq)).isInstanceOf(FrameException.class).hasMessageContaining("sequence 0");
    }

    private static int code(final FrameDecoder decoder, final ByteBuf input)
    {
        final EmbeddedChannel ch = new EmbeddedChannel(decoder);
        try
        {
            ch.writeInbound(input);
        }
        catch (final DecoderException ex)
        {
            return ((FrameException)ex.getCause()).code();
        }
        throw new AssertionError("no violation raised");
    }
}
