package io.coordinator.jepsen.baseline;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The files a ZooKeeper member starts from; no ZooKeeper is started here. */
class ZooKeeperClusterTest {
    private static final List<ZooKeeperCluster.Member> MEMBERS =
            ZooKeeperCluster.layout(List.of(2181, 2888, 3888, 2182, 2889, 3889, 2183, 2890, 3890), 3);

    @Test
    void membersAreNumberedFromOneWithClientQuorumAndElectionPortsInThatOrder() {
        assertEquals(new ZooKeeperCluster.Member(2, 2182, 2889, 3889), MEMBERS.get(1));
        assertEquals("127.0.0.1:2183", MEMBERS.get(2).clientEndpoint());
        assertThrows(IllegalArgumentException.class, () -> ZooKeeperCluster.layout(List.of(1, 2, 3), 2));
    }

    @Test
    void zooCfgListsEveryServerOnLoopbackWithFsyncOnAndTheAdminServerAndFourLetterWordsOff() {
        String cfg = ZooKeeperCluster.zooCfg(MEMBERS.get(1), MEMBERS, Path.of("/data/zk2"));

        assertEquals("""
                tickTime=2000
                initLimit=10
                syncLimit=5
                dataDir=/data/zk2
                clientPort=2182
                clientPortAddress=127.0.0.1
                forceSync=yes
                admin.enableServer=false
                4lw.commands.whitelist=
                server.1=127.0.0.1:2888:3888
                server.2=127.0.0.1:2889:3889
                server.3=127.0.0.1:2890:3890
                """, cfg);
        assertEquals("2\n", ZooKeeperCluster.myid(MEMBERS.get(1)));
    }

    @Test
    void theModeLineOfASrvrAnswerSaysWhoLeads() {
        String answer = """
                Zookeeper version: 3.9.5-293c895, built on 2026-02-11 20:18 UTC
                Latency min/avg/max: 0/0.0/0
                Mode: leader
                Node count: 5
                """;
        assertEquals(Optional.of("leader"), ZooKeeperCluster.mode(answer));
        assertEquals(Optional.empty(), ZooKeeperCluster.mode("This ZooKeeper instance is not currently serving requests"));
    }
}
