package io.nightjar.aggregator.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Building and writing the HTTP server's answers: body with its type and length; keep-alive or close. */
final class Responses
{
    private Responses()
    {
    }

    /** A full response of {@code status} with {@code body} of content type {@code type}. */
    static FullHttpResponse of(final int status, final byte[] body, final String type)
    {
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return res;
    }

    /** Writes {@code res}, keeping the connection open if the request asked for it, else closing it after. */
    static void write(final ChannelHandlerContext ctx, final boolean keepAlive, final FullHttpResponse res)
    {
        if (keepAlive)
        {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        }
        else
        {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
