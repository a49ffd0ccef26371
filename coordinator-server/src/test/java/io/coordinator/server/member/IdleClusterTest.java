package io.coordinator.server.member;

import io.coordinator.server.consensus.MemberStatus;
import io.coordinator.server.support.InProcessCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Keep a quiet cluster quiet": with no client and nothing that can expire, the leader proposes no
 * ticks, and the only entries left are the members' log-session keep-alives (one per member every
 * ~27.5 s with the 30 s log session timeout). Before, an idle 3-member cluster committed about 5
 * fsynced entries a second (a tick every 250 ms plus a keep-alive per member every 2.5 s).
 */
class IdleClusterTest {
    private static final Duration OBSERVED = Duration.ofSeconds(30);
    private static final Duration SETTLED = Duration.ofSeconds(3);
    /** One keep-alive per member per ~27.5 s: at most two rounds fall into 30 s. */
    private static final long ENTRIES_MAX = 6;

    @Test
    void anIdleThreeMemberClusterCommitsAtMostAHandfulOfEntriesIn30Seconds() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            // Settled: start-up is over (leader announced, every member's log sessions open and kept
            // alive once) when the commit index has not moved for a few seconds.
            long[] last = {-1, System.nanoTime()};
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
                MemberStatus leader = leaderStatus(cluster);
                if (leader == null || leader.commitIndex() != last[0]) {
                    last[0] = leader == null ? -1 : leader.commitIndex();
                    last[1] = System.nanoTime();
                    return false;
                }
                return System.nanoTime() - last[1] > SETTLED.toNanos();
            });
            long before = leaderStatus(cluster).commitIndex();
            long start = System.nanoTime();
            await().pollDelay(OBSERVED).atMost(OBSERVED.plusSeconds(5)).until(() -> true);
            MemberStatus after = leaderStatus(cluster);
            long entries = after.commitIndex() - before;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("idle 3-member cluster: %d entries committed in %.1f s (%.1f per minute)%n",
                    entries, seconds, entries * 60 / seconds);
            assertTrue(entries <= ENTRIES_MAX, entries + " entries committed by an idle cluster in " + seconds + " s");
        }
    }

    private static MemberStatus leaderStatus(InProcessCluster cluster) {
        return cluster.members().stream().map(m -> m.replicatedLog().status())
                .filter(MemberStatus::isLeader).findFirst().orElse(null);
    }
}
