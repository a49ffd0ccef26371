package io.coordinator.jepsen.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy for one link (one listening port, one target) that passes, black-holes or resets
 * the link's traffic ({@link LinkMode}): the harness's network fault injector when members cannot be
 * put into network namespaces.
 *
 * <p>Bounded: one thread (an NIO selector) per proxy, at most {@code connectionsMax} connections
 * (more are reset on accept), and {@code bufferBytes} per direction per connection (a full buffer
 * stops reading from that side, so TCP flow control reaches the sender). A mode change runs on the
 * proxy's thread and is in effect, for new and existing connections, when {@link #setMode} returns.
 * {@link #close()} closes the port, every connection and the thread.
 *
 * <p>Binds only the given address (127.0.0.1 in the harness). In {@link LinkMode#PASS} a connection
 * is accepted first and the target dialled afterwards; if the target refuses, the accepted
 * connection is reset. A peer that probes "is the target listening?" by connecting therefore sees
 * success even when the target is down: a killed member is noticed through timeouts, not refusals.
 */
public final class FaultProxy implements AutoCloseable {
    public static final int CONNECTIONS_MAX_DEFAULT = 64;
    public static final int BUFFER_BYTES_DEFAULT = 64 * 1024;
    private static final long COMMAND_WAIT_MILLIS = 5_000;
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

    /** Counters since start; bytes are counted once, whichever way they went. */
    public record Stats(LinkMode mode, int connectionsOpen, long connectionsAccepted, long connectionsRefused,
                        long bytesForwarded, long bytesDiscarded) {
    }

    private final String name;
    private final InetSocketAddress target;
    private final int connectionsMax;
    private final int bufferBytes;
    private final InetSocketAddress address;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    // Selector thread only.
    private final Set<Pipe> pipes = new HashSet<>();
    private final ByteBuffer scratch;
    private ServerSocketChannel listener;

    private volatile LinkMode mode = LinkMode.PASS;
    private volatile int connectionsOpen;
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicLong bytesForwarded = new AtomicLong();
    private final AtomicLong bytesDiscarded = new AtomicLong();

    private FaultProxy(String name, InetSocketAddress bindAddress, InetSocketAddress target, int connectionsMax,
                       int bufferBytes) throws IOException {
        if (connectionsMax < 1 || bufferBytes < 1024) {
            throw new IllegalArgumentException("connectionsMax must be positive and bufferBytes at least 1024");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.target = Objects.requireNonNull(target, "target");
        this.connectionsMax = connectionsMax;
        this.bufferBytes = bufferBytes;
        this.scratch = ByteBuffer.allocate(bufferBytes);
        this.selector = Selector.open();
        try {
            this.listener = listen(bindAddress);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.thread = new Thread(this::run, "fault-proxy-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Starts a proxy in {@link LinkMode#PASS} that listens on {@code bindAddress} (port 0: any free
     * port, see {@link #port()}) and forwards to {@code target}.
     */
    public static FaultProxy start(String name, InetSocketAddress bindAddress, InetSocketAddress target)
            throws IOException {
        return start(name, bindAddress, target, CONNECTIONS_MAX_DEFAULT, BUFFER_BYTES_DEFAULT);
    }

    public static FaultProxy start(String name, InetSocketAddress bindAddress, InetSocketAddress target,
                                   int connectionsMax, int bufferBytes) throws IOException {
        return new FaultProxy(name, bindAddress, target, connectionsMax, bufferBytes);
    }

    public String name() {
        return name;
    }

    /** The port the proxy listens on; the same across RESET and back. */
    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public InetSocketAddress target() {
        return target;
    }

    public LinkMode mode() {
        return mode;
    }

    /** Applies {@code next} to new and existing connections; returns once it is in effect. */
    public void setMode(LinkMode next) {
        await(setModeAsync(next));
    }

    /** Like {@link #setMode}, without waiting: for changing several links at once. */
    public CompletableFuture<Void> setModeAsync(LinkMode next) {
        Objects.requireNonNull(next, "mode");
        return submit(() -> applyMode(next));
    }

    public Stats stats() {
        return new Stats(mode, connectionsOpen, connectionsAccepted.get(), connectionsRefused.get(),
                bytesForwarded.get(), bytesDiscarded.get());
    }

    /** Closes the listening port, resets every connection and stops the thread. Idempotent. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        selector.wakeup();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("proxy {} did not stop within {} ms", name, CLOSE_WAIT_MILLIS);
        }
    }

    static void await(CompletableFuture<Void> future) {
        try {
            future.get(COMMAND_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("proxy did not apply the change within " + COMMAND_WAIT_MILLIS + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + name + " " + address + " -> " + target + ", " + mode + "]";
    }

    // ---- selector thread -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    private record Task(Action action, CompletableFuture<Void> done) {
    }

    private CompletableFuture<Void> submit(Action action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing.get()) {
            done.completeExceptionally(new IllegalStateException("proxy " + name + " is closed"));
            return done;
        }
        tasks.add(new Task(action, done));
        selector.wakeup();
        if (closing.get() && !thread.isAlive()) {
            failTasks(); // closed meanwhile: nobody else will
        }
        return done;
    }

    private void run() {
        try {
            while (!closing.get()) {
                selector.select();
                runTasks();
                Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
                while (selected.hasNext()) {
                    SelectionKey key = selected.next();
                    selected.remove();
                    handle(key);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("proxy {} stopped: {}", name, e.toString(), e);
        } finally {
            shutDown();
        }
    }

    private void runTasks() {
        Task task;
        while ((task = tasks.poll()) != null) {
            try {
                task.action().run();
                task.done().complete(null);
            } catch (IOException | RuntimeException e) {
                task.done().completeExceptionally(e);
            }
        }
    }

    private void failTasks() {
        Task task;
        while ((task = tasks.poll()) != null) {
            task.done().completeExceptionally(new IllegalStateException("proxy " + name + " is closed"));
        }
    }

    private void shutDown() {
        closing.set(true);
        for (Pipe pipe : new ArrayList<>(pipes)) {
            pipe.close(true);
        }
        stopListening();
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("proxy {}: closing the selector: {}", name, e.toString());
        }
        failTasks();
        log.debug("proxy {} closed", name);
    }

    private void applyMode(LinkMode next) throws IOException {
        LinkMode previous = mode;
        if (previous == next) {
            return;
        }
        switch (next) {
            case PASS -> {
                startListening();
                // Connections with a hole in their stream cannot go on: the ends must reconnect.
                for (Pipe pipe : new ArrayList<>(pipes)) {
                    if (pipe.holed || pipe.lostBytes) {
                        pipe.close(false);
                    }
                }
            }
            case DROP_FORWARD, DROP_BACKWARD -> {
                startListening();
                for (Pipe pipe : new ArrayList<>(pipes)) {
                    pipe.dropBuffered(next == LinkMode.DROP_FORWARD ? pipe.down : pipe.up);
                }
            }
            case BLACKHOLE -> {
                startListening();
                for (Pipe pipe : new ArrayList<>(pipes)) {
                    pipe.hole();
                }
            }
            case RESET -> {
                for (Pipe pipe : new ArrayList<>(pipes)) {
                    pipe.close(true);
                }
                stopListening();
            }
        }
        mode = next;
        // Deregisters what was closed, so the sockets are really gone when setMode returns.
        selector.selectNow();
        log.info("proxy {} {} -> {} ({} connections open)", name, previous, next, pipes.size());
    }

    private ServerSocketChannel listen(InetSocketAddress bindAddress) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT, null);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void startListening() throws IOException {
        if (listener == null) {
            listener = listen(address);
        }
    }

    private void stopListening() {
        if (listener != null) {
            try {
                listener.close();
                selector.selectNow(); // releases the port now, not at the next select
            } catch (IOException e) {
                log.debug("proxy {}: closing the listener: {}", name, e.toString());
            }
            listener = null;
        }
    }

    private void handle(SelectionKey key) {
        if (!(key.attachment() instanceof Side side)) {
            if (key.isValid() && key.isAcceptable()) {
                accept();
            }
            return;
        }
        Pipe pipe = side.pipe;
        try {
            if (key.isValid() && key.isConnectable()) {
                pipe.finishConnect();
            }
            if (key.isValid() && key.isReadable()) {
                pipe.read(side);
            }
            if (key.isValid() && key.isWritable()) {
                pipe.pump();
            }
        } catch (IOException | CancelledKeyException e) {
            log.debug("proxy {}: connection failed: {}", name, e.toString());
            pipe.failed(side);
        } catch (RuntimeException e) {
            // A bug here must cost one connection, not the whole link.
            log.warn("proxy {}: closing a connection after an unexpected error", name, e);
            pipe.close(true);
        }
    }

    private void accept() {
        while (listener != null) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                log.debug("proxy {}: accept failed: {}", name, e.toString());
                return;
            }
            if (channel == null) {
                return;
            }
            connectionsAccepted.incrementAndGet();
            if (pipes.size() >= connectionsMax) {
                connectionsRefused.incrementAndGet();
                log.warn("proxy {}: {} connections open already, resetting a new one", name, connectionsMax);
                closeQuietly(channel, true);
                continue;
            }
            Pipe pipe = new Pipe();
            try {
                pipe.open(channel);
            } catch (IOException e) {
                log.debug("proxy {}: cannot proxy a connection: {}", name, e.toString());
                pipe.close(true);
                closeQuietly(channel, true);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel, boolean reset) {
        try {
            if (reset && channel.isConnected()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** One end of a proxied connection. */
    private final class Side {
        final Pipe pipe;
        final SocketChannel channel;
        final SelectionKey key;
        /** Bytes read from this end, not yet written to the other (in write mode: position = count). */
        final ByteBuffer inbound = ByteBuffer.allocate(bufferBytes);
        boolean eof;
        boolean outputShut;
        boolean closed;

        Side(Pipe pipe, SocketChannel channel, int ops) throws IOException {
            this.pipe = pipe;
            this.channel = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            this.key = channel.register(selector, ops, this);
        }

        void close(boolean reset) {
            if (!closed) {
                closed = true;
                key.cancel();
                closeQuietly(channel, reset);
            }
        }
    }

    /**
     * A proxied connection: {@code down} is the end that connected to the proxy, {@code up} the
     * proxy's connection to the target (null while none was opened).
     */
    private final class Pipe {
        Side down;
        Side up;
        boolean connected;
        /** Has lost bytes: never forwards again. */
        boolean holed;
        /** Has lost bytes in one direction (a one-way cut): closed when the link heals. */
        boolean lostBytes;

        void open(SocketChannel accepted) throws IOException {
            pipes.add(this);
            connectionsOpen = pipes.size();
            down = new Side(this, accepted, 0);
            if (mode == LinkMode.BLACKHOLE) {
                holed = true;
            } else {
                SocketChannel channel = SocketChannel.open();
                try {
                    channel.configureBlocking(false);
                    connected = channel.connect(target);
                } catch (IOException | RuntimeException e) {
                    closeQuietly(channel, false);
                    throw e;
                }
                up = new Side(this, channel, connected ? 0 : SelectionKey.OP_CONNECT);
            }
            updateInterest();
        }

        void finishConnect() throws IOException {
            if (up.channel.finishConnect()) {
                connected = true;
                updateInterest();
            }
        }

        void read(Side side) throws IOException {
            if (holed) {
                discard(side);
                return;
            }
            if (droppedByMode(side)) {
                lostBytes = true;
                discard(side);
                pump();
                return;
            }
            int read = side.channel.read(side.inbound);
            if (read < 0) {
                side.eof = true;
            }
            pump();
        }

        /** Moves whatever is buffered, passes on half-closes, and closes the pipe once both ends are done. */
        void pump() throws IOException {
            if (holed || !connected) {
                updateInterest();
                return;
            }
            transfer(down, up);
            transfer(up, down);
            if (down.eof && up.eof && down.inbound.position() == 0 && up.inbound.position() == 0) {
                close(false);
                return;
            }
            updateInterest();
        }

        private void transfer(Side from, Side to) throws IOException {
            if (from.inbound.position() > 0) {
                from.inbound.flip();
                int written = to.channel.write(from.inbound);
                from.inbound.compact();
                bytesForwarded.addAndGet(written);
            }
            if (from.eof && from.inbound.position() == 0 && !to.outputShut) {
                to.outputShut = true;
                to.channel.shutdownOutput();
            }
        }

        private void discard(Side side) throws IOException {
            scratch.clear();
            int read = side.channel.read(scratch);
            if (read > 0) {
                bytesDiscarded.addAndGet(read);
            } else if (read < 0) {
                // In a real cut the FIN would be lost too: only this end goes.
                side.close(false);
                if (allClosed()) {
                    close(false);
                }
            }
        }

        /** In a one-way mode: is what this end sends discarded? */
        private boolean droppedByMode(Side side) {
            LinkMode current = mode;
            return (current == LinkMode.DROP_FORWARD && side == down)
                    || (current == LinkMode.DROP_BACKWARD && side == up);
        }

        /** A one-way cut begins: what this end sent and the proxy still holds is lost too. */
        void dropBuffered(Side side) {
            if (side != null && side.inbound.position() > 0) {
                bytesDiscarded.addAndGet(side.inbound.position());
                side.inbound.clear();
                lostBytes = true;
            }
            updateInterest();
        }

        /** From now on, every byte both ways is dropped; the ends stay open and hear nothing. */
        void hole() {
            if (holed) {
                return;
            }
            holed = true;
            for (Side side : sides()) {
                bytesDiscarded.addAndGet(side.inbound.position());
                side.inbound.clear();
            }
            // A connection still being set up towards the target is left to finish and then hears
            // nothing: closing it would send the target a FIN, which a real cut never delivers.
            updateInterest();
        }

        void failed(Side side) {
            if (holed) {
                side.close(false);
                if (allClosed()) {
                    close(false);
                }
            } else {
                close(true); // what broke one end breaks the other: pass the reset on
            }
        }

        void close(boolean reset) {
            for (Side side : sides()) {
                side.close(reset);
            }
            if (pipes.remove(this)) {
                connectionsOpen = pipes.size();
            }
        }

        private boolean allClosed() {
            for (Side side : sides()) {
                if (!side.closed) {
                    return false;
                }
            }
            return true;
        }

        private List<Side> sides() {
            List<Side> sides = new ArrayList<>(2);
            if (down != null) {
                sides.add(down);
            }
            if (up != null) {
                sides.add(up);
            }
            return sides;
        }

        private void updateInterest() {
            for (Side side : sides()) {
                if (side.closed || !side.key.isValid()) {
                    continue;
                }
                int ops;
                if (holed) {
                    ops = side == up && !connected ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ;
                } else if (!connected) {
                    ops = side == up ? SelectionKey.OP_CONNECT : 0;
                } else if (droppedByMode(side)) {
                    // Keep reading (and discarding), so the sender never feels back-pressure.
                    Side other = side == down ? up : down;
                    ops = (side.eof ? 0 : SelectionKey.OP_READ) | (other.inbound.position() > 0 ? SelectionKey.OP_WRITE : 0);
                } else {
                    Side other = side == down ? up : down;
                    ops = (!side.eof && side.inbound.hasRemaining() ? SelectionKey.OP_READ : 0)
                            | (other.inbound.position() > 0 ? SelectionKey.OP_WRITE : 0);
                }
                side.key.interestOps(ops);
            }
        }
    }
}
