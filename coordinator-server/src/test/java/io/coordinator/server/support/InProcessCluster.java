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
import java.util.stream.Stream;

/** N members in this JVM on free loopback ports and a temporary directory; close() removes both. */
public final class InProcessCluster implements AutoCloseable {
    private final Path dataDir;
    private final List<MemberAddress> addresses;
    private final List<Member> members = new ArrayList<>();

    private InProcessCluster(Path dataDir, List<MemberAddress> addresses) {
        this.dataDir = dataDir;
        this.addresses = addresses;
    }

    public static InProcessCluster start(int count) throws Exception {
        Path dir = Files.createTempDirectory("coordinator-test");
        InProcessCluster cluster = new InProcessCluster(dir, LocalClusterLayout.members("127.0.0.1", freeBase(count), count));
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

    public ServerConfig config(String memberId) {
        return LocalClusterLayout.memberConfig(addresses, memberId, dataDir);
    }

    public List<Member> members() {
        return members;
    }

    public Member member(int i) {
        return members.get(i);
    }

    public InetSocketAddress clientAddress(int i) {
        MemberAddress address = addresses.get(i);
        return new InetSocketAddress(address.host(), address.clientPort());
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
        members.forEach(Member::close);
        members.clear();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
