package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Ops;
import io.coordinator.client.TxnBuilder;
import io.coordinator.client.TxnResult;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A double barrier: {@link #enter()} waits until N participants have entered, {@link #leave()} until
 * every participant that had entered has left. For computations that must start together and must
 * not be torn down while one of them still runs.
 *
 * <pre>{@code
 * DistributedDoubleBarrier round = new DistributedDoubleBarrier(client, "/barriers/shuffle", 3);
 * round.enter();          // or enter(Duration): false if the round did not fill in time
 * compute();
 * round.leave();          // or leave(Duration)
 * }</pre>
 *
 * <h2>How it works, and why it is safe</h2>
 * A participant is an EPHEMERAL node {@code p-<random>} in the barrier's directory (a container made
 * on first use); the round is open while a PERSISTENT node {@code ready} exists beside them. Entering
 * creates the participant's node and lists the directory; the participant that sees N or more
 * participants and no {@code ready} creates it, and every participant waits until {@code ready}
 * exists (an exists watch set by the read that checks it). So when {@code enter} returns, there was a
 * revision at which N participants had entered together (the one that created {@code ready} read
 * them). A participant arriving while the round is open joins it and passes at once.
 *
 * <p>Leaving deletes the participant's node and waits until every other participant present at that
 * revision has gone too (one exists watch at a time). The last one out deletes {@code ready} in the
 * same transaction as its own node, so the next round starts closed. "Last" must be decided
 * atomically, or two leaving together could each see the other and neither close the round: every
 * join of an open round and every leave bumps {@code ready}'s version, and a leave commits only if
 * that version is still the one it read (otherwise it reads again; at most
 * {@value #LEAVE_ATTEMPTS_MAX} times). Hence of two concurrent leavers the second sees itself alone,
 * and a participant joining the open round cannot slip in between the last leaver's read and its
 * deletion of {@code ready}.
 *
 * <h2>Sessions</h2>
 * <ul>
 * <li>SUSPENDED: nothing changes; waiting goes on (watches move with the client), and the
 *     participant's node stays while its session may be alive.</li>
 * <li>RECONNECTED: the same session: still a participant.</li>
 * <li>LOST: the participant's node goes with the session. While entering, {@code enter} fails with
 *     {@link LockLostException} within about 200 ms: it no longer counts (use a new object to enter
 *     again with the client's new session). Once entered, losing the session counts as leaving: the
 *     others' {@code leave} stops waiting for it, and its own {@code leave} still waits for the
 *     others (it needs no session to watch).</li>
 * </ul>
 *
 * <h2>Limits</h2>
 * Every participant must use the same N (it is written into {@code ready} and each node for
 * {@code ctl get}). If every participant of an open round loses its session without leaving, nobody
 * is left to delete {@code ready}, and the next {@code enter} passes at once: remove it by hand
 * ({@code ctl delete PATH/ready}). A participant that leaves normally after others expired does
 * delete it. One object is one participant for one round: enter, then leave. Thread-safe.
 */
public final class DistributedDoubleBarrier {
    static final String PREFIX = "p-";
    static final String READY = "ready";
    static final int LEAVE_ATTEMPTS_MAX = 100;
    private static final int JOIN_ATTEMPTS_MAX = 5;
    private static final SecureRandom IDS = new SecureRandom();

    private enum Phase { NEW, ENTERING, ENTERED, LEFT }

    private final Coordinator client;
    private final String path;
    private final int participants;
    private final Contender dir;
    private final String readyPath;
    private final byte[] data;
    private Phase phase = Phase.NEW;
    private QueueNode mine;

    /**
     * @param path         the barrier's directory, e.g. {@code /barriers/shuffle}; created on first use
     * @param participants how many must enter before any passes, the same for everyone; at least 1
     */
    public DistributedDoubleBarrier(Coordinator client, String path, int participants) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
        if (participants < 1) {
            throw new IllegalArgumentException("a double barrier needs at least 1 participant: " + participants);
        }
        this.participants = participants;
        this.dir = new Contender(client, path);
        this.readyPath = dir.child(READY);
        this.data = Integer.toString(participants).getBytes(StandardCharsets.UTF_8);
    }

    public String path() {
        return path;
    }

    public int participants() {
        return participants;
    }

    /** Waits as long as it takes for N participants. */
    public void enter() throws InterruptedException {
        enter(Long.MAX_VALUE);
    }

    /**
     * Waits up to {@code timeout} for N participants. On timeout the participant withdraws, unless
     * the round opened meanwhile (then it has entered, and returns true).
     *
     * @return true when entered, false when it withdrew (it is then no longer counted)
     * @throws LockLostException     the session was lost while waiting
     * @throws IllegalStateException this object has entered already
     */
    public boolean enter(Duration timeout) throws InterruptedException {
        return enter(NodeWait.deadline(timeout));
    }

    private synchronized boolean enter(long deadlineNanos) throws InterruptedException {
        if (phase != Phase.NEW) {
            throw new IllegalStateException("one object enters one round: " + phase);
        }
        phase = Phase.ENTERING;
        Joined joined = join(PREFIX + HexFormat.of().formatHex(randomBytes()));
        mine = joined.node();
        try {
            if (!joined.roundOpen() && countParticipants(joined.names()) >= participants) {
                try {
                    client.create(readyPath, data, CreateMode.PERSISTENT);
                } catch (CoordinatorException.NodeExistsException e) {
                    // another participant saw the N too
                }
            }
            if (NodeWait.await(client, readyPath, true, deadlineNanos, this::checkAlive) || !withdraw()) {
                phase = Phase.ENTERED;
                return true;
            }
            phase = Phase.LEFT;
            return false;
        } catch (InterruptedException | RuntimeException e) {
            dir.removeQuietly(mine, e);
            phase = Phase.LEFT;
            throw e;
        }
    }

    /** Leaves unless the round is open; false when the round opened after all. */
    private boolean withdraw() {
        TxnResult result = client.txn()
                .compare(Compare.exists(readyPath, false),
                        Compare.createRevision(mine.path(), Compare.Operator.EQUAL, mine.createRevision()))
                .then(Ops.delete(mine.path(), -1))
                .commit();
        if (result.succeeded()) {
            return true;
        }
        checkAlive();
        return client.exists(readyPath).isEmpty();
    }

    private record Joined(QueueNode node, boolean roundOpen, List<String> names) {
    }

    /** Creates this participant's node and lists the directory; bumps {@code ready} when the round is open. */
    private Joined join(String name) {
        String nodePath = dir.child(name);
        for (int attempt = 1; ; attempt++) {
            try {
                TxnResult result = client.txn()
                        .compare(Compare.exists(readyPath, true))
                        .then(Ops.create(nodePath, data, CreateMode.EPHEMERAL), Ops.set(readyPath, data, -1),
                                Ops.children(path, false))
                        .orElse(Ops.create(nodePath, data, CreateMode.EPHEMERAL), Ops.children(path, false))
                        .commit();
                Response.Created created = result.result(0, Response.Created.class);
                List<String> names = result.result(result.succeeded() ? 2 : 1, Response.ChildrenResult.class).names();
                return new Joined(node(nodePath, created.stat()), result.succeeded(), names);
            } catch (CoordinatorException e) {
                if (e.code() == ErrorCode.NO_NODE && attempt < JOIN_ATTEMPTS_MAX) {
                    dir.ensureAncestors();
                    try {
                        client.create(path, new byte[0], CreateMode.CONTAINER);
                    } catch (CoordinatorException.NodeExistsException exists) {
                        // made by another participant
                    }
                } else if (e.outcomeUnknown() && attempt < JOIN_ATTEMPTS_MAX) {
                    Optional<Stat> created = client.exists(nodePath);
                    if (created.isPresent()) {
                        // The join happened; whether it bumped ready no longer matters: decide from now.
                        return new Joined(node(nodePath, created.get()), client.exists(readyPath).isPresent(),
                                client.children(path).names());
                    }
                } else {
                    throw e;
                }
            }
        }
    }

    private static QueueNode node(String path, Stat stat) {
        return new QueueNode(path, stat.createRevision(), stat.ephemeralOwner());
    }

    static int countParticipants(List<String> names) {
        return (int) names.stream().filter(n -> n.startsWith(PREFIX)).count();
    }

    private void checkAlive() {
        if (!dir.sessionHolds(mine)) {
            throw new LockLostException(mine.path(), "the session " + mine.sessionId() + " that owns it is lost");
        }
    }

    /** Leaves, and waits as long as it takes for every participant present then to leave too. */
    public void leave() throws InterruptedException {
        leave(Long.MAX_VALUE);
    }

    /**
     * Leaves at once, then waits up to {@code timeout} for every participant present at that moment
     * to leave too (or to lose its session).
     *
     * @return true when they all have, false on timeout (this participant has left all the same)
     * @throws IllegalStateException this object has not entered, or has left already
     */
    public boolean leave(Duration timeout) throws InterruptedException {
        return leave(NodeWait.deadline(timeout));
    }

    private synchronized boolean leave(long deadlineNanos) throws InterruptedException {
        if (phase != Phase.ENTERED) {
            throw new IllegalStateException("leave follows a successful enter: " + phase);
        }
        phase = Phase.LEFT;
        List<String> others = leaveRound();
        for (String other : others) {
            if (!NodeWait.await(client, dir.child(other), false, deadlineNanos, () -> { })) {
                return false;
            }
        }
        closeAbandonedRound();
        return true;
    }

    /**
     * Deletes this participant's node, and {@code ready} too when no other participant is left, both
     * only if {@code ready}'s version is still the one read (see the class comment).
     *
     * @return the other participants at the revision of the leave
     */
    private List<String> leaveRound() {
        for (int attempt = 1; attempt <= LEAVE_ATTEMPTS_MAX; attempt++) {
            Round round = readRound();
            if (round == null) {
                return List.of(); // the directory is gone: so is everyone
            }
            List<String> others = round.names().stream()
                    .filter(n -> n.startsWith(PREFIX) && !n.equals(mine.name())).toList();
            boolean mineThere = round.names().contains(mine.name());
            if (round.ready() == null) {
                // Only after our session was lost (ready outlives every live participant): nothing to close.
                if (mineThere) {
                    dir.remove(mine);
                }
                return others;
            }
            int version = round.ready().version();
            TxnBuilder txn = client.txn().compare(Compare.version(readyPath, Compare.Operator.EQUAL, version));
            if (mineThere) {
                txn.compare(Compare.createRevision(mine.path(), Compare.Operator.EQUAL, mine.createRevision()))
                        .then(Ops.delete(mine.path(), -1));
            }
            txn.then(others.isEmpty() ? Ops.delete(readyPath, version) : Ops.set(readyPath, data, version));
            if (txn.commit().succeeded()) {
                return others;
            }
        }
        throw new IllegalStateException(path + ": leave lost the race " + LEAVE_ATTEMPTS_MAX + " times");
    }

    /** After others left by losing their sessions, nobody may have closed the round: close it if empty. */
    private void closeAbandonedRound() {
        Round round = readRound();
        if (round != null && round.ready() != null && countParticipants(round.names()) == 0) {
            client.txn()
                    .compare(Compare.version(readyPath, Compare.Operator.EQUAL, round.ready().version()))
                    .then(Ops.delete(readyPath, round.ready().version()))
                    .commit();
        }
    }

    /** @param ready its stat, or null when absent */
    private record Round(List<String> names, Stat ready) {
    }

    /** The directory's children and {@code ready}'s stat at one revision, or null when the directory is gone. */
    private Round readRound() {
        TxnResult result;
        try {
            result = client.txn().then(Ops.children(path, false), Ops.exists(readyPath)).commit();
        } catch (CoordinatorException.NoNodeException e) {
            return null;
        }
        return new Round(result.result(0, Response.ChildrenResult.class).names(),
                result.result(1, Response.ExistsResult.class).stat());
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        IDS.nextBytes(bytes);
        return bytes;
    }
}
