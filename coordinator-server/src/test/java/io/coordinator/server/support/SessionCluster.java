package io.coordinator.server.support;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.member.Member;


import java.io.IOException;
import java.time.Duration;
import java.util.List;


import static org.awaitility.Awaitility.await;

/**
 * N members in this JVM on free loopback ports, with the session settings a test chooses, members a
 * test may stop one by one, and the session calls tests make over a {@link RawConnection}. close()
 * stops the rest and removes the data.
 */
public final class SessionCluster implements AutoCloseable {
    private final InProcessCluster cluster;

    private SessionCluster(InProcessCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts the members and returns once every one of them answers a linearizable read. */
    public static SessionCluster start(int count, ServerConfig.SessionSettings sessions) throws Exception {
        SessionCluster started = new SessionCluster(InProcessCluster.start(count, InProcessCluster.sessions(sessions)));
        try {
            for (int i = 0; i < count; i++) {
                started.awaitServing(i);
            }
            return started;
        } catch (Exception | Error e) {
            started.close();
            throw e;
        }
    }

    public void awaitServing(int i) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
            try (RawConnection connection = connect(i)) {
                return connection.execute(new Op.Exists("/")).response() instanceof Response.ExistsResult;
            }
        });
    }

    public int size() {
        return cluster.size();
    }

    public Member member(int i) {
        return cluster.member(i);
    }

    public java.net.InetSocketAddress clientAddress(int i) {
        return cluster.clientAddress(i);
    }

    public RawConnection connect(int i) throws IOException {
        return new RawConnection(cluster.clientAddress(i));
    }

    /** The index of the member that is leader now, or -1. */
    public int leader() {
        for (int i = 0; i < cluster.size(); i++) {
            Member member = cluster.member(i);
            if (member != null && member.replicatedLog().status().isLeader()) {
                return i;
            }
        }
        return -1;
    }

    public MemberStatus status(int i) {
        return cluster.member(i).replicatedLog().status();
    }

    /** Stops member {@code i}; it stays stopped until close(). */
    public void stop(int i) {
        cluster.stop(i);
    }

    // ---- session calls over a raw connection ----

    public static Response.SessionOpened open(RawConnection connection, long ttlMillis) throws IOException {
        return (Response.SessionOpened) reply(connection.call(new Command.OpenSession(ttlMillis, 0))).response();
    }

    public static ServerMessage.Reply attach(RawConnection connection, long sessionId, long secret) throws IOException {
        return reply(connection.send(new ClientMessage.AttachSession(sessionId, secret)));
    }

    public static ServerMessage.Reply keepAlive(RawConnection connection, long sessionId) throws IOException {
        return reply(connection.call(new Command.KeepAlive(List.of(sessionId))));
    }

    public static ServerMessage.Reply as(RawConnection connection, long sessionId, long sequence, Op op) throws IOException {
        return reply(connection.call(new Request(sessionId, sequence, new Command.Execute(op))));
    }

    public static ServerMessage.Reply reply(ServerMessage message) {
        if (!(message instanceof ServerMessage.Reply reply)) {
            throw new AssertionError("expected a reply, got " + message);
        }
        return reply;
    }

    @Override
    public void close() throws IOException {
        cluster.close();
    }
}
