package io.coordinator.server.state;

import io.coordinator.core.CoordinatorStateMachine;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which sessions this member's state holds, kept beside the state machine only to say in the log
 * which session a tick expired: the core answers a tick with nothing but its revision, and does not
 * list its sessions. It learns ids from what it applies (a grant's reply, keep-alives, requests made
 * with a session) and forgets them when they close or expire, so it holds at most the live sessions.
 * A session restored from a snapshot is learned at its next keep-alive; one that expires before that
 * is counted but not named.
 *
 * <p>Nothing here feeds back into the replicated state. Called on the apply thread under the tree's
 * lock, like the state machine itself.
 */
final class SessionLedger {
    private static final Logger log = LoggerFactory.getLogger(SessionLedger.class);
    private static final long TTL_UNKNOWN = -1;

    private final String memberId;
    /** Session id to its TTL in ms ({@link #TTL_UNKNOWN} when learned from a keep-alive or a request). */
    private final Map<Long, Long> ttlById = new TreeMap<>();

    SessionLedger(String memberId) {
        this.memberId = memberId;
    }

    /** Before {@code request} is applied: what a tick needs to find out whom it expired. */
    int before(CoordinatorStateMachine machine) {
        return machine.liveSessions();
    }

    /**
     * After {@code proposal} was applied at {@code revision} with {@code response} and {@code events}.
     *
     * @param liveBefore what {@link #before} returned for this request
     */
    void after(CoordinatorStateMachine machine, Proposal proposal, Response response, long revision,
               List<WatchEvent> events, int liveBefore) {
        Command command = proposal.command();
        if (command instanceof Command.Tick tick) {
            if (machine.liveSessions() < liveBefore) {
                logExpiries(machine, tick.term(), revision, events, liveBefore - machine.liveSessions());
            }
            return;
        }
        if (response instanceof Response.SessionOpened opened) {
            ttlById.put(opened.sessionId(), opened.ttlMillis());
        } else if (response instanceof Response.SessionClosed closed) {
            ttlById.remove(closed.sessionId());
        } else if (command instanceof Command.KeepAlive keepAlive) {
            keepAlive.sessionIds().forEach(id -> learn(machine, id));
        }
        if (proposal.sessionId() != 0) {
            learn(machine, proposal.sessionId());
        }
    }

    /** A snapshot replaced the state: forget sessions it does not hold. */
    void restored(CoordinatorStateMachine machine) {
        ttlById.keySet().removeIf(id -> !machine.sessionAlive(id));
    }

    private void learn(CoordinatorStateMachine machine, long id) {
        if (!ttlById.containsKey(id) && machine.sessionAlive(id)) {
            ttlById.put(id, TTL_UNKNOWN);
        }
    }

    /** One line per expired session: member, the term of the tick, the revision that deleted its ephemerals. */
    private void logExpiries(CoordinatorStateMachine machine, long term, long revision, List<WatchEvent> events,
                             int expiredCount) {
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, Long> entry : ttlById.entrySet()) {
            if (!machine.sessionAlive(entry.getKey())) {
                expired.add(entry.getKey());
            }
        }
        for (long id : expired) {
            long ttl = ttlById.remove(id);
            long ephemerals = events.stream()
                    .filter(e -> e.type() == WatchEvent.Type.DELETED && e.stat() != null && e.stat().ephemeralOwner() == id)
                    .count();
            log.info("member={} term={} revision={} session {} expired (ttl {}); {} ephemeral node(s) deleted",
                    memberId, term, revision, id, ttl == TTL_UNKNOWN ? "unknown" : ttl + " ms", ephemerals);
        }
        int unnamed = expiredCount - expired.size();
        if (unnamed > 0) {
            log.info("member={} term={} revision={} {} session(s) expired that this member knows only from a snapshot",
                    memberId, term, revision, unnamed);
        }
    }
}
