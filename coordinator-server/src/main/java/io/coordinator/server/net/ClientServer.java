package io.coordinator.server.net;

import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.wire.FrameDecoder;
import io.coordinator.protocol.wire.FrameEncoder;
import io.coordinator.server.pipeline.RequestPipeline;
import io.coordinator.server.watch.WatchHub;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The binary client port of one member. Binds to the configured address only. */
public final class ClientServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientServer.class);

    private final EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("client-accept", true));
    private final EventLoopGroup workers = new NioEventLoopGroup(2, new DefaultThreadFactory("client-io", true));
    private final AtomicInteger connections = new AtomicInteger();
    private final ChannelHandler traffic;
    private Channel channel;

    public ClientServer() {
        this(null);
    }

    /** @param traffic a sharable handler placed first on every connection (byte counting), or null */
    public ClientServer(ChannelHandler traffic) {
        this.traffic = traffic;
    }

    public void start(InetSocketAddress address, RequestPipeline pipeline, Supplier<ServerMessage.StatusReply> status,
                      String memberId, int frameBytesMax, int connectionsMax) throws InterruptedException {
        start(address, pipeline, null, 0, status, memberId, frameBytesMax, connectionsMax);
    }

    /**
     * @param watches                the member's watches, or null to refuse watch requests (UNAVAILABLE)
     * @param watchPendingBytesMax   watch events a connection may leave unread before it is closed
     */
    public void start(InetSocketAddress address, RequestPipeline pipeline, WatchHub watches, long watchPendingBytesMax,
                      Supplier<ServerMessage.StatusReply> status, String memberId, int frameBytesMax,
                      int connectionsMax) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that half-closes after its requests still gets the answers (ClientHandler
                // closes once they are out); Netty's default closes at once and drops them.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > connectionsMax) {
                            connections.decrementAndGet();
                            log.warn("member={} refusing connection from {}: over {} connections", memberId,
                                    ch.remoteAddress(), connectionsMax);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        if (traffic != null) {
                            ch.pipeline().addLast(traffic);
                        }
                        ch.pipeline()
                                .addLast(new FrameDecoder(frameBytesMax))
                                .addLast(FrameEncoder.INSTANCE)
                                .addLast(new ClientHandler(pipeline, watches, watchPendingBytesMax, status, memberId));
                    }
                });
        channel = bootstrap.bind(address).sync().channel();
        log.info("member={} serving clients on {}", memberId, channel.localAddress());
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
