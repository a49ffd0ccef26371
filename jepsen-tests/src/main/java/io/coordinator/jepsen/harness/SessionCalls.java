package io.coordinator.jepsen.harness;

import io.coordinator.client.ChildrenResult;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Stat;
import io.coordinator.jepsen.checker.SessionsChecker;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;
import io.coordinator.protocol.message.Consistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The sessions workload's calls, each recorded in the form {@link SessionsChecker} reads, with its
 * outcome: UNAVAILABLE and OVERLOADED are {@code fail}, anything unexpected {@code info} and the client
 * goes on as a new process, as in the other workloads. One client index is used by one thread at a time.
 */
final class SessionCalls {
    /**
     * What {@link #check} sends as the secret. The client does not expose its own session's secret, so a
     * check asks with this one: the members answer SESSION_EXPIRED for a session that is unknown, closed or
     * expired whatever the secret, and UNAUTHORIZED ("wrong secret") for one that is alive. Both answers
     * come from the same linearizable read, so either settles the question. Should a real secret happen
     * to be this value, the answer is the session's info: alive as well.
     */
    static final long PROBE_SECRET = 0;
    private static final Logger log = LoggerFactory.getLogger(SessionCalls.class);

    /** How a touch ended. */
    enum Touch {
        OK,
        /** The node or the client's session is gone (NO_NODE, SESSION_EXPIRED): nothing applied. */
        GONE,
        /** Failed or unknown for another reason (a fault). */
        NOT_NOW
    }

    private final HistoryRecorder recorder;
    private final List<Coordinator> clients;
    private final long[] processes;

    /** @param clients by index; the workload replaces one when its session is closed on purpose */
    SessionCalls(HistoryRecorder recorder, List<Coordinator> clients, int count) {
        this.recorder = recorder;
        this.clients = clients;
        this.processes = new long[count];
        for (int i = 0; i < count; i++) {
            processes[i] = i;
        }
    }

    /**
     * An ephemeral under the client's session (a fresh one if the client lost its last).
     * NODE_EXISTS is {@code info}: only this call creates this path, so an earlier attempt of it did, under
     * a session no answer names.
     *
     * @return the owning session, when acknowledged
     */
    OptionalLong create(int client, String path) {
        long process = processes[client];
        recorder.invoke(process, "create", path, null);
        try {
            Stat stat = clients.get(client).create(path, new byte[0], CreateMode.EPHEMERAL).stat();
            recorder.complete(process, Type.OK, "create", path, stat.ephemeralOwner());
            return OptionalLong.of(stat.ephemeralOwner());
        } catch (RuntimeException e) {
            failed(client, "create", path, null, e);
            return OptionalLong.empty();
        }
    }

    /** A write to the ephemeral: when it is acknowledged, the node and its owner were alive. */
    Touch touch(int client, String path) {
        long process = processes[client];
        recorder.invoke(process, "touch", path, null);
        try {
            Stat stat = clients.get(client).set(path, new byte[]{1});
            recorder.complete(process, Type.OK, "touch", path, stat.ephemeralOwner());
            return Touch.OK;
        } catch (CoordinatorException e) {
            if (e.code() == ErrorCode.NO_NODE || e.code() == ErrorCode.SESSION_EXPIRED) {
                // Both are the state machine's answers: nothing was applied (an earlier attempt that may
                // have been is reported as TIMEOUT instead).
                recorder.complete(process, Type.FAIL, "touch", path, null);
                return Touch.GONE;
            }
            failed(client, "touch", path, null, e);
            return Touch.NOT_NOW;
        } catch (RuntimeException e) {
            failed(client, "touch", path, null, e);
            return Touch.NOT_NOW;
        }
    }

    /**
     * Asks the cluster, linearizably, whether {@code session} is alive; see {@link #PROBE_SECRET}.
     *
     * @return true alive, false ended; empty when there was no answer
     */
    Optional<Boolean> check(int client, long session) {
        long process = processes[client];
        recorder.invoke(process, "check", null, session);
        try {
            clients.get(client).checkSession(session, PROBE_SECRET);
            return checked(process, session, true);
        } catch (CoordinatorException e) {
            if (e.code() == ErrorCode.SESSION_EXPIRED) {
                return checked(process, session, false);
            }
            if (e.code() == ErrorCode.UNAUTHORIZED && String.valueOf(e.detail()).contains("wrong secret")) {
                return checked(process, session, true);
            }
            failed(client, "check", null, session, e);
            return Optional.empty();
        } catch (RuntimeException e) {
            failed(client, "check", null, session, e);
            return Optional.empty();
        }
    }

    private Optional<Boolean> checked(long process, long session, boolean alive) {
        recorder.complete(process, Type.OK, "check", null, alive ? SessionsChecker.ALIVE : SessionsChecker.ENDED);
        return Optional.of(alive);
    }

    /** The children of {@code root}, linearizably, each with its owner. @return true when it succeeded */
    boolean read(int client, String root) {
        long process = processes[client];
        recorder.invoke(process, "read", null, null);
        try {
            ChildrenResult children = clients.get(client).children(root, true, Consistency.LINEARIZABLE);
            List<List<Object>> entries = new ArrayList<>(children.names().size());
            for (int i = 0; i < children.names().size(); i++) {
                entries.add(List.of(root + "/" + children.names().get(i), children.stats().get(i).ephemeralOwner()));
            }
            recorder.complete(process, Type.OK, "read", null, entries);
            return true;
        } catch (RuntimeException e) {
            failed(client, "read", null, null, e);
            return false;
        }
    }

    /**
     * Ends the client's session by closing the client. Always {@code info}: {@link Coordinator#close()}
     * does not report whether the cluster applied the close (it falls back to the TTL), so the workload
     * checks the session afterwards. The caller connects a new client.
     */
    void close(int client, long session) {
        long process = processes[client];
        recorder.invoke(process, "close", null, session);
        try {
            clients.get(client).close();
        } catch (RuntimeException e) {
            log.debug("client {}: closing session {}", client, session, e);
        }
        recorder.complete(process, Type.INFO, "close", null, session);
        processes[client] += processes.length;
    }

    private void failed(int client, String f, String key, Object value, RuntimeException e) {
        Type type = RegisterWorkload.certainlyNotApplied(e) ? Type.FAIL : Type.INFO;
        recorder.complete(processes[client], type, f, key, value);
        if (type == Type.INFO) {
            processes[client] += processes.length;
        }
        if (!(e instanceof CoordinatorException)) {
            log.warn("client {}: {} failed unexpectedly (recorded as info)", client, f, e);
        }
    }
}
