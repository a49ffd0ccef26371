package io.coordinator.core.api;

import java.util.List;
import java.util.Objects;

/** The outcome of one command. A failure is a value, not an exception: it is replicated data. */
public sealed interface Response {

    /** @param path the created path, with the sequence suffix for sequential nodes */
    record Created(String path, Stat stat) implements Response {
    }

    record Data(byte[] data, Stat stat) implements Response {
    }

    /** Result of a set. */
    record Updated(Stat stat) implements Response {
    }

    /** @param count how many nodes went (more than one for a subtree delete) */
    record Deleted(String path, int count) implements Response {
    }

    /** @param stat null when the node does not exist */
    record ExistsResult(Stat stat) implements Response {
        public boolean exists() {
            return stat != null;
        }
    }

    /**
     * @param names sorted child names
     * @param stats the children's stats in the same order, or empty unless asked for
     */
    record ChildrenResult(List<String> names, List<Stat> stats, Stat parentStat) implements Response {
        public ChildrenResult {
            names = List.copyOf(names);
            stats = List.copyOf(stats == null ? List.of() : stats);
        }
    }

    /** @param results one per op of the branch taken */
    record TxnResult(boolean succeeded, List<Response> results) implements Response {
        public TxnResult {
            results = List.copyOf(results);
        }
    }

    record SessionOpened(long sessionId, long secret, long ttlMillis) implements Response {
    }

    record SessionClosed(long sessionId) implements Response {
    }

    /** Answer to {@link Command.CheckSession}: the session is alive and the secret is its own. */
    record SessionChecked(long sessionId, long ttlMillis) implements Response {
    }

    /** @param renewed how many of the listed sessions were alive and renewed */
    record KeptAlive(int renewed) implements Response {
    }

    /** For commands that return nothing but their revision (Tick, LeaderChanged). */
    record Done() implements Response {
    }

    record Failure(ErrorCode code, String message) implements Response {
        public Failure {
            Objects.requireNonNull(code, "code");
            message = message == null ? "" : message;
        }
    }
}
