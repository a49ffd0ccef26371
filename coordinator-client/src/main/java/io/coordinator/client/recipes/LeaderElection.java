package io.coordinator.client.recipes;

import io.coordinator.client.ChildrenResult;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.GetResult;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.protocol.message.WatchKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Leader election with a fencing token per term, after etcd's election API: campaign, proclaim,
 * resign, observe.
 *
 * <pre>{@code
 * LeaderElection election = new LeaderElection(client, "/election/billing");
 * Leadership term = election.campaign("10.0.0.7:8080".getBytes(UTF_8));   // blocks until leader
 * term.revoked().thenAccept(reason -> stopServing());                     // the moment to stop
 * term.fence().set("/billing/owner", me, -1);                             // refused once the term is over
 * term.resign();
 * }</pre>
 *
 * <h2>Safety</h2>
 * Candidates queue exactly like {@link DistributedMutex} waiters: an EPHEMERAL_SEQUENTIAL node each,
 * the lowest leads, each watches only the one ahead (no herd). So at any revision at most one
 * candidate leads, terms follow request order, and a term's token (its node's createRevision) is
 * strictly larger than every earlier leader's, across leader changes of the cluster and restarts. A
 * term ends on the cluster when its node goes (resign, session end, deletion); fenced writes are
 * refused from then on, in log order, however late they arrive. The caller's own view
 * ({@link Leadership#revoked()}) can only lag behind the cluster's for a paused process, which is
 * what fencing is for.
 *
 * <h2>Sessions</h2>
 * <ul>
 * <li>SUSPENDED: the leader cannot know whether its session will survive, so after
 *     {@code suspendedGrace} (default zero: at once) still SUSPENDED its term is revoked
 *     ({@link Leadership.Reason#SUSPENDED}) and it steps aside (deletes its node as soon as it
 *     reaches a member). The grace must stay below a third of the session TTL: keep-alives go every
 *     third of it, so the session outlives the grace when the connection dropped right after one.
 *     Candidates keep waiting.</li>
 * <li>RECONNECTED within the grace: the same session; the term goes on.</li>
 * <li>LOST: the term is revoked ({@link Leadership.Reason#SESSION_LOST}); waiting candidates fail
 *     with {@link LockLostException}. Campaign again to stand with the new session.</li>
 * </ul>
 */
public final class LeaderElection {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);
    static final String PREFIX = "candidate-";
    private static final int LEADER_READ_ATTEMPTS_MAX = 20;
    private static final long RETRY_MILLIS = 1_000;

    private final Coordinator client;
    private final String path;
    private final Contender contender;
    private final Duration suspendedGrace;

    /** An election whose leader steps down at once on SUSPENDED. */
    public LeaderElection(Coordinator client, String path) {
        this(client, path, Duration.ZERO);
    }

    /**
     * @param path           the election's directory; created on first use
     * @param suspendedGrace how long a SUSPENDED leader may go on before its term is revoked; under a
     *                       third of the client's session TTL
     */
    public LeaderElection(Coordinator client, String path, Duration suspendedGrace) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(path, "path");
        this.contender = new Contender(client, path);
        if (suspendedGrace.isNegative() || suspendedGrace.toMillis() * 3 >= client.config().sessionTtlMillis()) {
            throw new IllegalArgumentException("suspendedGrace " + suspendedGrace.toMillis()
                    + " ms must be >= 0 and under a third of the session TTL (" + client.config().sessionTtlMillis() + " ms)");
        }
        this.suspendedGrace = suspendedGrace;
    }

    public String path() {
        return path;
    }

    /**
     * Stands as a candidate with {@code value} and waits until it leads.
     *
     * @throws LockLostException    the session was lost while waiting
     * @throws InterruptedException interrupted while waiting (the candidacy is withdrawn first)
     * @throws CoordinatorException INVALID_PATH, TOO_LARGE (nothing created), or the cluster unreachable
     */
    public Leadership campaign(byte[] value) throws InterruptedException {
        Contender.Enqueued enqueued = contender.enqueue(PREFIX, value);
        QueueNode node = enqueued.node();
        try {
            contender.awaitTurn(enqueued, DistributedMutex::predecessor, Long.MAX_VALUE);
        } catch (InterruptedException | RuntimeException e) {
            contender.removeQuietly(node, e);
            throw e;
        }
        Leadership term = new Leadership(client, node, contender, suspendedGrace);
        term.start();
        return term;
    }

    /**
     * {@link #campaign} on a thread of its own. Cancelling the future withdraws the candidacy (or, if
     * it had just won, resigns).
     */
    public CompletableFuture<Leadership> campaignAsync(byte[] value) {
        CompletableFuture<Leadership> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                Leadership term = campaign(value);
                if (!result.complete(term)) {
                    term.resign(); // cancelled just as it won
                }
            } catch (InterruptedException e) {
                result.completeExceptionally(new CancellationException("campaign for " + path + " interrupted"));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "campaign-" + path);
        thread.setDaemon(true);
        result.whenComplete((term, e) -> {
            if (e instanceof CancellationException) {
                thread.interrupt();
            }
        });
        thread.start();
        return result;
    }

    /** The current leader as of a linearizable read, or empty when nobody stands. */
    public Optional<Leader> leader() {
        return read().leader();
    }

    /** @param revision the revision the answer reflects */
    private record Reading(Optional<Leader> leader, long revision) {
    }

    private Reading read() {
        for (int attempt = 0; attempt < LEADER_READ_ATTEMPTS_MAX; attempt++) {
            ChildrenResult children;
            try {
                children = client.children(path);
            } catch (CoordinatorException.NoNodeException e) {
                return new Reading(Optional.empty(), client.get("/").revision());
            }
            List<String> queue = Contender.ordered(children.names());
            if (queue.isEmpty()) {
                return new Reading(Optional.empty(), children.revision());
            }
            String first = contender.child(queue.get(0));
            try {
                GetResult got = client.get(first);
                return new Reading(Optional.of(new Leader(first, got.data(), got.stat().createRevision(), got.revision())),
                        got.revision());
            } catch (CoordinatorException.NoNodeException e) {
                // it left between the two reads: look again
            }
        }
        throw new CoordinatorException(io.coordinator.core.api.ErrorCode.UNAVAILABLE,
                "the leader of " + path + " changed on every one of " + LEADER_READ_ATTEMPTS_MAX + " reads");
    }

    /** Hears the leader of an election: the current one at once, then each change. */
    @FunctionalInterface
    public interface LeaderListener {
        /** A new leader, a new value proclaimed, or nobody (empty). Called one at a time, in order. */
        void leaderChanged(Optional<Leader> leader);
    }

    /**
     * Calls {@code listener} with the current leader, then on every change (leader or value) until
     * the returned watch is closed. Changes are found by a subtree watch on the election's directory
     * from the first read on, so none is missed; several quick changes may be heard as the last one.
     * Each notification reflects a linearizable read made after the change. If the watch fails
     * (COMPACTED after a long cut, ...) or a read fails, the observer reads the leader again and
     * watches from there, retrying every second while the cluster is unreachable: it may skip
     * leaders that came and went meanwhile, never the current one.
     */
    public Watch observe(LeaderListener listener) {
        Observing observing = new Observing(listener);
        observing.restart();
        return observing;
    }

    private final class Observing implements Watch {
        private final LeaderListener listener;
        private boolean heardOnce;
        private Leader last;
        private Watch watch;
        private long fromRevision;
        private boolean closed;

        Observing(LeaderListener listener) {
            this.listener = listener;
        }

        synchronized void restart() {
            if (closed) {
                return;
            }
            Reading reading = read();
            deliver(reading.leader());
            watch = client.watch(path, WatchKind.PERSISTENT_RECURSIVE, reading.revision() + 1, new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    refresh(events.revision());
                }

                @Override
                public void onError(CoordinatorException error) {
                    log.info("observing {}: watch ended ({}); reading the leader again", path, error.toString());
                    restartLater(0);
                }
            });
            if (fromRevision == 0) {
                fromRevision = watch.fromRevision();
            }
        }

        private void refresh(long revision) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                try {
                    deliver(leader());
                    return;
                } catch (CoordinatorException e) {
                    log.warn("observing {}: could not read the leader after revision {}: {}", path, revision, e.toString());
                }
            }
            restartLater(RETRY_MILLIS);
        }

        private void restartLater(long delayMillis) {
            synchronized (this) {
                if (watch != null) {
                    watch.close();
                }
            }
            CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    restart();
                } catch (CoordinatorException e) {
                    log.warn("observing {}: could not follow the leader yet, again in {} ms: {}", path, RETRY_MILLIS, e.toString());
                    restartLater(RETRY_MILLIS);
                }
            });
        }

        private void deliver(Optional<Leader> now) {
            Leader current = now.orElse(null);
            boolean same = current == null ? last == null : current.sameAs(last);
            if (!heardOnce || !same) {
                heardOnce = true;
                last = current;
                listener.leaderChanged(now);
            }
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public WatchKind kind() {
            return WatchKind.PERSISTENT_RECURSIVE;
        }

        @Override
        public synchronized long fromRevision() {
            return fromRevision;
        }

        @Override
        public synchronized long lastRevision() {
            return watch == null ? 0 : watch.lastRevision();
        }

        @Override
        public synchronized boolean isActive() {
            return !closed;
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (watch != null) {
                watch.close();
            }
        }
    }
}
