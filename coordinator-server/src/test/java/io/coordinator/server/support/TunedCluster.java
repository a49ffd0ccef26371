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
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Like {@link InProcessCluster}, with the members' limits adjusted (a tiny watch history, say) and
 * members that a test may stop one by one. close() stops the rest and removes the data.
 */
public final class TunedCluster implements AutoCloseable {
    private final Path dataDir;
    private final List<MemberAddress> addresses;
    private final UnaryOperator<ServerConfig.LimitsConfig> limits;
    private final List<Member> members = new ArrayList<>();

    private TunedCluster(Path dataDir, List<MemberAddress> addresses, UnaryOperator<ServerConfig.LimitsConfig> limits) {
        this.dataDir = dataDir;
        this.addresses = addresses;
        this.limits = limits;
    }

    public static TunedCluster start(int count, UnaryOperator<ServerConfig.LimitsConfig> limits) throws Exception {
        Path dir = Files.createTempDirectory("coordinator-test");
        TunedCluster cluster = new TunedCluster(dir, LocalClusterLayout.members("127.0.0.1", freeBase(count), count), limits);
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

    /** The default limits with a different watch history bound. */
    public static ServerConfig.LimitsConfig withWatchHistory(ServerConfig.LimitsConfig l, int eventsMax) {
        return new ServerConfig.LimitsConfig(l.dataBytesMax(), l.pathLengthMax(), l.frameBytesMax(), l.pendingRequestsMax(),
                l.connectionsMax(), l.txnOpsMax(), l.watchesPerConnectionMax(), eventsMax, l.watchHistoryBytesMax(),
                l.watchPendingBytesMax());
    }

    public ServerConfig config(String memberId) {
        ServerConfig base = LocalClusterLayout.memberConfig(addresses, memberId, dataDir);
        return new ServerConfig(base.memberId(), base.dataDir(), base.members(), limits.apply(base.limits()),
                base.consensus(), base.batch(), base.sessions());
    }

    public int size() {
        return addresses.size();
    }

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
