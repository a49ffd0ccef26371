package io.coordinator.server.consensus.atomix;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Check-quorum: a leader that has not heard a majority for one election timeout must step down. */
class QuorumCheckTest {
    private static final long ELECTION_TIMEOUT_MILLIS = 1000;
    private final AtomicLong clock = new AtomicLong();
    private final QuorumCheck check = new QuorumCheck(List.of("m2", "m3"), ELECTION_TIMEOUT_MILLIS, clock::get);

    private void advanceMillis(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aFollowerNeverLosesAQuorum() {
        advanceMillis(10 * ELECTION_TIMEOUT_MILLIS);
        assertFalse(check.quorumLost());
    }

    @Test
    void aNewLeaderGetsOneElectionTimeoutToHearFromAMajority() {
        check.becameLeader();
        advanceMillis(ELECTION_TIMEOUT_MILLIS - 1);
        assertFalse(check.quorumLost());
        advanceMillis(1);
        assertTrue(check.quorumLost(), "nobody answered for a whole election timeout");
    }

    @Test
    void oneAnsweringPeerOfTwoIsAMajorityOfThree() {
        check.becameLeader();
        for (int i = 0; i < 10; i++) {
            advanceMillis(ELECTION_TIMEOUT_MILLIS / 2);
            check.answered("m2");
            assertFalse(check.quorumLost());
        }
    }

    @Test
    void aLeaderWhoseAnswersStopStepsDownOneElectionTimeoutAfterTheLastOne() {
        check.becameLeader();
        advanceMillis(100);
        check.answered("m2");
        check.answered("m3");
        advanceMillis(ELECTION_TIMEOUT_MILLIS - 1);
        assertFalse(check.quorumLost());
        advanceMillis(1);
        assertTrue(check.quorumLost());
    }

    @Test
    void answersFromAnEarlierTermDoNotCountForANewOne() {
        check.becameLeader();
        check.answered("m2");
        check.stoppedLeading();
        advanceMillis(10);
        check.becameLeader();
        advanceMillis(ELECTION_TIMEOUT_MILLIS);
        assertTrue(check.quorumLost());
    }

    @Test
    void unknownPeersAreIgnored() {
        check.becameLeader();
        advanceMillis(ELECTION_TIMEOUT_MILLIS / 2);
        check.answered("m9");
        advanceMillis(ELECTION_TIMEOUT_MILLIS / 2);
        assertTrue(check.quorumLost());
    }

    @Test
    void aSingleMemberAlwaysHasItsQuorum() {
        QuorumCheck alone = new QuorumCheck(List.of(), ELECTION_TIMEOUT_MILLIS, clock::get);
        alone.becameLeader();
        advanceMillis(10 * ELECTION_TIMEOUT_MILLIS);
        assertFalse(alone.quorumLost());
    }
}
