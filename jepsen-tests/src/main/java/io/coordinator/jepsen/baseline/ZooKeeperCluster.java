package io.coordinator.jepsen.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A ZooKeeper ensemble of separate {@code QuorumPeerMain} processes on 127.0.0.1, started from this
 * JVM's classpath (ZooKeeper is a dependency of the harness), each with its own zoo.cfg, myid and
 * data directory under {@code dir}. Defaults are ZooKeeper's own, fsync included (forceSync=yes).
 */
public final class ZooKeeperCluster implements AutoCloseable {
    public static final String MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    public static final int TICK_MILLIS = 2_000;
    public static final int INIT_LIMIT_TICKS = 10;
    public static final int SYNC_LIMIT_TICKS = 5;
    /** The same heap and collector as the Coordinator members get. */
    public static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC",
            "-Dzookeeper.jmx.log4j.disable=true");

    /**
     * One member: its myid, its client, quorum (follower to leader) and election ports, and the address
     * it binds them on (127.0.0.1 for the benchmark; its own network namespace's for the harness).
     */
    public record Member(int id, int clientPort, int quorumPort, int electionPort, String host) {
        public Member(int id, int clientPort, int quorumPort, int electionPort) {
            this(id, clientPort, quorumPort, electionPort, "127.0.0.1");
        }

        public String clientEndpoint() {
            return host + ":" + clientPort;
        }
    }

    private final List<Member> members;
    private final MemberProcesses processes;

    private ZooKeeperCluster(List<Member> members, MemberProcesses processes) {
        this.members = members;
        this.processes = processes;
    }

    /** Members 1..count on the given ports, three per member (client, quorum, election). */
    public static List<Member> layout(List<Integer> ports, int count) {
        if (ports.size() < 3 * count) {
            throw new IllegalArgumentException("need " + 3 * count + " ports, got " + ports.size());
        }
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(new Member(i + 1, ports.get(3 * i), ports.get(3 * i + 1), ports.get(3 * i + 2)));
        }
        return List.copyOf(members);
    }

    /**
     * The zoo.cfg of {@code self}. Keys ZooKeeper does not know as config become system properties
     * with a "zookeeper." prefix, which is how admin.enableServer and the 4lw whitelist take effect.
     * An empty whitelist turns four-letter words off, except "srvr", which ZooKeeper always allows
     * (its own scripts need it) and which {@link #awaitLeader} uses.
     */
    public static String zooCfg(Member self, List<Member> members, Path dataDir) {
        StringBuilder cfg = new StringBuilder()
                .append("tickTime=").append(TICK_MILLIS).append('\n')
                .append("initLimit=").append(INIT_LIMIT_TICKS).append('\n')
                .append("syncLimit=").append(SYNC_LIMIT_TICKS).append('\n')
                .append("dataDir=").append(dataDir.toAbsolutePath()).append('\n')
                .append("clientPort=").append(self.clientPort()).append('\n')
                .append("clientPortAddress=").append(self.host()).append('\n')
                .append("forceSync=yes\n")
                .append("admin.enableServer=false\n")
                .append("4lw.commands.whitelist=\n");
        for (Member member : members) {
            cfg.append("server.").append(member.id()).append('=').append(member.host()).append(':').append(member.quorumPort())
                    .append(':').append(member.electionPort()).append('\n');
        }
        return cfg.toString();
    }

    public static String myid(Member self) {
        return self.id() + "\n";
    }

    /** Writes every member's files under {@code dir} and starts {@code count} member processes. */
    public static ZooKeeperCluster start(Path dir, int count) throws IOException {
        List<Member> members = layout(MemberProcesses.freePorts(3 * count), count);
        String classpath = io.coordinator.jepsen.cluster.PrivateClasspath.of(dir.resolve("classpath"));
        MemberProcesses processes = new MemberProcesses("zookeeper");
        ZooKeeperCluster cluster = new ZooKeeperCluster(members, processes);
        try {
            for (Member member : members) {
                Path memberDir = dir.resolve("zk" + member.id());
                Path dataDir = memberDir.resolve("data");
                Files.createDirectories(dataDir);
                Files.writeString(dataDir.resolve("myid"), myid(member));
                Path cfg = memberDir.resolve("zoo.cfg");
                Files.writeString(cfg, zooCfg(member, members, dataDir));
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(JVM_OPTIONS);
                command.add("-cp");
                command.add(classpath);
                command.add(MAIN_CLASS);
                command.add(cfg.toString());
                processes.start("zk" + member.id(), command, memberDir.resolve("zookeeper.log"));
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<Member> members() {
        return members;
    }

    /** Every member's client address, comma separated: a ZooKeeper connect string. */
    public String connectString() {
        return members.stream().map(Member::clientEndpoint).collect(Collectors.joining(","));
    }

    /** Waits until a member reports "Mode: leader" and returns it; fails early if a member exits. */
    public Member awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            processes.requireAllRunning();
            for (Member member : members) {
                if (srvr(member).flatMap(ZooKeeperCluster::mode).filter("leader"::equals).isPresent()) {
                    return member;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no ZooKeeper leader within " + timeout + processes.logTails());
    }

    /** The "Mode:" line of a srvr answer: leader, follower or standalone. */
    public static Optional<String> mode(String srvrAnswer) {
        return srvrAnswer.lines().filter(line -> line.startsWith("Mode:"))
                .map(line -> line.substring("Mode:".length()).trim()).findFirst();
    }

    /** The member's answer to the {@code srvr} four-letter word; empty when it does not answer. */
    public static Optional<String> srvr(Member member) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(member.host(), member.clientPort()), 1_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException notYet) {
            return Optional.empty();
        }
    }

    public String logTails() {
        return processes.logTails();
    }

    @Override
    public void close() {
        processes.close();
    }
}
