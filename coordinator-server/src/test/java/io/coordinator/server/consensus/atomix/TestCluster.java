package io.coordinator.server.consensus.atomix;

import io.coordinator.server.consensus.ConsensusConfig;
import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.consensus.ReplicatedLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/** A cluster of real members on 127.0.0.1, free ports and a temporary directory. Close it in a finally. */
final class TestCluster implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path root;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final UnaryOperator<ConsensusConfig.Builder> tuning;
    private final Map<String, ReplicatedLog> logs = new LinkedHashMap<>();
    private final Map<String, RecordingStateMachine> machines = new LinkedHashMap<>();
    private final List<ReplicatedLog> everStarted = new ArrayList<>();
    /** "from>to" to the proxy that member "from" uses to reach "to"; empty: members talk directly. */
    private final Map<String, LinkProxy> links = new LinkedHashMap<>();

    TestCluster(Path root, int size, UnaryOperator<ConsensusConfig.Builder> tuning) {
        this(root, size, tuning, false);
    }

    /** @param linkProxies route every member-to-member link through a {@link LinkProxy}, so it can be cut */
    TestCluster(Path root, int size, UnaryOperator<ConsensusConfig.Builder> tuning, boolean linkProxies) {
        this.root = root;
        this.tuning = tuning;
        for (int i = 1; i <= size; i++) {
            addresses.put("m" + i, HOST + ":" + freePort());
        }
        if (linkProxies) {
            for (String from : addresses.keySet()) {
                for (String to : addresses.keySet()) {
                    if (!from.equals(to)) {
                        String[] target = addresses.get(to).split(":");
                        links.put(from + ">" + to, new LinkProxy(from + ">" + to,
                                new java.net.InetSocketAddress(target[0], Integer.parseInt(target[1]))));
                    }
                }
            }
        }
    }

    /** Cuts every link to and from the member: it and the others see only timeouts. */
    void partition(String id) {
        linksOf(id).forEach(LinkProxy::cut);
    }

    void heal(String id) {
        linksOf(id).forEach(LinkProxy::heal);
    }

    private List<LinkProxy> linksOf(String id) {
        return links.entrySet().stream()
                .filter(link -> link.getKey().startsWith(id + ">") || link.getKey().endsWith(">" + id))
                .map(Map.Entry::getValue)
                .toList();
    }

    /** How the member sees the cluster: itself directly, the others through its links if any. */
    private Map<String, String> viewOf(String id) {
        Map<String, String> view = new LinkedHashMap<>();
        for (String member : addresses.keySet()) {
            LinkProxy link = links.get(id + ">" + member);
            view.put(member, link == null ? addresses.get(member) : HOST + ":" + link.port());
        }
        return view;
    }

    /** Starts every member at once and waits until each can propose. */
    TestCluster startAll() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (String id : addresses.keySet()) {
            starts.add(launch(id));
        }
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                .orTimeout(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        return this;
    }

    /** Starts (again) one member on its data directory with an empty state machine. */
    CompletableFuture<Void> launch(String id) {
        ReplicatedLog previous = logs.get(id);
        if (previous != null) {
            previous.close();
        }
        String[] hostPort = addresses.get(id).split(":");
        ConsensusConfig config = tuning.apply(ConsensusConfig.builder(id, hostPort[0], Integer.parseInt(hostPort[1]),
                viewOf(id), root.resolve(id))).build();
        RecordingStateMachine machine = new RecordingStateMachine();
        ReplicatedLog log = AtomixReplicatedLog.create(config, machine);
        logs.put(id, log);
        machines.put(id, machine);
        everStarted.add(log);
        return log.start();
    }

    void restart(String id) {
        launch(id).orTimeout(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    void kill(String id) {
        logs.get(id).close();
    }

    List<String> ids() {
        return List.copyOf(addresses.keySet());
    }

    ReplicatedLog log(String id) {
        return logs.get(id);
    }

    RecordingStateMachine machine(String id) {
        return machines.get(id);
    }

    /** Waits until one live member leads and every other live member follows it; returns its id. */
    String awaitLeader(List<String> live) {
        String[] leader = new String[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            String candidate = null;
            for (String id : live) {
                MemberStatus status = logs.get(id).status();
                if (status.isLeader()) {
                    candidate = id;
                }
            }
            if (candidate == null) {
                return false;
            }
            for (String id : live) {
                if (!candidate.equals(logs.get(id).status().leaderId())) {
                    return false;
                }
            }
            leader[0] = candidate;
            return true;
        });
        return leader[0];
    }

    String awaitLeader() {
        return awaitLeader(ids());
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (ReplicatedLog log : everStarted) {
            try {
                log.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        links.values().forEach(LinkProxy::close);
        if (failure != null) {
            throw failure;
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
