package io.coordinator.server.consensus.atomix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A one-way network link between two members for tests: listens on 127.0.0.1 and forwards to the
 * target. {@link #cut()} makes it a black hole (connections stay open, bytes vanish, requests time
 * out, as in a partition); {@link #heal()} resets the connections so both ends reconnect cleanly.
 */
final class LinkProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    LinkProxy(String name, InetSocketAddress target) {
        this.target = target;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getByName(TestCluster.HOST));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "link-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void cut() {
        cut = true;
    }

    void heal() {
        cut = false;
        sockets.forEach(LinkProxy::closeQuietly);
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        sockets.forEach(LinkProxy::closeQuietly);
    }

    private void accept() {
        while (!closed) {
            Socket downstream;
            try {
                downstream = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(downstream);
                closeQuietly(upstream);
                continue;
            }
            sockets.add(downstream);
            sockets.add(upstream);
            pump(downstream, upstream);
            pump(upstream, downstream);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (!cut) {
                        out.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // connection reset or closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "link-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
