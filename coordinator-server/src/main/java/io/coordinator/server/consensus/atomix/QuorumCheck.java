package io.coordinator.server.consensus.atomix;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Raft's check-quorum, which atomix-raft 3.1.12 lacks in a useful form: its leader steps down only
 * after failed requests and two whole election timeouts without a quorum's answer, and a follower
 * link that drops only the answers (a one-way cut) leaves it leading for as long as the cut lasts
 * while its followers, still hearing heartbeats, never elect anyone else.
 *
 * <p>The rule: a leader that has not had an answer from a majority of the members (itself
 * included) within a window (the election timeout less the checking interval) is no longer leader. Its term stays; it becomes a follower
 * with no known leader, so the member answers UNAVAILABLE at once instead of letting requests time
 * out. Answers to AppendRequests count (heartbeats are empty AppendRequests).
 *
 * <p>Pure bookkeeping, clock injected; thread-safe.
 */
final class QuorumCheck {
    private final int majority;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    /** Peer id to the clock reading of its last answer; absent = never answered in this term. */
    private final Map<String, Long> lastAnswer = new LinkedHashMap<>();
    private long leaderSinceNanos;
    private boolean leading;

    /** @param windowMillis how long a leader may go without a majority's answer: at most the election timeout */
    QuorumCheck(Collection<String> peers, long windowMillis, LongSupplier nanoClock) {
        Objects.requireNonNull(peers, "peers");
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("windowMillis must be positive: " + windowMillis);
        }
        this.majority = (peers.size() + 1) / 2 + 1;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        peers.forEach(peer -> lastAnswer.put(peer, null));
    }

    /** This member just became leader: it gets one window to hear from a majority. */
    synchronized void becameLeader() {
        leading = true;
        leaderSinceNanos = nanoClock.getAsLong();
        lastAnswer.replaceAll((peer, time) -> null);
    }

    synchronized void stoppedLeading() {
        leading = false;
    }

    /** A peer answered an AppendRequest of this member. */
    synchronized void answered(String peer) {
        if (lastAnswer.containsKey(peer)) {
            lastAnswer.put(peer, nanoClock.getAsLong());
        }
    }

    /** True when this member leads but has not heard from a majority for a whole window. */
    synchronized boolean quorumLost() {
        if (!leading) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (now - leaderSinceNanos < windowNanos) {
            return false;
        }
        int heard = 1; // itself
        for (Long time : lastAnswer.values()) {
            if (time != null && now - time < windowNanos) {
                heard++;
            }
        }
        return heard < majority;
    }

    /** Members (itself included) that answered within the window; for the step-down log line. */
    synchronized int reachable() {
        long now = nanoClock.getAsLong();
        return 1 + (int) lastAnswer.values().stream().filter(time -> time != null && now - time < windowNanos).count();
    }

    int members() {
        return lastAnswer.size() + 1;
    }
}
