package io.coordinator.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conventional layout of an N-member cluster on one host: member i (from 1) takes client port
 * base+i, raft port base+100+i and HTTP port base+200+i, and data directory DIR/m{i}. Used by
 * {@code local-cluster}, the demo and the harness, so that all agree on where members are.
 */
public final class LocalClusterLayout {
    private LocalClusterLayout() {
    }

    public static List<MemberAddress> members(String host, int basePort, int count) {
        if (count < 1 || count > 9) {
            throw new IllegalArgumentException("a local cluster has 1 to 9 members, not " + count);
        }
        List<MemberAddress> members = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            members.add(new MemberAddress("m" + i, host, basePort + i, basePort + 100 + i, basePort + 200 + i));
        }
        return members;
    }

    public static ServerConfig memberConfig(List<MemberAddress> members, String memberId, Path dataDir) {
        return new ServerConfig(memberId, dataDir.resolve(memberId), members, null, null, null, null);
    }
}
