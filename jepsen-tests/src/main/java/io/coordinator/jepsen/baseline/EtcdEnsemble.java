package io.coordinator.jepsen.baseline;

import io.coordinator.jepsen.cluster.ClockSkew;
import io.coordinator.jepsen.cluster.NetnsNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An etcd cluster for the harness: Debian's {@code etcd} binary ({@link EtcdCluster#findBinary()}),
 * each member in its own network namespace on ports 2379 (clients, gRPC and the JSON gateway) and 2380
 * (peers) of its own address, everything else etcd's default (heartbeat 100 ms, election 1 s, WAL
 * fsync). A restarted member keeps its data directory and rejoins from its WAL. Who leads: each
 * member's {@code /v3/maintenance/status}.
 */
public final class EtcdEnsemble extends NamespacedEnsemble {
    public static final String SYSTEM = "etcd";
    static final int CLIENT_PORT = 2379;
    static final int PEER_PORT = 2380;
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

    private final Path binary;
    private final String clusterToken;
    private final List<EtcdCluster.Member> members;
    private final Map<String, EtcdHttp> statusClients = new LinkedHashMap<>();

    private EtcdEnsemble(Path dataDir, NetnsNetwork network, ClockSkew clocks, Path binary) {
        super(SYSTEM, dataDir, network, clocks);
        this.binary = binary;
        this.clusterToken = "harness-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        List<EtcdCluster.Member> layout = new ArrayList<>();
        for (String id : network.memberIds()) {
            EtcdCluster.Member member = new EtcdCluster.Member(id, CLIENT_PORT, PEER_PORT, network.address(id));
            layout.add(member);
            statusClients.put(id, new EtcdHttp(member.clientUrl(), STATUS_TIMEOUT));
        }
        this.members = List.copyOf(layout);
    }

    /**
     * Starts {@code count} members with data and logs under {@code dataDir}.
     *
     * @param skewableClocks preload libfaketime into every member (whether a Go binary heeds it is another matter)
     * @throws IllegalStateException when etcd is not installed or namespaces are unavailable
     */
    public static EtcdEnsemble start(Path dataDir, int count, boolean skewableClocks) throws IOException {
        Path binary = EtcdCluster.findBinary().orElseThrow(() -> new IllegalStateException(
                "no etcd binary on PATH or in " + EtcdCluster.FALLBACK_DIRS + " (apt-get install etcd-server)"));
        ClockSkew clocks = skewableClocks ? ClockSkew.in(dataDir.resolve("clocks")) : null;
        Files.createDirectories(dataDir);
        NetnsNetwork network = network(SYSTEM, count);
        EtcdEnsemble ensemble;
        try {
            ensemble = new EtcdEnsemble(dataDir, network, clocks, binary);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        try {
            ensemble.startAll();
            return ensemble;
        } catch (RuntimeException e) {
            ensemble.close();
            throw e;
        }
    }

    private EtcdCluster.Member member(String memberId) {
        return members.get(memberIds().indexOf(memberId));
    }

    @Override
    protected List<String> command(String memberId) {
        // etcd creates the data directory itself, with the 0700 mode it insists on; at a restart it
        // finds its WAL there and ignores the initial-cluster flags.
        return EtcdCluster.commandLine(binary, member(memberId), members, dataDir().resolve(memberId + ".etcd"), clusterToken);
    }

    /** http://host:2379 */
    @Override
    public String endpoint(String memberId) {
        return member(memberId).clientUrl();
    }

    @Override
    public Optional<String> leader() {
        return memberIds().stream().filter(this::isRunning)
                .filter(id -> status(id).filter(EtcdHttp.Status::isLeader).isPresent()).findFirst();
    }

    @Override
    public boolean answers(String memberId) {
        return status(memberId).isPresent();
    }

    private Optional<EtcdHttp.Status> status(String memberId) {
        try {
            return Optional.of(statusClients.get(memberId).status().get(STATUS_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException notServing) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        super.close();
        statusClients.values().forEach(EtcdHttp::close);
    }
}
