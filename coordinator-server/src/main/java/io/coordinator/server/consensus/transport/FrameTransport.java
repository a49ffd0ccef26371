package io.coordinator.server.consensus.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Requests, responses and one-way messages between members over TCP. Knows nothing of Raft: a
 * message is a type number and opaque bytes.
 *
 * <p>Each peer gets {@code connectionsPerPeer} outbound connections, used as lanes: the caller
 * names a lane per message, messages of one lane share one connection and so keep their order
 * (Raft replication must not overtake itself), and a busy lane does not hold up another.
 *
 * <p>Wire format, after a 4-byte big-endian length prefix: {@code kind (1 byte) | correlation id
 * (8) | message type (2, unsigned) | payload}. The first frame on a connection this member opens
 * is a HELLO carrying its id, so the accepting side knows who is at the other end.
 *
 * <p>Failure handling is what makes fail-over fast: a request fails at once with a
 * {@link ConnectException} when its connection closes or cannot be opened, and with a
 * {@link TimeoutException} after {@code requestTimeoutMillis}. When any connection to or from a
 * peer closes, the transport tries to open a fresh one; if that is refused, it reports the peer as
 * unreachable to the {@link #addUnreachableListener listeners} (a crashed process, not a slow one;
 * a partition closes nothing and is left to timeouts).
 *
 * <p>Detours: a TCP connection carries both directions, so when requests to a peer time out on our
 * own connections while a connection the peer opened to us keeps delivering its frames (a one-way
 * cut: a firewall that drops connections to the peer's port, say), requests and messages to that
 * peer go over the peer's connection instead, until a fresh connection of our own answers a ping.
 * Without this a member whose own connections to the leader are cut could not propose anything,
 * although the leader reaches it and the rest of the cluster is healthy.
 *
 * <p>Binds only the configured address. Thread-safe.
 */
public final class FrameTransport implements AutoCloseable {
    static final int HEADER_BYTES = 1 + 8 + 2;
    private static final int LENGTH_BYTES = 4;
    private static final int TYPE_MAX = 0xFFFF;
    private static final long CLOSE_WAIT_MILLIS = 3000;
    private static final long PROBE_HOLD_MILLIS = 200;
    /** While requests to a peer take a detour, how often a fresh connection of our own is tried. */
    private static final long DETOUR_PROBE_INTERVAL_MILLIS = 500;
    /** Reserved request type: answered by the transport itself, empty, to test a connection. */
    private static final int TYPE_PING = 0xFFFF;

    private static final byte KIND_HELLO = 1;
    private static final byte KIND_REQUEST = 2;
    private static final byte KIND_RESPONSE = 3;
    private static final byte KIND_FAILURE = 4;
    private static final byte KIND_MESSAGE = 5;

    private static final int FAILURE_NO_HANDLER = 1;
    private static final int FAILURE_HANDLER = 2;
    private static final int FAILURE_TOO_LARGE = 3;

    private static final AttributeKey<String> PEER = AttributeKey.valueOf("coordinator.transport.peer");
    private static final AttributeKey<Map<Long, CompletableFuture<byte[]>>> PENDING =
            AttributeKey.valueOf("coordinator.transport.pending");
    /** System.nanoTime() of the last frame read on the connection. */
    private static final AttributeKey<AtomicLong> LAST_READ = AttributeKey.valueOf("coordinator.transport.last-read");
    /** Set on connections the peer opened to us. */
    private static final AttributeKey<Boolean> INBOUND = AttributeKey.valueOf("coordinator.transport.inbound");

    private static final Logger log = LoggerFactory.getLogger(FrameTransport.class);

    /** Answers one request; the future may complete on any thread. */
    @FunctionalInterface
    public interface RequestHandler {
        CompletableFuture<byte[]> handle(byte[] payload);
    }

    /** Consumes one one-way message, on a Netty thread: must not block. */
    @FunctionalInterface
    public interface MessageHandler {
        void handle(byte[] payload);
    }

    private final String localId;
    private final InetSocketAddress bindAddress;
    private final TransportSettings settings;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<Integer, RequestHandler> requestHandlers = new ConcurrentHashMap<>();
    private final Map<Integer, MessageHandler> messageHandlers = new ConcurrentHashMap<>();
    private final List<Consumer<String>> unreachableListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final EventLoopGroup group;
    private final SelfDelivery self;
    private final Bootstrap clientBootstrap;
    private Channel serverChannel;
    private volatile boolean closed;

    /**
     * @param localId       this member's id, sent in HELLO frames
     * @param bindAddress   the only address the listening socket binds
     * @param peerAddresses every peer id (this member's included, if it talks to itself) to its address
     */
    public FrameTransport(String localId, InetSocketAddress bindAddress, Map<String, InetSocketAddress> peerAddresses,
                          TransportSettings settings) {
        this.localId = Objects.requireNonNull(localId, "localId");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.settings = Objects.requireNonNull(settings, "settings");
        peerAddresses.forEach((id, address) -> peers.put(id, new Peer(id, address, settings.connectionsPerPeer())));
        this.group = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("raft-io-" + localId, true));
        this.self = new SelfDelivery(group.next(), requestHandlers::get, messageHandlers::get,
                settings.frameBytesMax() - HEADER_BYTES);
        this.clientBootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new Initializer());
    }

    /** Binds the listening socket; throws {@link UncheckedIOException} if it cannot. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("transport of " + localId + " is closed");
        }
        if (serverChannel != null) {
            return;
        }
        ChannelFuture bound = new ServerBootstrap()
                .group(group, group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new Initializer())
                .bind(bindAddress)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new UncheckedIOException(new IOException("member " + localId + " cannot bind " + bindAddress, bound.cause()));
        }
        serverChannel = bound.channel();
        log.debug("member={} transport listening on {}", localId, serverChannel.localAddress());
    }

    public InetSocketAddress localAddress() {
        Channel channel = serverChannel;
        return channel == null ? bindAddress : (InetSocketAddress) channel.localAddress();
    }

    public void registerRequestHandler(int type, RequestHandler handler) {
        requestHandlers.put(checkType(type), Objects.requireNonNull(handler, "handler"));
    }

    public void unregisterRequestHandler(int type) {
        requestHandlers.remove(type);
    }

    public void registerMessageHandler(int type, MessageHandler handler) {
        messageHandlers.put(checkType(type), Objects.requireNonNull(handler, "handler"));
    }

    public void unregisterMessageHandler(int type) {
        messageHandlers.remove(type);
    }

    /**
     * Called, on a Netty thread, with the id of a peer whose connection closed and which then
     * refused a new one (or accepted and dropped it): its process is gone, not merely slow.
     */
    public void addUnreachableListener(Consumer<String> listener) {
        unreachableListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Sends a request and completes with the peer's answer, or exceptionally with a
     * {@link ConnectException} (no connection, or it closed first), a {@link TimeoutException}, or a
     * {@link RemoteFailureException}. Requests of one lane reach the peer in the order sent.
     */
    public CompletableFuture<byte[]> request(String peerId, int lane, int type, byte[] payload) {
        checkType(type);
        Peer peer = peers.get(peerId);
        if (peer == null) {
            return CompletableFuture.failedFuture(new ConnectException("unknown member " + peerId));
        }
        if (payload.length > settings.frameBytesMax() - HEADER_BYTES) {
            return CompletableFuture.failedFuture(new IOException("request of " + payload.length
                    + " bytes exceeds the frame limit of " + settings.frameBytesMax()));
        }
        if (peerId.equals(localId)) {
            return self.request(type, payload);
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Channel detour = detourOf(peer);
        if (detour != null) {
            sendRequest(peer, detour, type, payload, result);
            return result;
        }
        withChannel(peer, lane, (channel, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                sendRequest(peer, channel, type, payload, result);
            }
        });
        return result;
    }

    /** Sends a one-way message, best effort: it is dropped if the peer cannot be reached. */
    public void send(String peerId, int lane, int type, byte[] payload) {
        checkType(type);
        Peer peer = peers.get(peerId);
        if (peer == null || payload.length > settings.frameBytesMax() - HEADER_BYTES) {
            log.debug("member={} dropped message type {} to {}", localId, type, peerId);
            return;
        }
        if (peerId.equals(localId)) {
            self.send(type, payload);
            return;
        }
        Channel detour = detourOf(peer);
        if (detour != null) {
            detour.writeAndFlush(frame(detour, KIND_MESSAGE, 0, type, payload));
            return;
        }
        withChannel(peer, lane, (channel, error) -> {
            if (error == null) {
                channel.writeAndFlush(frame(channel, KIND_MESSAGE, 0, type, payload));
            } else {
                log.debug("member={} dropped message type {} to {}: {}", localId, type, peerId, error.toString());
            }
        });
    }

    /**
     * Fails, with a {@link ConnectException}, every request still waiting for an answer on {@code lane}
     * to a peer other than {@code keepPeerId}; the answers, if they come, are dropped. For a caller
     * that knows those peers can no longer answer usefully and wants to re-send elsewhere now.
     */
    public int abandonRequests(int lane, String keepPeerId, String reason) {
        int abandoned = 0;
        for (Peer peer : peers.values()) {
            if (peer.id.equals(keepPeerId)) {
                continue;
            }
            Channel channel;
            synchronized (peer) {
                channel = peer.lanes[Math.floorMod(lane, peer.lanes.length)].channel;
            }
            if (channel != null) {
                abandoned += failPending(channel, new ConnectException(reason));
            }
        }
        return abandoned;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        }
        // Closing a connection fails its pending requests (channelInactive), before the threads go.
        channels.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        group.shutdownGracefully(0, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(2 * CLOSE_WAIT_MILLIS);
        log.debug("member={} transport closed", localId);
    }

    /**
     * Runs {@code action} with the lane's connection, opening it if needed. Actions of one lane run
     * in the order they were given, also across a connect: while a lane connects or hands queued
     * actions their connection, newer ones queue behind them.
     */
    private void withChannel(Peer peer, int lane, BiConsumer<Channel, Throwable> action) {
        Lane slot = peer.lanes[Math.floorMod(lane, peer.lanes.length)];
        Channel ready = null;
        boolean connect = false;
        boolean rejected = false;
        synchronized (peer) {
            if (closed) {
                rejected = true;
            } else if (!slot.busy && slot.channel != null && slot.channel.isActive()) {
                ready = slot.channel;
            } else {
                slot.waiting.addLast(action);
                if (!slot.busy) {
                    slot.busy = true;
                    connect = true;
                }
            }
        }
        if (ready != null) {
            action.accept(ready, null);
        } else if (connect) {
            connect(peer, slot);
        } else if (rejected) {
            action.accept(null, new ConnectException("transport of " + localId + " is closed"));
        }
    }

    private void connect(Peer peer, Lane slot) {
        ChannelFuture attempt;
        try {
            attempt = clientBootstrap.connect(peer.address);
        } catch (RejectedExecutionException e) {
            handOver(peer, slot, null, new ConnectException("transport of " + localId + " is closed"));
            return;
        }
        attempt.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                Channel channel = done.channel();
                channel.attr(PEER).set(peer.id);
                channel.writeAndFlush(frame(channel, KIND_HELLO, 0, 0, localId.getBytes(StandardCharsets.UTF_8)));
                handOver(peer, slot, channel, null);
            } else {
                handOver(peer, slot, null, connectFailure(peer, done.cause()));
                ownConnectionFailed(peer, "cannot connect: " + done.cause());
            }
        });
    }

    /** Gives the queued actions of a lane, in order, the new connection or the reason there is none. */
    private void handOver(Peer peer, Lane slot, Channel channel, Throwable failure) {
        while (true) {
            List<BiConsumer<Channel, Throwable>> actions;
            synchronized (peer) {
                if (slot.waiting.isEmpty()) {
                    slot.channel = channel;
                    slot.busy = false;
                    return;
                }
                actions = new ArrayList<>(slot.waiting);
                slot.waiting.clear();
            }
            for (BiConsumer<Channel, Throwable> action : actions) {
                action.accept(channel, failure);
            }
        }
    }

    private void sendRequest(Peer peer, Channel channel, int type, byte[] payload, CompletableFuture<byte[]> result) {
        long id = correlationIds.incrementAndGet();
        Map<Long, CompletableFuture<byte[]>> pending = channel.attr(PENDING).get();
        pending.put(id, result);
        if (!channel.isActive()) {
            // Closed between lookup and registration: channelInactive may already have run.
            if (pending.remove(id) != null) {
                result.completeExceptionally(new ConnectException("connection to " + peer.id + " closed"));
            }
            return;
        }
        ScheduledFuture<?> timer;
        try {
            timer = channel.eventLoop().schedule(() -> {
                if (pending.remove(id) != null) {
                    result.completeExceptionally(new TimeoutException("no answer from " + peer.id + " to message type "
                            + type + " within " + settings.requestTimeoutMillis() + " ms"));
                    if (!isInbound(channel)) {
                        ownConnectionFailed(peer, "a request timed out");
                    }
                }
            }, settings.requestTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            pending.remove(id);
            result.completeExceptionally(new ConnectException("transport of " + localId + " is closed"));
            return;
        }
        ScheduledFuture<?> slow = null;
        if (!isInbound(channel)) {
            // Long before the request times out, a live peer connection of its own says our lane is cut.
            slow = channel.eventLoop().schedule(() -> {
                if (pending.containsKey(id)) {
                    ownConnectionFailed(peer, "no answer within " + detourAfterMillis() + " ms");
                }
            }, detourAfterMillis(), TimeUnit.MILLISECONDS);
        }
        ScheduledFuture<?> slowTimer = slow;
        result.whenComplete((ignored, error) -> {
            timer.cancel(false);
            if (slowTimer != null) {
                slowTimer.cancel(false);
            }
        });
        channel.writeAndFlush(frame(channel, KIND_REQUEST, id, type, payload)).addListener(written -> {
            if (!written.isSuccess() && pending.remove(id) != null) {
                result.completeExceptionally(connectFailure(peer, written.cause()));
            }
        });
    }

    private void onRequest(Channel channel, long id, int type, byte[] payload) {
        if (type == TYPE_PING) {
            channel.writeAndFlush(frame(channel, KIND_RESPONSE, id, type, new byte[0]));
            return;
        }
        RequestHandler handler = requestHandlers.get(type);
        if (handler == null) {
            reply(channel, KIND_FAILURE, id, FAILURE_NO_HANDLER, "member " + localId + " has no handler for type " + type);
            return;
        }
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.handle(payload);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> {
            if (error != null) {
                reply(channel, KIND_FAILURE, id, FAILURE_HANDLER, String.valueOf(error));
            } else {
                byte[] bytes = response == null ? new byte[0] : response;
                if (bytes.length > settings.frameBytesMax() - HEADER_BYTES) {
                    reply(channel, KIND_FAILURE, id, FAILURE_TOO_LARGE, "response of " + bytes.length
                            + " bytes exceeds the frame limit of " + settings.frameBytesMax());
                } else if (channel.isActive()) {
                    channel.writeAndFlush(frame(channel, KIND_RESPONSE, id, type, bytes));
                }
            }
        });
    }

    private void reply(Channel channel, byte kind, long id, int code, String message) {
        if (channel.isActive()) {
            channel.writeAndFlush(frame(channel, kind, id, code, message.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** A peer opened this connection: it may carry our requests to it too (a detour). */
    private void onHello(Channel channel, String peerId) {
        channel.attr(PEER).set(peerId);
        channel.attr(INBOUND).set(Boolean.TRUE);
        Peer peer = peers.get(peerId);
        if (peer != null && !peerId.equals(localId)) {
            peer.inbound.add(channel);
            channel.closeFuture().addListener(closedFuture -> peer.inbound.remove(channel));
        }
    }

    private void onMessage(int type, byte[] payload) {
        MessageHandler handler = messageHandlers.get(type);
        if (handler == null) {
            log.debug("member={} no handler for one-way message type {}", localId, type);
            return;
        }
        try {
            handler.handle(payload);
        } catch (RuntimeException e) {
            log.warn("member={} handler of one-way message type {} failed", localId, type, e);
        }
    }

    private void onAnswer(Channel channel, long id, byte kind, int code, byte[] payload) {
        CompletableFuture<byte[]> pending = channel.attr(PENDING).get().remove(id);
        if (pending == null) {
            return; // timed out already
        }
        if (kind == KIND_RESPONSE) {
            pending.complete(payload);
        } else {
            String message = new String(payload, StandardCharsets.UTF_8);
            String peer = channel.attr(PEER).get();
            pending.completeExceptionally(code == FAILURE_NO_HANDLER
                    ? new ConnectException(message)
                    : new RemoteFailureException(peer + ": " + message));
        }
    }

    private void onClosed(Channel channel) {
        String peer = channel.attr(PEER).get();
        failPending(channel, new ConnectException("connection to " + peer + " closed"));
        if (peer != null) {
            suspect(peer);
        }
    }

    private static int failPending(Channel channel, Throwable error) {
        Map<Long, CompletableFuture<byte[]>> pending = channel.attr(PENDING).get();
        int failed = 0;
        if (pending != null) {
            for (Long id : pending.keySet()) {
                CompletableFuture<byte[]> request = pending.remove(id);
                if (request != null) {
                    request.completeExceptionally(error);
                    failed++;
                }
            }
        }
        return failed;
    }

    private static boolean isInbound(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(INBOUND).get());
    }

    /** The peer's own connection to take instead of ours, while a detour is on; else null. */
    private Channel detourOf(Peer peer) {
        if (!peer.detour) {
            return null;
        }
        Channel inbound = freshInbound(peer);
        if (inbound == null) {
            endDetour(peer, "the peer's connections went quiet");
        }
        return inbound;
    }

    /** An active connection the peer opened to us and read from lately: proof that it reaches us. */
    private Channel freshInbound(Peer peer) {
        long now = System.nanoTime();
        long freshNanos = TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMillis());
        Channel best = null;
        long bestRead = Long.MIN_VALUE;
        for (Channel channel : peer.inbound) {
            AtomicLong lastRead = channel.attr(LAST_READ).get();
            long read = lastRead == null ? Long.MIN_VALUE : lastRead.get();
            if (channel.isActive() && lastRead != null && now - read < freshNanos && read > bestRead) {
                best = channel;
                bestRead = read;
            }
        }
        return best;
    }

    /** One of our connections to the peer failed; if the peer's own connections work, detour over them. */
    private void ownConnectionFailed(Peer peer, String why) {
        if (closed || peer.detour || freshInbound(peer) == null) {
            return;
        }
        synchronized (peer) {
            if (peer.detour) {
                return;
            }
            peer.detour = true;
        }
        log.warn("member={} own connections to {} fail ({}) while its connections to us deliver: sending to it over "
                + "those until a connection of ours answers again", localId, peer.id, why);
        // What waits on our lanes is re-sent now by its callers, over the detour, instead of timing out.
        int failed = 0;
        for (Lane lane : peer.lanes) {
            Channel channel;
            synchronized (peer) {
                channel = lane.channel;
            }
            if (channel != null) {
                failed += failPending(channel, new ConnectException("connection to " + peer.id + " is cut one way"));
            }
        }
        log.debug("member={} failed {} requests waiting on own connections to {}", localId, failed, peer.id);
        scheduleDetourProbe(peer);
    }

    /** A request unanswered this long on our own connection, while the peer's reach us, starts a detour. */
    private long detourAfterMillis() {
        return Math.max(1, settings.requestTimeoutMillis() / 4);
    }

    private void endDetour(Peer peer, String why) {
        synchronized (peer) {
            if (!peer.detour) {
                return;
            }
            peer.detour = false;
        }
        log.info("member={} stopped the detour to {}: {}", localId, peer.id, why);
    }

    private void scheduleDetourProbe(Peer peer) {
        try {
            group.schedule(() -> probeOwnConnection(peer), DETOUR_PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** While detouring: does a fresh connection of ours get an answer to a ping? Then the detour ends. */
    private void probeOwnConnection(Peer peer) {
        if (closed || !peer.detour) {
            return;
        }
        ChannelFuture attempt;
        try {
            attempt = clientBootstrap.connect(peer.address);
        } catch (RejectedExecutionException e) {
            return;
        }
        attempt.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                scheduleDetourProbe(peer);
                return;
            }
            // No HELLO and no PEER mark: the probe is not a lane, and its close must not make us
            // suspect the peer of being gone.
            Channel channel = done.channel();
            CompletableFuture<byte[]> pong = new CompletableFuture<>();
            sendRequest(peer, channel, TYPE_PING, new byte[0], pong);
            pong.whenComplete((ignored, error) -> {
                channel.close();
                if (error == null) {
                    endDetour(peer, "a connection of ours answers again");
                } else {
                    scheduleDetourProbe(peer);
                }
            });
        });
    }

    /**
     * A connection to or from {@code peerId} closed: find out whether the peer is gone. It is if a
     * new connection is refused, or accepted and dropped within {@link #PROBE_HOLD_MILLIS} (a
     * listening socket that is being closed can still complete a handshake: NIO closes it for real
     * only on the selector's next pass).
     */
    private void suspect(String peerId) {
        Peer peer = peers.get(peerId);
        if (closed || peer == null || peerId.equals(localId) || !peer.probing.compareAndSet(false, true)) {
            return;
        }
        log.debug("member={} a connection of peer {} closed: probing it", localId, peerId);
        ChannelFuture probe;
        try {
            probe = clientBootstrap.connect(peer.address);
        } catch (RejectedExecutionException e) {
            peer.probing.set(false);
            return;
        }
        probe.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                peer.probing.set(false);
                reportUnreachable(peerId, String.valueOf(done.cause()));
                return;
            }
            Channel channel = done.channel();
            ScheduledFuture<?> hold = channel.eventLoop().schedule(() -> {
                peer.probing.set(false);
                log.debug("member={} peer {} accepts connections again", localId, peerId);
                channel.close();
            }, PROBE_HOLD_MILLIS, TimeUnit.MILLISECONDS);
            channel.closeFuture().addListener(closedFuture -> {
                if (hold.cancel(false)) {
                    peer.probing.set(false);
                    reportUnreachable(peerId, "it accepted a connection and dropped it");
                }
            });
        });
    }

    private void reportUnreachable(String peerId, String why) {
        if (closed) {
            return;
        }
        log.info("member={} peer {} is unreachable after its connection closed: {}", localId, peerId, why);
        for (Consumer<String> listener : unreachableListeners) {
            try {
                listener.accept(peerId);
            } catch (RuntimeException e) {
                log.warn("member={} unreachable-peer listener failed", localId, e);
            }
        }
    }

    private ConnectException connectFailure(Peer peer, Throwable cause) {
        if (cause instanceof ConnectException connect) {
            return connect;
        }
        ConnectException failure = new ConnectException("cannot reach " + peer.id + " at " + peer.address + ": " + cause);
        failure.initCause(cause);
        return failure;
    }

    private static ByteBuf frame(Channel channel, byte kind, long id, int type, byte[] payload) {
        ByteBuf buffer = channel.alloc().buffer(HEADER_BYTES + payload.length);
        buffer.writeByte(kind).writeLong(id).writeShort(type).writeBytes(payload);
        return buffer;
    }

    private static int checkType(int type) {
        if (type < 0 || type > TYPE_MAX) {
            throw new IllegalArgumentException("message type out of range: " + type);
        }
        return type;
    }

    private static final class Peer {
        final String id;
        final InetSocketAddress address;
        final Lane[] lanes;
        final AtomicBoolean probing = new AtomicBoolean();
        /** Connections the peer opened to us (after their HELLO). */
        final List<Channel> inbound = new CopyOnWriteArrayList<>();
        /** Requests and messages go over {@link #inbound} instead of {@link #lanes}. */
        volatile boolean detour;

        Peer(String id, InetSocketAddress address, int connections) {
            this.id = id;
            this.address = address;
            this.lanes = new Lane[connections];
            for (int i = 0; i < connections; i++) {
                lanes[i] = new Lane();
            }
        }
    }

    /** One outbound connection to a peer. Guarded by the peer's monitor. */
    private static final class Lane {
        Channel channel;
        /** Connecting, or handing queued actions over: new actions must queue. */
        boolean busy;
        final ArrayDeque<BiConsumer<Channel, Throwable>> waiting = new ArrayDeque<>();
    }

    private final class Initializer extends ChannelInitializer<SocketChannel> {
        @Override
        protected void initChannel(SocketChannel channel) {
            channel.attr(PENDING).set(new ConcurrentHashMap<>());
            channel.attr(LAST_READ).set(new AtomicLong(System.nanoTime()));
            channels.add(channel);
            channel.pipeline()
                    .addLast(new LengthFieldBasedFrameDecoder(settings.frameBytesMax(), 0, LENGTH_BYTES, 0, LENGTH_BYTES))
                    .addLast(new LengthFieldPrepender(LENGTH_BYTES))
                    .addLast(new FrameHandler());
        }
    }

    private final class FrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext context, ByteBuf frame) {
            if (frame.readableBytes() < HEADER_BYTES) {
                log.warn("member={} closing connection from {}: frame of {} bytes is shorter than a header",
                        localId, context.channel().remoteAddress(), frame.readableBytes());
                context.close();
                return;
            }
            context.channel().attr(LAST_READ).get().set(System.nanoTime());
            byte kind = frame.readByte();
            long id = frame.readLong();
            int type = frame.readUnsignedShort();
            byte[] payload = new byte[frame.readableBytes()];
            frame.readBytes(payload);
            switch (kind) {
                case KIND_HELLO -> onHello(context.channel(), new String(payload, StandardCharsets.UTF_8));
                case KIND_REQUEST -> onRequest(context.channel(), id, type, payload);
                case KIND_MESSAGE -> onMessage(type, payload);
                case KIND_RESPONSE, KIND_FAILURE -> onAnswer(context.channel(), id, kind, type, payload);
                default -> {
                    log.warn("member={} closing connection from {}: unknown frame kind {}", localId,
                            context.channel().remoteAddress(), kind);
                    context.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) throws Exception {
            onClosed(context.channel());
            super.channelInactive(context);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            log.debug("member={} closing connection to {}: {}", localId, context.channel().remoteAddress(), cause.toString());
            context.close();
        }
    }
}
