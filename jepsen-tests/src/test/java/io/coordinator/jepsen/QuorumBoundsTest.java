package io.coordinator.jepsen;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.MemberInfo;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.Partitions;
import io.coordinator.jepsen.cluster.ProcessCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * How long the cluster may stop serving, on three member processes behind fault proxies:
 * <ul>
 *   <li>a leader cut off from a quorum steps down within one election timeout and then answers
 *       UNAVAILABLE at once;</li>
 *   <li>with any one-way cut that leaves a connected majority, writes through that majority resume
 *       within two election timeouts;</li>
 *   <li>after two of three members are killed and restarted, service resumes within two election
 *       timeouts and a few seconds of both answering again, under load.</li>
 * </ul>
 * Meanwhile no acknowledged write is lost and no linearizable read is stale ({@link RegisterLoad}).
 *
 * <p>Each bound is asserted with {@link #SCHEDULING_MARGIN} on top, for a loaded two-core machine:
 * enough to ride out a GC pause or a slow JVM start, far too little to hide the stalls this test was
 * written for (a leader lingering 4 s, a one-way cut stalling 11-36 s, recovery taking 25 s). The
 * measured figures are printed; the harness and benchmark report them.
 */
class QuorumBoundsTest {
    private static final long ELECTION_TIMEOUT_MILLIS = 1000;
    private static final Duration SCHEDULING_MARGIN = Duration.ofMillis(2500);
    /** The writer's attempt timeout: a write in flight at a one-way cut may hang that long first. */
    private static final Duration IN_FLIGHT_WRITE_ALLOWANCE = Duration.ofMillis(2000);
    /** "A few seconds" after the quorum is back: the client's backoff (capped at 1 s), log sessions. */
    private static final Duration RECOVERY_ALLOWANCE = Duration.ofSeconds(2);
    private static final String OUTAGE_SECONDS_PROPERTY = "quorum-bounds-test.outage-seconds";

    private ProxiedClusterRun run;
    private ProcessCluster cluster;
    private ClusterView view;
    private Partitions nemesis;

    @BeforeEach
    void startCluster() throws Exception {
        run = ProxiedClusterRun.start("quorum-bounds-test");
        cluster = run.cluster;
        nemesis = run.nemesis;
        view = run.view;
        // With a session: its create is retried safely, however slow the first write of a new cluster.
        try (Coordinator setup = Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoints())
                .requestTimeoutMillis(30_000).build())) {
            setup.create(RegisterLoad.KEY, bytes("0"), CreateMode.PERSISTENT);
            setup.create(RegisterLoad.OTHER_KEY, bytes("0"), CreateMode.PERSISTENT);
        }
    }

    @AfterEach
    void stopCluster() {
        if (run != null) {
            run.close();
        }
    }

    @Test
    void aLeaderCutOffFromItsQuorumStepsDownWithinOneElectionTimeoutThenAnswersUnavailableAtOnce() throws Exception {
        String leader = view.awaitLeader(Duration.ofSeconds(10)).self().memberId();
        Coordinator pinned = track(pinnedClient(cluster.endpoint(leader)));
        pinned.get(RegisterLoad.KEY);

        long cutAt = System.nanoTime();
        nemesis.isolate(leader);
        long steppedDownAt = awaitNotLeading(leader, Duration.ofSeconds(15));
        Duration stepDown = Duration.ofNanos(steppedDownAt - cutAt);
        log("isolated leader %s stepped down %d ms after the cut", leader, stepDown.toMillis());

        long writeAt = System.nanoTime();
        ErrorCode code = failureOf(() -> pinned.set(RegisterLoad.KEY, bytes("lost")));
        Duration answer = Duration.ofNanos(System.nanoTime() - writeAt);
        log("a write through it then: %s after %d ms", code, answer.toMillis());

        assertTrue(stepDown.compareTo(Duration.ofMillis(ELECTION_TIMEOUT_MILLIS).plus(SCHEDULING_MARGIN)) <= 0,
                "the isolated leader led on for " + stepDown.toMillis() + " ms");
        assertEquals(ErrorCode.UNAVAILABLE, code, "a member that knows it leads no quorum refuses at once");
        assertTrue(answer.compareTo(SCHEDULING_MARGIN) <= 0, "UNAVAILABLE came only after " + answer.toMillis() + " ms");
    }

    @Test
    void aOneWayCutFromTheFollowersToTheLeaderHandsServiceToTheMajorityWithinTwoElectionTimeouts() throws Exception {
        oneWayCut(true);
    }

    @Test
    void aOneWayCutFromTheLeaderToTheFollowersHandsServiceToTheMajorityWithinTwoElectionTimeouts() throws Exception {
        oneWayCut(false);
    }

    /**
     * The outside test's cut, as an iptables rule on the leader's raft port would make it: what the
     * followers send on connections they open to the leader is dropped, while the leader's own
     * connections to them (replication and its answers) still work. The leader keeps its quorum and
     * may stay leader; writes through it go on, and writes through a follower must resume too (the
     * follower's own connections to the leader are dead, the leader's to it are not).
     */
    @Test
    void whenTheFollowersCannotReachTheLeadersPortWritesThroughEveryMemberResume() throws Exception {
        String leader = view.awaitLeader(Duration.ofSeconds(10)).self().memberId();
        Set<String> followers = new TreeSet<>(cluster.memberIds());
        followers.remove(leader);
        String follower = followers.iterator().next();
        RegisterLoad viaLeader = track(new RegisterLoad(RegisterLoad.KEY, pinnedWriter(leader), pinnedWriter(leader)));
        RegisterLoad viaFollower = track(new RegisterLoad(RegisterLoad.OTHER_KEY, pinnedWriter(follower),
                pinnedWriter(follower)));
        viaLeader.awaitAcknowledged(5, Duration.ofSeconds(10));
        viaFollower.awaitAcknowledged(5, Duration.ofSeconds(10));

        long cutAt = System.nanoTime();
        for (String each : followers) {
            nemesis.set(each, leader, io.coordinator.jepsen.cluster.LinkMode.DROP_FORWARD);
        }
        Duration leaderStall = Duration.ofNanos(viaLeader.awaitWriteStartedAndAcknowledgedAfter(cutAt,
                Duration.ofSeconds(40)) - cutAt);
        Duration followerStall = Duration.ofNanos(viaFollower.awaitWriteStartedAndAcknowledgedAfter(cutAt,
                Duration.ofSeconds(40)) - cutAt);
        log("followers' connections to the leader's port cut: writes begun after the cut were acknowledged %d ms after "
                + "it through %s (leader at the cut), %d ms after it through follower %s", leaderStall.toMillis(), leader,
                followerStall.toMillis(), follower);
        viaLeader.awaitAcknowledged(viaLeader.acknowledged() + 5, Duration.ofSeconds(10));
        viaFollower.awaitAcknowledged(viaFollower.acknowledged() + 5, Duration.ofSeconds(10));

        nemesis.heal();
        viaLeader.stop();
        viaFollower.stop();
        viaLeader.checkAgainstFinalRead(client(cluster.endpoints()));
        viaFollower.checkAgainstFinalRead(client(cluster.endpoints()));
        Duration bound = Duration.ofMillis(2 * ELECTION_TIMEOUT_MILLIS).plus(SCHEDULING_MARGIN);
        assertTrue(leaderStall.compareTo(bound) <= 0, "writes through the leader stalled for " + leaderStall.toMillis() + " ms");
        assertTrue(followerStall.compareTo(bound) <= 0, "writes through a follower stalled for "
                + followerStall.toMillis() + " ms");
    }

    /** Writes through one member only, and read through it too: its own answers. */
    private Coordinator pinnedWriter(String memberId) {
        return track(Coordinator.connect(ClientConfig.builder().endpoints(cluster.endpoint(memberId)).openSession(false)
                .connectTimeoutMillis(1_000).attemptTimeoutMillis(2_000).requestTimeoutMillis(5_000).build()));
    }

    private void oneWayCut(boolean followersToLeader) throws Exception {
        String leader = view.awaitLeader(Duration.ofSeconds(10)).self().memberId();
        Set<String> followers = new TreeSet<>(cluster.memberIds());
        followers.remove(leader);
        RegisterLoad load = track(new RegisterLoad(client(view.endpointsExcept(leader)), client(view.endpointsExcept(leader))));
        load.awaitAcknowledged(5, Duration.ofSeconds(10));

        long cutAt = System.nanoTime();
        if (followersToLeader) {
            nemesis.dropOneWay(followers, Set.of(leader));
        } else {
            nemesis.dropOneWay(Set.of(leader), followers);
        }
        long resumedAt = load.awaitWriteStartedAndAcknowledgedAfter(cutAt, Duration.ofSeconds(40));
        Duration stall = Duration.ofNanos(resumedAt - cutAt);
        MemberInfo newLeader = view.awaitLeaderAmong(followers, Duration.ofSeconds(10));
        log("one-way cut %s: a write begun after the cut was acknowledged %d ms after it; leader now %s (term %d)",
                followersToLeader ? "followers -> leader" : "leader -> followers", stall.toMillis(),
                newLeader.self().memberId(), newLeader.self().term());
        load.awaitAcknowledged(load.acknowledged() + 5, Duration.ofSeconds(10));

        nemesis.heal();
        load.stop();
        load.checkAgainstFinalRead(client(cluster.endpoints()));
        // Measured 2.0-4.1 s with everything the followers send to the leader dropped: the handover
        // takes ~1.5 s, but the write in flight at the cut holds the sequential writer until its 2 s
        // attempt timeout, and the follower's log session must move to the new leader. Hence the
        // wider margin here; the stall this guards against lasted 11-36 s.
        Duration margin = SCHEDULING_MARGIN.plus(IN_FLIGHT_WRITE_ALLOWANCE);
        assertTrue(stall.compareTo(Duration.ofMillis(2 * ELECTION_TIMEOUT_MILLIS).plus(margin)) <= 0,
                "writes through the connected majority stalled for " + stall.toMillis() + " ms");
    }

    @Test
    void afterTwoOfThreeMembersAreKilledAndRestartedServiceResumesWithinTheBoundUnderLoad() throws Exception {
        String leader = view.awaitLeader(Duration.ofSeconds(10)).self().memberId();
        String follower = cluster.memberIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        RegisterLoad load = track(new RegisterLoad(client(cluster.endpoints()), client(cluster.endpoints())));
        load.awaitAcknowledged(5, Duration.ofSeconds(10));

        cluster.kill(leader);
        cluster.kill(follower);
        log("killed %s (leader) and %s with SIGKILL at %s", leader, follower, java.time.Instant.now());
        // The survivor alone: nothing may be acknowledged. Let a few request timeouts pass (longer
        // with -Dquorum-bounds-test.outage-seconds=N, to outlast the log sessions' timeout, say).
        long acknowledgedBefore = load.acknowledged();
        Duration outage = Duration.ofSeconds(Long.getLong(OUTAGE_SECONDS_PROPERTY, 4));
        await().pollDelay(outage).atMost(outage.plusSeconds(1)).until(() -> true);
        assertEquals(acknowledgedBefore, load.acknowledged(), "a write was acknowledged by one member of three");

        long restartAt = System.nanoTime();
        cluster.startMember(leader);
        cluster.startMember(follower);
        log("restarted both at %s", java.time.Instant.now());
        // The quorum is back when both answer on their client ports (a member serves clients once its
        // Raft server runs); how long their JVMs took to get there is the machine's, not the cluster's.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> view.status(leader).isPresent() && view.status(follower).isPresent());
        long backAt = System.nanoTime();
        long resumedAt = load.awaitWriteStartedAndAcknowledgedAfter(backAt, Duration.ofSeconds(60));
        Duration recovery = Duration.ofNanos(resumedAt - backAt);
        log("both restarted: they answered %d ms after the restart; a write begun after that was acknowledged %d ms later",
                Duration.ofNanos(backAt - restartAt).toMillis(), recovery.toMillis());
        load.awaitAcknowledged(load.acknowledged() + 5, Duration.ofSeconds(10));

        load.stop();
        load.checkAgainstFinalRead(client(cluster.endpoints()));
        Duration bound = Duration.ofMillis(2 * ELECTION_TIMEOUT_MILLIS).plus(RECOVERY_ALLOWANCE).plus(SCHEDULING_MARGIN);
        assertTrue(recovery.compareTo(bound) <= 0, "service resumed only " + recovery.toMillis()
                + " ms after both restarted members answered (bound " + bound.toMillis() + " ms)");
    }

    /** Polls the member's own status (served locally, so it answers in a cut) until it no longer leads. */
    private long awaitNotLeading(String memberId, Duration timeout) {
        long[] at = new long[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
            boolean leading = view.status(memberId).map(info -> "LEADER".equals(info.self().role()) || info.self().leaderId() != null)
                    .orElse(true);
            if (!leading) {
                at[0] = System.nanoTime();
            }
            return !leading;
        });
        return at[0];
    }

    private static ErrorCode failureOf(Runnable call) {
        try {
            call.run();
        } catch (CoordinatorException e) {
            return e.code();
        }
        fail("the call succeeded");
        return null;
    }

    /** One member, no session, one attempt: what comes back is that member's own answer. */
    private static Coordinator pinnedClient(String endpoint) {
        return Coordinator.connect(ClientConfig.builder().endpoints(endpoint).openSession(false)
                .retryAttemptsMax(1).connectTimeoutMillis(1_000).attemptTimeoutMillis(10_000).requestTimeoutMillis(11_000)
                .build());
    }

    private Coordinator client(String endpoints) {
        return track(Coordinator.connect(ClientConfig.builder().endpoints(endpoints).openSession(false)
                .connectTimeoutMillis(1_000).attemptTimeoutMillis(2_000).requestTimeoutMillis(5_000).build()));
    }

    private <T extends AutoCloseable> T track(T closeable) {
        return run.track(closeable);
    }

    private static void log(String format, Object... args) {
        System.out.printf("[quorum bounds] " + format + "%n", args);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
