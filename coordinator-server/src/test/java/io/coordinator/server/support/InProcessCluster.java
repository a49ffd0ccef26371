package io.coordinator.server.support;

import io.coordinator.server.config.LocalClusterLayout;
import io.coordinator.server.config.MemberAddress;
import io.coordinator.server.config.ServerConfig;
import io.coordinator.server.member.Member;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * N real members in this JVM on free loopback ports and a temporary directory, each with the
 * default config or one a test adjusted; members may be stopped one by one. close() stops the rest
 * and removes the data.
 */
public final class InProcessCluster implements AutoCloseable {
    private final Path dataDir;
    private final List<MemberAddress> addresses;
    private final UnaryOperator<ServerConfig> tune;
    private final List<Member> members = new ArrayList<>();

    private InProcessCluster(Path dataDir, List<MemberAddress> addresses, UnaryOperator<ServerConfig> tune) {
        this.dataDir = dataDir;
        this.addresses = addresses;
        this.tune = tune;
    }

    public static InProcessCluster start(int count) throws Exception {
        return start(count, UnaryOperator.identity());
    }

    /** @param tune adjusts each member's config (same adjustment for every member) */
    public static InProcessCluster start(int count, UnaryOperator<ServerConfig> tune) throws Exception {
        Path dir = Files.createTempDirectory("coordinator-test");
        InProcessCluster cluster = new InProcessCluster(dir,
                LocalClusterLayout.members("127.0.0.1", freeBase(count), count), tune);
        try {
            for (MemberAddress address : cluster.addresses) {
                cluster.members.add(Member.start(cluster.config(address.id())));
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** A tuning that changes only the limits. */
    public static UnaryOperator<ServerConfig> limits(UnaryOperator<ServerConfig.LimitsConfig> limits) {
        return config -> new ServerConfig(config.memberId(), config.dataDir(), config.members(),
                limits.apply(config.limits()), config.consensus(), config.batch(), config.sessions(), config.http());
    }

    /** A tuning that changes only the session settings. */
    public static UnaryOperator<ServerConfig> sessions(ServerConfig.SessionSettings sessions) {
        return config -> new ServerConfig(config.memberId(), config.dataDir(), config.members(), config.limits(),
                config.consensus(), config.batch(), sessions, config.http());
    }

    /** The default limits with a different watch history bound. */
    public static ServerConfig.LimitsConfig withWatchHistory(ServerConfig.LimitsConfig l, int eventsMax) {
        return new ServerConfig.LimitsConfig(l.dataBytesMax(), l.pathLengthMax(), l.frameBytesMax(), l.pendingRequestsMax(),
                l.connectionsMax(), l.txnOpsMax(), l.watchesPerConnectionMax(), eventsMax, l.watchHistoryBytesMax(),
                l.watchPendingBytesMax());
    }

    public ServerConfig config(String memberId) {
        return Objects.requireNonNull(tune.apply(LocalClusterLayout.memberConfig(addresses, memberId, dataDir)));
    }

    public int size() {
        return addresses.size();
    }

    public List<Member> members() {
        return members;
    }

    /** Member {@code i}, or null once stopped. */
    public Member member(int i) {
        return members.get(i);
    }

    public InetSocketAddress clientAddress(int i) {
        MemberAddress address = addresses.get(i);
        return new InetSocketAddress(address.host(), address.clientPort());
    }

    /** Stops member {@code i}; it stays stopped until close(). */
    public void stop(int i) {
        Member member = members.get(i);
        if (member != null) {
            members.set(i, null);
            member.close();
        }
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
