package io.coordinator.client.impl;

import io.coordinator.client.Endpoint;
import io.coordinator.protocol.wire.FrameDecoder;
import io.coordinator.protocol.wire.FrameEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's one I/O thread: opens connections and runs every timer (retries, back-off,
 * keep-alives). Nothing that can block runs here; results reach users through the callback executor.
 */
public final class Transport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);
    private static final long SHUTDOWN_MILLIS_MAX = 2_000;

    private final EventLoopGroup group;
    private final int frameBytesMax;
    private final long connectTimeoutMillis;

    public Transport(int frameBytesMax, long connectTimeoutMillis) {
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("coordinator-client-io", true));
        this.frameBytesMax = frameBytesMax;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    public int frameBytesMax() {
        return frameBytesMax;
    }

    /** Completes with an open connection, or exceptionally when the endpoint cannot be reached. */
    public CompletableFuture<Connection> connect(Endpoint endpoint) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        Connection.Handler handler = new Connection.Handler();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(frameBytesMax), FrameEncoder.INSTANCE, handler);
                    }
                });
        ChannelFuture connecting;
        try {
            connecting = bootstrap.connect(endpoint.host(), endpoint.port());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        connecting.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                Connection connection = new Connection(endpoint, f.channel(), handler);
                log.debug("connected to {}", endpoint);
                result.complete(connection);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    public ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return group.schedule(guarded(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    public void execute(Runnable task) {
        group.execute(guarded(task));
    }

    public boolean inIoThread() {
        return group.next().inEventLoop();
    }

    public boolean isShutdown() {
        return group.isShuttingDown();
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // A timer task must never take the I/O thread down with it.
                log.error("client task failed", e);
            }
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, SHUTDOWN_MILLIS_MAX, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_MILLIS_MAX + 500);
    }
}
