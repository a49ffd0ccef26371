package io.coordinator.jepsen.baseline;

import io.coordinator.jepsen.cluster.ClockSkew;
import io.coordinator.jepsen.cluster.NetnsNetwork;
import io.coordinator.jepsen.cluster.PrivateClasspath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A ZooKeeper 3.9 ensemble for the harness: {@code QuorumPeerMain} processes from this JVM's classpath
 * (a private copy, as Coordinator's members get), each in its own network namespace on ports 2181 (clients),
 * 2888 (quorum) and 3888 (election) of its own address, with {@link ZooKeeperCluster#zooCfg ZooKeeper's
 * defaults} (tickTime 2 s, syncLimit 5 ticks, forceSync). Who leads: the {@code Mode:} line of
 * {@code srvr}.
 */
public final class ZooKeeperEnsemble extends NamespacedEnsemble {
    public static final String SYSTEM = "zookeeper";
    static final int CLIENT_PORT = 2181;
    static final int QUORUM_PORT = 2888;
    static final int ELECTION_PORT = 3888;

    private final List<ZooKeeperCluster.Member> members;
    private final String classpath;

    private ZooKeeperEnsemble(Path dataDir, NetnsNetwork network, ClockSkew clocks, String classpath) {
        super(SYSTEM, dataDir, network, clocks);
        this.classpath = classpath;
        List<ZooKeeperCluster.Member> layout = new ArrayList<>();
        for (int i = 0; i < network.memberIds().size(); i++) {
            String id = network.memberIds().get(i);
            layout.add(new ZooKeeperCluster.Member(i + 1, CLIENT_PORT, QUORUM_PORT, ELECTION_PORT, network.address(id)));
        }
        this.members = List.copyOf(layout);
    }

    /**
     * Starts {@code count} members with data and logs under {@code dataDir}.
     *
     * @param skewableClocks preload libfaketime into every member, so that {@link #clocks()} can skew it
     */
    public static ZooKeeperEnsemble start(Path dataDir, int count, boolean skewableClocks) throws IOException {
        ClockSkew clocks = skewableClocks ? ClockSkew.in(dataDir.resolve("clocks")) : null;
        Files.createDirectories(dataDir);
        String classpath = PrivateClasspath.of(dataDir.resolve("classpath"));
        NetnsNetwork network = network(SYSTEM, count);
        ZooKeeperEnsemble ensemble;
        try {
            ensemble = new ZooKeeperEnsemble(dataDir, network, clocks, classpath);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        try {
            for (String id : ensemble.memberIds()) {
                ZooKeeperCluster.Member member = ensemble.member(id);
                Path memberData = ensemble.memberDir(id).resolve("data");
                Files.createDirectories(memberData);
                Files.writeString(memberData.resolve("myid"), ZooKeeperCluster.myid(member));
                Files.writeString(ensemble.memberDir(id).resolve("zoo.cfg"), ZooKeeperCluster.zooCfg(member, ensemble.members, memberData));
            }
            ensemble.startAll();
            return ensemble;
        } catch (IOException | RuntimeException e) {
            ensemble.close();
            throw e;
        }
    }

    private Path memberDir(String memberId) {
        return dataDir().resolve(memberId);
    }

    private ZooKeeperCluster.Member member(String memberId) {
        return members.get(memberIds().indexOf(memberId));
    }

    @Override
    protected List<String> command(String memberId) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ZooKeeperCluster.JVM_OPTIONS);
        command.add("-Duser.timezone=UTC");
        command.add("-cp");
        command.add(classpath);
        command.add(ZooKeeperCluster.MAIN_CLASS);
        command.add(memberDir(memberId).resolve("zoo.cfg").toString());
        return command;
    }

    /** host:2181 */
    @Override
    public String endpoint(String memberId) {
        return member(memberId).clientEndpoint();
    }

    @Override
    public Optional<String> leader() {
        return memberIds().stream().filter(this::isRunning)
                .filter(id -> mode(id).filter("leader"::equals).isPresent()).findFirst();
    }

    /** A member serves clients when it is leader or follower; while it looks for a leader, srvr says it does not. */
    @Override
    public boolean answers(String memberId) {
        return mode(memberId).isPresent();
    }

    private Optional<String> mode(String memberId) {
        return ZooKeeperCluster.srvr(member(memberId)).flatMap(ZooKeeperCluster::mode);
    }
}
