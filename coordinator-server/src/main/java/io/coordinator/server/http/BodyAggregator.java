package io.coordinator.server.http;

import io.coordinator.core.api.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Netty's aggregator with our answer to a body over the limit. Instead of failing the channel it
 * passes an {@link Oversized} marker down, so that the 413 (with a TOO_LARGE JSON body) takes its
 * place among the connection's responses in order; the aggregator then drops the rest of that body.
 * The connection stays usable, except when the body is far over the limit or of unknown length:
 * reading all of it just to stay polite is not worth it.
 */
final class BodyAggregator extends HttpObjectAggregator {

    /** Stands in for a request whose body was refused. */
    record Oversized(HttpMethod method, String path, boolean close, int limit) {
    }

    BodyAggregator(int bodyBytesMax) {
        super(bodyBytesMax);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {
            ctx.close();
            return;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        boolean close = !HttpUtil.isKeepAlive(request) || declared < 0 || declared > 2L * maxContentLength();
        ctx.fireChannelRead(new Oversized(request.method(), RequestTarget.rawPath(request.uri()), close,
                maxContentLength()));
    }

    /** {@code Expect: 100-continue} with a declared length over the limit: our 413 instead of Netty's empty one. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse full && full.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            full.release();
            HttpReply reply = tooLarge(maxContentLength);
            FullHttpResponse ours = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                    Unpooled.wrappedBuffer(reply.body()));
            ours.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
            HttpUtil.setContentLength(ours, reply.body().length);
            return ours;
        }
        return response;
    }

    static HttpReply tooLarge(int limit) {
        return HttpReply.error(ErrorCode.TOO_LARGE, "request body over the limit of " + limit
                + " bytes (limits.frame-bytes-max)");
    }
}
