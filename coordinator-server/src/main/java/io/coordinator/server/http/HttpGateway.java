package io.coordinator.server.http;

import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.MemberAddress;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.metrics.MemberMetrics;
import io.coordinator.server.pipeline.RequestPipeline;
import io.coordinator.server.state.ReplicatedTree;
import io.coordinator.server.watch.WatchHub;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP/JSON gateway of one member, on its own port ({@code members[].http-port}), bound to the
 * member's host only. The same operations as the binary port, through the same request pipeline,
 * plus {@code /metrics}, {@code /health}, {@code /ready} and a status page. The contract is in
 * coordinator-server/HTTP.md.
 *
 * <p>Bounds: request line and headers ({@code http.initial-line-bytes-max},
 * {@code http.header-bytes-max}), body ({@code limits.frame-bytes-max}, like a binary frame),
 * connections ({@code http.connections-max}), idle keep-alive connections
 * ({@code http.idle-timeout-millis}), requests open per connection ({@link GatewayHandler#IN_FLIGHT_MAX}),
 * unwritten watch or observer lines per stream ({@code limits.watch-pending-bytes-max}), the wait of
 * a lock or campaign ({@code http.lock-wait-millis-max}).
 */
public final class HttpGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);
    private static final int CHUNK_BYTES_MAX = 64 * 1024;

    private final String memberId;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService probes;
    private final AtomicInteger connections = new AtomicInteger();
    private Channel channel;

    private HttpGateway(String memberId) {
        this.memberId = memberId;
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("http-accept-" + memberId, true));
        this.workers = new NioEventLoopGroup(2, new DefaultThreadFactory("http-io-" + memberId, true));
        this.probes = Executors.newSingleThreadExecutor(new DefaultThreadFactory("http-probe-" + memberId, true));
    }

    /**
     * Binds {@code members[self].http-port} on the member's host and serves until {@link #close()}.
     *
     * @param consensus the consensus engine's view of this member (role, leader, indexes)
     * @param status    the member's status as the binary protocol reports it
     * @param watches   the member's watch hub, for {@code GET /v1/watch/PATH}
     */
    public static HttpGateway start(ServerConfig config, RequestPipeline pipeline, ReplicatedTree tree,
                                    Supplier<MemberStatus> consensus, Supplier<ServerMessage.StatusReply> status,
                                    MemberMetrics metrics, WatchHub watches) throws InterruptedException {
        MemberAddress self = config.self();
        if (self.httpPort() <= 0 || self.httpPort() > 65535) {
            throw new IllegalArgumentException("members[" + self.id() + "].http-port " + self.httpPort()
                    + " is not a port to serve HTTP on");
        }
        HttpGateway gateway = new HttpGateway(config.memberId());
        try {
            gateway.bind(new InetSocketAddress(self.host(), self.httpPort()), config, router(config, pipeline, tree,
                    consensus, status, metrics, gateway.probes, watches), metrics);
            return gateway;
        } catch (InterruptedException | RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
    }

    private static Router router(ServerConfig config, RequestPipeline pipeline, ReplicatedTree tree,
                                 Supplier<MemberStatus> consensus, Supplier<ServerMessage.StatusReply> status,
                                 MemberMetrics metrics, ExecutorService probes, WatchHub watches) {
        Calls calls = new Calls(pipeline);
        SessionGuard guard = new SessionGuard(tree, calls, config.consensus().proposalTimeoutMillis());
        Duration probeTimeout = Duration.ofMillis(config.http().peerStatusTimeoutMillis());
        HttpClient client = HttpClient.newBuilder().executor(probes).connectTimeout(probeTimeout).build();
        SecureRandom random = new SecureRandom();
        RecipeQueue queue = new RecipeQueue(calls, config.limits().pathLengthMax(), () -> {
            byte[] id = new byte[8];
            random.nextBytes(id);
            return id;
        });
        Contenders contenders = new Contenders(queue, guard, watches, config.http().lockWaitMillisMax(), config.memberId());
        return new Router(config.memberId(), new NodeApi(calls, guard), new SessionApi(calls, guard),
                new AdminApi(config.memberId(), config.members(), consensus, status, metrics),
                new StatusPage(config.memberId(), config.members(), status, client, probeTimeout),
                new WatchApi(watches, config.limits().watchPendingBytesMax(), config.memberId()),
                new LockApi(contenders, queue), new ElectionApi(contenders, queue, watches,
                        config.limits().watchPendingBytesMax(), config.memberId()));
    }

    private void bind(InetSocketAddress address, ServerConfig config, Router router, MemberMetrics metrics)
            throws InterruptedException {
        ServerConfig.HttpSettings http = config.http();
        int bodyBytesMax = config.limits().frameBytesMax();
        metrics.gauge("coordinator_http_connections", "Open connections on the HTTP port", connections::get);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that half-closes after its request still gets the answer (GatewayHandler
                // closes once everything read is answered); Netty's default closes at once.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > http.connectionsMax()) {
                            connections.decrementAndGet();
                            log.warn("member={} refusing HTTP connection from {}: over {} connections", memberId,
                                    ch.remoteAddress(), http.connectionsMax());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline()
                                .addLast(metrics.httpTraffic())
                                .addLast(new IdleStateHandler(0, 0, http.idleTimeoutMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec(http.initialLineBytesMax(), http.headerBytesMax(), CHUNK_BYTES_MAX))
                                .addLast(new BodyAggregator(bodyBytesMax))
                                .addLast(new GatewayHandler(router, metrics, memberId));
                    }
                });
        channel = bootstrap.bind(address).sync().channel();
        log.info("member={} serving HTTP on {}", memberId, channel.localAddress());
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
        probes.shutdownNow();
    }
}
