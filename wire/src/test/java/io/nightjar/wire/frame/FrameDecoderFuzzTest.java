package io.nightjar.wire.frame;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target for {@link FrameDecoder} in an {@link EmbeddedChannel}: arbitrary bytes,
 * cut into arbitrary reads, either decode into frames that are exactly the input's header and payload
 * bytes and respect the maximum, or fail with a {@link FrameException} (wrapped by Netty in a
 * {@link DecoderException}); never another exception, and the decoder's cumulation never holds more than
 * one header plus one maximum payload.
 *
 * <p>Runs the inputs under {@code FrameDecoderFuzzTestInputs/} in {@code mvn test}; fuzzes with
 * {@code JAZZER_FUZZ=1}.
 */
class FrameDecoderFuzzTest
{
    private static final Method INTERNAL_BUFFER;

    static
    {
        try
        {
            INTERNAL_BUFFER = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
            INTERNAL_BUFFER.setAccessible(true);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void arbitraryBytesDecodeIntoBoundedFramesOrFailWithAFrameException(final FuzzedDataProvider data) throws Exception
    {
        final boolean fromSensor = data.consumeBoolean();
        final int maxPayload = data.consumeInt(0, 4096);
        final int[] cuts = new int[data.consumeInt(0, 16)];
        for (int i = 0; i < cuts.length; i++)
        {
            cuts[i] = data.consumeInt(1, 64);
        }
        final byte[] input = data.consumeRemainingAsBytes();

        final FrameDecoder decoder = new FrameDecoder(maxPayload, fromSensor);
        final EmbeddedChannel ch = new EmbeddedChannel(decoder);
        final List<Frame> frames = new ArrayList<>();
        FrameException failure = null;
        int offset = 0;
        int cut = 0;
        try
        {
            while (offset < input.length)
            {
                final int n = cuts.length == 0 ? input.length - offset : Math.min(cuts[cut++ % cuts.length], input.length - offset);
                try
                {
                    ch.writeInbound(Unpooled.wrappedBuffer(input, offset, n));
                }
                catch (final DecoderException ex)
                {
                    assertThat(ex).hasCauseInstanceOf(FrameException.class);
                    failure = (FrameException)ex.getCause();
                    assertThat(failure.code()).isIn(ErrorCode.MALFORMED_FRAME, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.FRAME_TOO_LARGE);
                }
                offset += n;
                for (Frame f; (f = ch.readInbound()) != null; )
                {
                    frames.add(f);
                }
                final ByteBuf cumulation = (ByteBuf)INTERNAL_BUFFER.invoke(decoder);
                assertThat(cumulation.readableBytes()).as("bytes buffered after %d of %d", offset, input.length)
                    .isLessThanOrEqualTo(Frame.HEADER_LENGTH + maxPayload);
                if (failure != null)
                {
                    assertThat(cumulation.readableBytes()).as("bytes buffered after the failure").isZero();
                }
            }

            int at = 0;
            for (final Frame f : frames)
            {
                final int length = f.payload().readableBytes();
                assertThat(length).isLessThanOrEqualTo(maxPayload);
                assertThat(Unpooled.wrappedBuffer(input, at, Frame.HEADER_LENGTH).getInt(0)).isEqualTo(Frame.MAGIC);
                assertThat(Unpooled.wrappedBuffer(input, at, Frame.HEADER_LENGTH).getUnsignedInt(8)).isEqualTo(length);
                assertThat(f.type().fromSensor() || f.type().fromAggregator()).isTrue();
                assertThat(f.type()).matches(t -> fromSensor ? t.fromSensor() : t.fromAggregator(), "allowed from this side");
                final byte[] payload = new byte[length];
                f.payload().getBytes(f.payload().readerIndex(), payload);
                final byte[] expected = new byte[length];
                System.arraycopy(input, at + Frame.HEADER_LENGTH, expected, 0, length);
                assertThat(payload).isEqualTo(expected);
                at += Frame.HEADER_LENGTH + length;
            }
            if (failure == null)
            {
                assertThat(input.length - at).as("undecoded tail").isLessThanOrEqualTo(Frame.HEADER_LENGTH + maxPayload);
            }
        }
        finally
        {
            frames.forEach(Frame::release);
            try
            {
                ch.finishAndReleaseAll();
            }
            catch (final DecoderException ex)
            {
                assertThat(ex).hasCauseInstanceOf(FrameException.class);
            }
        }
    }
}
