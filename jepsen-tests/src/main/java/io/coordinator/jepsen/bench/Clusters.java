package io.coordinator.jepsen.bench;

import io.coordinator.client.MemberInfo;
import io.coordinator.jepsen.baseline.ZooKeeperCluster;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts the 3-member clusters the benchmarks measure, as separate processes on 127.0.0.1, each
 * undone by the given {@link Cleanup} (processes stopped, data deleted), and says which member the
 * client should talk to.
 */
final class Clusters {
    static final int MEMBERS = 3;
    static final Duration LEADER_WAIT = Duration.ofSeconds(60);

    /** A started cluster: the endpoint the client uses, and a line saying what runs where. */
    record Started(String endpoint, String description) {
    }

    private Clusters() {
    }

    static Started coordinator(Cleanup cleanup, boolean onLeader) throws Exception {
        Path dir = cleanup.deleteLater(Files.createTempDirectory("bench-coordinator"));
        ProcessCluster cluster = cleanup.add(ProcessCluster.start(dir, MEMBERS, ProcessCluster.freeBasePort(MEMBERS)));
        MemberInfo leader = new ClusterView(cluster).awaitLeader(LEADER_WAIT);
        String leaderId = leader.self().memberId();
        String memberId = onLeader ? leaderId
                : cluster.memberIds().stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
        String endpoint = cluster.endpoint(memberId);
        return new Started(endpoint, MEMBERS + " member processes (" + cluster.endpoints() + "), client on "
                + role(memberId, leaderId) + " " + memberId + " " + endpoint);
    }

    static Started zooKeeper(Cleanup cleanup, boolean onLeader) throws Exception {
        Path dir = cleanup.deleteLater(Files.createTempDirectory("bench-zookeeper"));
        ZooKeeperCluster cluster = cleanup.add(ZooKeeperCluster.start(dir, MEMBERS));
        ZooKeeperCluster.Member leader = cluster.awaitLeader(LEADER_WAIT);
        ZooKeeperCluster.Member member = onLeader ? leader
                : cluster.members().stream().filter(m -> m.id() != leader.id()).findFirst().orElseThrow();
        return new Started(member.clientEndpoint(), MEMBERS + " QuorumPeerMain processes (ZooKeeper "
                + org.apache.zookeeper.Version.getFullVersion() + ", " + cluster.connectString() + "), client on "
                + role(member.id(), leader.id()) + " " + member.id() + " " + member.clientEndpoint());
    }

    static String role(Object member, Object leader) {
        return member.equals(leader) ? "the leader" : "follower";
    }
}
