package io.coordinator.client.fake;

import io.coordinator.client.Endpoint;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.Frame;
import io.coordinator.protocol.wire.FrameDecoder;
import io.coordinator.protocol.wire.FrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stand-in member on 127.0.0.1: it speaks the real frames and codec, and a test scripts what it
 * does with each request through a {@link Handler} (answer, answer later, drop the connection).
 * Every request is recorded in arrival order.
 */
public final class FakeMember implements AutoCloseable {

    /** Decides what happens to one request. Runs on the fake's I/O thread: must not block. */
    @FunctionalInterface
    public interface Handler {
        void handle(Received request);
    }

    /** One request as the member received it, with the means to answer it. */
    public record Received(FakeMember member, Channel channel, long requestId, ClientMessage message) {

        public void reply(ServerMessage answer) {
            channel.writeAndFlush(new Frame(Frame.Kind.RESPONSE, requestId, Codec.smile().encode(answer)));
        }

        public void reply(long revision, Response response) {
            reply(new ServerMessage.Reply(revision, response));
        }

        public void fail(ErrorCode code, String message) {
            reply(0, new Response.Failure(code, message));
        }

        public void dropConnection() {
            channel.close();
        }

        public Request request() {
            return message instanceof ClientMessage.Call call ? call.request() : null;
        }

        public Command command() {
            Request request = request();
            return request == null ? null : request.command();
        }

        /** The op of an Execute command, or null. */
        public Op op() {
            return command() instanceof Command.Execute execute ? execute.op() : null;
        }

        public boolean isSessionCommand() {
            Command c = command();
            return c instanceof Command.OpenSession || c instanceof Command.KeepAlive || c instanceof Command.CloseSession
                    || message instanceof ClientMessage.AttachSession;
        }
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("fake-member", true));
    private final Channel server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Channel> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Handler handler;

    private FakeMember(Handler handler) throws InterruptedException {
        this.handler = handler;
        FakeMember self = this;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        connections.add(ch);
                        ch.pipeline().addLast(new FrameDecoder(4 * 1024 * 1024), FrameEncoder.INSTANCE,
                                new SimpleChannelInboundHandler<Frame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
                                        ClientMessage message = Codec.smile().decodeClient(frame.payload());
                                        Received r = new Received(self, ctx.channel(), frame.requestId(), message);
                                        received.add(r);
                                        self.handler.handle(r);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public static FakeMember start(Handler handler) {
        try {
            return new FakeMember(handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void handler(Handler handler) {
        this.handler = handler;
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port());
    }

    public String address() {
        return endpoint().toString();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(Predicate<Received> filter) {
        return received.stream().filter(filter).toList();
    }

    /** Requests other than session upkeep (OpenSession, KeepAlive, CloseSession, AttachSession). */
    public List<Received> receivedOps() {
        return received(r -> !r.isSessionCommand());
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    public void dropAllConnections() {
        connections.forEach(Channel::close);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        connections.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
