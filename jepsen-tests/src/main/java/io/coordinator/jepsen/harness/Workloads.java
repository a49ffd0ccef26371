package io.coordinator.jepsen.harness;

import io.coordinator.client.Endpoint;
import io.coordinator.protocol.message.Consistency;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The harness's workloads by system ({@code --system}) and {@code --workload} name, and what each is
 * given: the members' client endpoints (as {@link io.coordinator.jepsen.cluster.FaultTarget#endpoint}
 * spells them), the run's options, and the recorder of its history. Coordinator runs every workload;
 * the baselines run register and lock.
 */
final class Workloads {
    static final String COORDINATOR = "coordinator";
    static final String ZOOKEEPER = "zookeeper";
    static final String ETCD = "etcd";

    /**
     * What a run's options say to a workload; a workload ignores what it has no use for.
     *
     * @param linearizableReads the {@code --reads} choice: linearizable, else the system's local read
     */
    record Options(int clients, int keys, long seed, boolean linearizableReads) {
    }

    @FunctionalInterface
    interface Factory {
        Workload create(List<String> endpoints, Options options, HistoryRecorder recorder);
    }

    private static final Map<String, Map<String, Factory>> FACTORIES = Map.of(
            COORDINATOR, new TreeMap<>(Map.of(
                    "register", (e, o, recorder) -> new RegisterWorkload(coordinator(e),
                            o.linearizableReads() ? Consistency.LINEARIZABLE : Consistency.SERIALIZABLE, o.clients(), o.keys(), o.seed(), recorder),
                    "set", (e, o, recorder) -> new SetWorkload(coordinator(e), o.clients(), o.seed(), recorder),
                    "lock", (e, o, recorder) -> new LockWorkload(coordinator(e), o.clients(), o.seed(), recorder),
                    "sessions", (e, o, recorder) -> new SessionsWorkload(coordinator(e), o.clients(), o.seed(), recorder),
                    "watch", (e, o, recorder) -> new WatchWorkload(coordinator(e), o.clients(), o.seed(), recorder))),
            ZOOKEEPER, new TreeMap<>(Map.of(
                    "register", (e, o, recorder) -> new ZooKeeperRegisterWorkload(e, o.linearizableReads(), o.clients(), o.keys(), o.seed(), recorder),
                    "lock", (e, o, recorder) -> new ZooKeeperLockWorkload(e, o.clients(), o.seed(), recorder))),
            ETCD, new TreeMap<>(Map.of(
                    "register", (e, o, recorder) -> new EtcdRegisterWorkload(e, o.linearizableReads(), o.clients(), o.keys(), o.seed(), recorder),
                    "lock", (e, o, recorder) -> new EtcdLockWorkload(e, o.clients(), o.seed(), recorder))));

    private Workloads() {
    }

    private static List<Endpoint> coordinator(List<String> endpoints) {
        return endpoints.stream().map(Endpoint::parse).toList();
    }

    static List<String> systems() {
        return List.of(COORDINATOR, ZOOKEEPER, ETCD);
    }

    /** The workloads {@code system} runs, sorted; empty for an unknown system. */
    static List<String> names(String system) {
        return List.copyOf(FACTORIES.getOrDefault(system, Map.of()).keySet());
    }

    static boolean exists(String system, String name) {
        return names(system).contains(name);
    }

    /** What {@code --reads} means for {@code system}'s register reads, for verdict.json and the console. */
    static String readsMeaning(String system, boolean linearizable) {
        return switch (system) {
            case ZOOKEEPER -> linearizable ? "sync then getData" : "getData without sync (ZooKeeper's default read, may be stale)";
            case ETCD -> linearizable ? "range (etcd's default, linearizable)" : "range with serializable=true (local, may be stale)";
            default -> linearizable ? "linearizable get" : "serializable get (local, may be stale)";
        };
    }

    /** @throws IllegalArgumentException for an unknown system or name */
    static Workload create(String system, String name, List<String> endpoints, Options options, HistoryRecorder recorder) {
        Factory factory = FACTORIES.getOrDefault(system, Map.of()).get(name);
        if (factory == null) {
            throw new IllegalArgumentException("--system " + system + " has no workload '" + name + "'; it has: "
                    + String.join(", ", names(system)));
        }
        return factory.create(endpoints, options, recorder);
    }
}
