package io.coordinator.jepsen.harness;

import io.coordinator.client.Endpoint;
import io.coordinator.protocol.message.Consistency;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The harness's workloads by their {@code --workload} names, and what each is given: the members'
 * client endpoints, the run's options, and the recorder of its history.
 */
final class Workloads {
    /** What a run's options say to a workload; a workload ignores what it has no use for. */
    record Options(int clients, int keys, long seed, Consistency reads) {
    }

    @FunctionalInterface
    interface Factory {
        Workload create(List<Endpoint> endpoints, Options options, HistoryRecorder recorder);
    }

    private static final Map<String, Factory> FACTORIES = new TreeMap<>(Map.of(
            "register", (endpoints, o, recorder) -> new RegisterWorkload(endpoints, o.reads(), o.clients(), o.keys(), o.seed(), recorder),
            "set", (endpoints, o, recorder) -> new SetWorkload(endpoints, o.clients(), o.seed(), recorder),
            "lock", (endpoints, o, recorder) -> new LockWorkload(endpoints, o.clients(), o.seed(), recorder),
            "sessions", (endpoints, o, recorder) -> new SessionsWorkload(endpoints, o.clients(), o.seed(), recorder),
            "watch", (endpoints, o, recorder) -> new WatchWorkload(endpoints, o.clients(), o.seed(), recorder)));

    private Workloads() {
    }

    /** The names, sorted. */
    static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    static boolean exists(String name) {
        return FACTORIES.containsKey(name);
    }

    /** @throws IllegalArgumentException for an unknown name */
    static Workload create(String name, List<Endpoint> endpoints, Options options, HistoryRecorder recorder) {
        Factory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + String.join(", ", names()));
        }
        return factory.create(endpoints, options, recorder);
    }
}
