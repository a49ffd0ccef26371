package io.coordinator.server.support;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.config.LocalClusterLayout;
import io.coordinator.server.config.MemberAddress;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.member.Member;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * N members in this JVM on free loopback ports, with the session settings a test chooses, members a
 * test may stop one by one, and the session calls tests make over a {@link RawConnection}. close()
 * stops the rest and removes the data.
 */
public final class SessionCluster implements AutoCloseable {
    private final Path dataDir;
    private final List<MemberAddress> addresses;
    private final ServerConfig.SessionSettings sessions;
    private final List<Member> members = new ArrayList<>();

    private SessionCluster(Path dataDir, List<MemberAddress> addresses, ServerConfig.SessionSettings sessions) {
        this.dataDir = dataDir;
        this.addresses = addresses;
        this.sessions = sessions;
    }

    /** Starts the members and returns once every one of them answers a linearizable read. */
    public static SessionCluster start(int count, ServerConfig.SessionSettings sessions) throws Exception {
        Path dir = Files.createTempDirectory("coordinator-sessions");
        SessionCluster cluster = new SessionCluster(dir, LocalClusterLayout.members("127.0.0.1", freeBase(count), count),
                sessions);
        try {
            for (MemberAddress address : cluster.addresses) {
                cluster.members.add(Member.start(cluster.config(address.id())));
            }
            for (int i = 0; i < count; i++) {
                cluster.awaitServing(i);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private ServerConfig config(String memberId) {
        ServerConfig base = LocalClusterLayout.memberConfig(addresses, memberId, dataDir);
        return new ServerConfig(base.memberId(), base.dataDir(), base.members(), base.limits(), base.consensus(),
                base.batch(), sessions);
    }

    public void awaitServing(int i) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
            try (RawConnection connection = connect(i)) {
                return connection.execute(new Op.Exists("/")).response() instanceof Response.ExistsResult;
            }
        });
    }

    public int size() {
        return addresses.size();
    }

    public Member member(int i) {
        return members.get(i);
    }

    public RawConnection connect(int i) throws IOException {
        MemberAddress address = addresses.get(i);
        return new RawConnection(new InetSocketAddress(address.host(), address.clientPort()));
    }

    /** The index of the member that is leader now, or -1. */
    public int leader() {
        for (int i = 0; i < members.size(); i++) {
            Member member = members.get(i);
            if (member != null && member.replicatedLog().status().isLeader()) {
                return i;
            }
        }
        return -1;
    }

    public MemberStatus status(int i) {
        return members.get(i).replicatedLog().status();
    }

    /** Stops member {@code i}; it stays stopped until close(). */
    public void stop(int i) {
        Member member = members.get(i);
        if (member != null) {
            members.set(i, null);
            member.close();
        }
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

    private static int freeBase(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 30_000 + ThreadLocalRandom.current().nextInt(0, 300) * 100;
            if (free(base, count)) {
                return base;
            }
        }
        throw new IOException("no free port range");
    }

    private static boolean free(int base, int count) {
        for (MemberAddress member : LocalClusterLayout.members("127.0.0.1", base, count)) {
            for (int port : new int[]{member.clientPort(), member.raftPort(), member.httpPort()}) {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress("127.0.0.1", port));
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        for (int i = 0; i < members.size(); i++) {
            stop(i);
        }
        members.clear();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
