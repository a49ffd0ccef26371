package io.coordinator.server.http;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.server.metrics.MemberMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTP connection. Requests are handled concurrently but answered in the order they came, as
 * HTTP/1.1 pipelining requires: replies that finish early wait in a small map for their turn. At
 * most {@value #IN_FLIGHT_MAX} requests are open per connection; past that it stops reading.
 *
 * <p>A request that does not parse gets 400 (414 for an over-long request line, 431 for over-long
 * headers) and this connection is closed, since the byte stream has no trustworthy boundary left;
 * the member and its other connections go on. Every method here runs on the connection's event loop.
 *
 * <p>A watch ({@code GET /v1/watch/PATH}, or an election's observer: {@link Router#streams}) is the
 * last request a connection serves: once it is read, the connection reads no more (requests
 * pipelined behind it are dropped unanswered), and its answer,
 * a stream or an error, closes the connection when it ends. A stream is exempt from the idle timeout;
 * while it runs the connection reads again, dropping what it reads, so that the client's close is seen.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);
    static final String MEMBER_HEADER = "X-Coordinator-Member";
    static final int IN_FLIGHT_MAX = 64;
    private static final String INVALID_VERSION = "invalid version format: ";
    private static final Pattern HTTP_VERSION_LIKE = Pattern.compile("(?i)HTTP/\\d+(\\.\\d+)?");
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

    private final Router router;
    private final MemberMetrics metrics;
    private final String memberId;
    private final Map<Long, Outgoing> finished = new HashMap<>();
    private long received;
    private long written;
    private boolean closing;
    /** A watch request was read: nothing after it is served. */
    private boolean watchRead;
    /** A watch stream owns the connection now. */
    private boolean streaming;
    /** The client half-closed: answer what was read, then close. */
    private boolean inputShut;

    GatewayHandler(Router router, MemberMetrics metrics, String memberId) {
        this.router = router;
        this.metrics = metrics;
        this.memberId = memberId;
    }

    private record Outgoing(HttpMethod method, String route, boolean keepAlive, HttpReply reply) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing || watchRead) {
                return;
            }
            if (msg instanceof BodyAggregator.Oversized oversized) {
                HttpReply reply = BodyAggregator.tooLarge(oversized.limit());
                finish(ctx, received++, new Outgoing(oversized.method(), Router.routeName(oversized.path()),
                        !oversized.close(), reply));
            } else if (msg instanceof FullHttpRequest request) {
                accept(ctx, request);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void accept(ChannelHandlerContext ctx, FullHttpRequest request) {
        long sequence = received++;
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            log.info("member={} closing HTTP connection from {}: unparseable request: {}", memberId,
                    ctx.channel().remoteAddress(), decoded.cause().toString());
            finish(ctx, sequence, new Outgoing(request.method(), "invalid", false, unparseable(decoded.cause())));
            return;
        }
        if (!served(request.protocolVersion())) {
            log.info("member={} closing HTTP connection from {}: version {}", memberId, ctx.channel().remoteAddress(),
                    request.protocolVersion());
            finish(ctx, sequence, new Outgoing(request.method(), "invalid", false, versionNotSupported(
                    request.protocolVersion().text())));
            return;
        }
        HttpCall call;
        try {
            call = HttpCall.of(request);
        } catch (GatewayException refused) {
            // A bad escape or a path that is not UTF-8: the request itself was framed fine, so the
            // connection goes on.
            finish(ctx, sequence, new Outgoing(request.method(), Router.routeName(RequestTarget.rawPath(request.uri())),
                    HttpUtil.isKeepAlive(request), refused.reply()));
            return;
        }
        String route = Router.routeName(call.path());
        boolean watch = Router.streams(call);
        if (watch) {
            watchRead = true;
            ctx.channel().config().setAutoRead(false);
        }
        router.handle(call, ctx.executor(), ctx.channel()).whenComplete((reply, failure) -> {
            HttpReply answer = reply != null ? reply
                    : HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", String.valueOf(failure));
            Outgoing outgoing = new Outgoing(call.method(), route, call.keepAlive() && !watch, answer);
            if (ctx.executor().inEventLoop()) {
                finish(ctx, sequence, outgoing);
            } else {
                ctx.executor().execute(() -> finish(ctx, sequence, outgoing));
            }
        });
        if (received - written >= IN_FLIGHT_MAX) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** HTTP/1.0 and HTTP/1.1; HTTP/2 and later speak another framing, and 0.9 or 1.2+ do not exist here. */
    private static boolean served(HttpVersion version) {
        return "HTTP".equals(version.protocolName()) && version.majorVersion() == 1
                && (version.minorVersion() == 0 || version.minorVersion() == 1);
    }

    private static HttpReply versionNotSupported(String version) {
        return HttpReply.error(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP_VERSION_NOT_SUPPORTED",
                "this member serves HTTP/1.0 and HTTP/1.1, not " + version);
    }

    private static HttpReply unparseable(Throwable cause) {
        // Netty refuses a version it cannot parse ("HTTP/2", "HTTP/10.0") as the whole request line;
        // one that is still an HTTP version is answered as the version it is, not as garbage.
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof IllegalArgumentException && message.startsWith(INVALID_VERSION)
                && HTTP_VERSION_LIKE.matcher(message.substring(INVALID_VERSION.length())).matches()) {
            return versionNotSupported(message.substring(INVALID_VERSION.length()));
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpReply.error(HttpResponseStatus.REQUEST_URI_TOO_LONG, ErrorCode.TOO_LARGE.name(),
                    "request line over the limit (http.initial-line-bytes-max)");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpReply.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, ErrorCode.TOO_LARGE.name(),
                    "headers over the limit (http.header-bytes-max)");
        }
        return HttpReply.error(ErrorCode.MALFORMED, "not an HTTP request: " + cause.getMessage());
    }

    /** Queues the reply for {@code sequence} and writes every reply whose turn has come. */
    private void finish(ChannelHandlerContext ctx, long sequence, Outgoing outgoing) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        finished.put(sequence, outgoing);
        Outgoing next;
        while (!closing && (next = finished.remove(written)) != null) {
            written++;
            write(ctx, next);
        }
        if (!closing && !watchRead && !ctx.channel().config().isAutoRead() && received - written < IN_FLIGHT_MAX) {
            ctx.channel().config().setAutoRead(true);
        }
        closeIfHalfClosedAndAnswered(ctx);
    }

    /** Once a half-closed client has every answer, the connection has nothing left to do. */
    private void closeIfHalfClosedAndAnswered(ChannelHandlerContext ctx) {
        if (inputShut && !closing && received == written) {
            closing = true;
            finished.clear();
            // After every write queued so far: close() alone would drop a reply not yet flushed.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void write(ChannelHandlerContext ctx, Outgoing outgoing) {
        HttpReply reply = outgoing.reply();
        if (reply.stream() != null) {
            metrics.httpResponse(methodLabel(outgoing.method()), outgoing.route(), reply.status().code());
            closing = true;
            streaming = true;
            finished.clear();
            reply.stream().attach(ctx, reply, MEMBER_HEADER, memberId);
            // Read again (and drop whatever comes): only reading sees the client's close while the stream is quiet.
            ctx.channel().config().setAutoRead(true);
            return;
        }
        boolean close = reply.close() || !outgoing.keepAlive();
        boolean head = HttpMethod.HEAD.equals(outgoing.method());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        HttpUtil.setContentLength(response, reply.body().length);
        reply.headers().forEach((name, value) -> response.headers().set(name, value));
        response.headers().set(MEMBER_HEADER, memberId);
        HttpUtil.setKeepAlive(response, !close);
        metrics.httpResponse(methodLabel(outgoing.method()), outgoing.route(), reply.status().code());
        ChannelFuture done = ctx.writeAndFlush(response);
        if (close) {
            closing = true;
            finished.clear();
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Clients may send any token as a method; the metric's label takes only the known ones. */
    private static String methodLabel(HttpMethod method) {
        String name = method.name();
        return KNOWN_METHODS.contains(name) ? name : "OTHER";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent && received == written && !streaming) {
            ctx.close();
            return;
        }
        if (event instanceof ChannelInputShutdownEvent) {
            // The client sent its last byte (half-closure is allowed, see HttpGateway): the requests
            // it sent are still answered. A watch stream ends, as it does when the client closes, and
            // a lock or campaign still waiting gives up (HangUp).
            inputShut = true;
            HangUp.of(ctx.channel()).happen();
            if (streaming) {
                ctx.close();
            } else {
                closeIfHalfClosedAndAnswered(ctx);
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        finished.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("member={} closing HTTP connection from {} after an error", memberId, ctx.channel().remoteAddress(), cause);
        closing = true;
        ctx.close();
    }
}
