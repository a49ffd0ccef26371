package io.coordinator.core.session;

import io.coordinator.core.InvariantViolation;
import io.coordinator.core.LogTime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Live sessions by id, the counter that names new ones (ids are never reused), and the term of the
 * leader whose ticks may expire them.
 */
public final class SessionTable {

    private final TreeMap<Long, Session> sessions = new TreeMap<>();
    private long nextSessionId = 1;
    private long leaderTerm;

    public Session open(long ttlMillis, long secret, long nowMillis) {
        long id = nextSessionId;
        nextSessionId = Math.addExact(id, 1);
        Session session = new Session(id, secret, ttlMillis, LogTime.deadline(nowMillis, ttlMillis));
        sessions.put(id, session);
        return session;
    }

    /** @return the live session, or null */
    public Session find(long id) {
        return sessions.get(id);
    }

    public boolean alive(long id) {
        return sessions.containsKey(id);
    }

    /** Renews the listed live sessions; returns how many distinct ones that was. */
    public int keepAlive(List<Long> ids, long nowMillis) {
        TreeSet<Long> renewed = new TreeSet<>();
        for (Long id : ids) {
            Session session = id == null ? null : sessions.get(id);
            if (session != null) {
                session.renew(nowMillis);
                renewed.add(id);
            }
        }
        return renewed.size();
    }

    /**
     * After a leader change every lease restarts, so that the election's time counts against no one.
     * Only ticks of this term (or a later one) expire anything from now on. A late LeaderChanged of
     * an older term still renews (never harmful) but does not give the deposed leader its ticks back.
     */
    public void leaderChanged(long term, long nowMillis) {
        leaderTerm = Math.max(leaderTerm, term);
        for (Session session : sessions.values()) {
            session.renew(nowMillis);
        }
    }

    /** True when a tick proposed in {@code term} may expire sessions and nodes. */
    public boolean acceptsTickOf(long term) {
        return term == leaderTerm;
    }

    public long leaderTerm() {
        return leaderTerm;
    }

    /** Sessions whose deadline is at or before {@code nowMillis}, by id. */
    public List<Session> expiredAt(long nowMillis) {
        List<Session> expired = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (session.deadlineMillis() <= nowMillis) {
                expired.add(session);
            }
        }
        return expired;
    }

    /** Ends a session; its de-duplication window goes with it. */
    public void remove(long id) {
        if (sessions.remove(id) == null) {
            throw new InvariantViolation("removal of session " + id + ", which is not alive");
        }
    }

    public long nextSessionId() {
        return nextSessionId;
    }

    /** Live sessions in id order. */
    public Collection<Session> all() {
        return Collections.unmodifiableCollection(sessions.values());
    }

    public int size() {
        return sessions.size();
    }

    /** Rebuilds a table from a snapshot. */
    public static SessionTable restore(long nextSessionId, long leaderTerm, List<Session> sessions) {
        SessionTable table = new SessionTable();
        table.nextSessionId = nextSessionId;
        table.leaderTerm = leaderTerm;
        for (Session session : sessions) {
            if (session.id() >= nextSessionId || table.sessions.put(session.id(), session) != null) {
                throw new InvariantViolation("session " + session.id() + " is duplicated or beyond the id counter");
            }
        }
        return table;
    }
}
