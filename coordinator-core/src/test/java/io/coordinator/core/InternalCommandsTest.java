package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import static io.coordinator.core.Harness.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Only the leader's duties move the log's term and time for sessions": LeaderChanged and Tick that
 * the log does not attribute to the leader's duties are refused and change nothing, so that a client
 * can neither freeze every expiry (a LeaderChanged of a far term) nor force one (a Tick).
 */
class InternalCommandsTest {

    private final Harness h = new Harness();

    private Applied fromAClient(Command.InternalCommand command, long sessionId, long sequence) {
        return h.apply(new Proposal(Proposal.Origin.CLIENT, sessionId, sequence, command));
    }

    @Test
    void aLeaderChangedWithoutTheLeaderDutiesOriginIsRefusedAndTheRealTicksStillExpireSessions() {
        h.run(new Command.LeaderChanged(3));
        long session = h.openSession(2_000);
        h.as(session, 0, create("/e", "", CreateMode.EPHEMERAL));
        long revision = h.machine.revision();

        Response.Failure refused = Harness.failed(fromAClient(new Command.LeaderChanged(999_999), 0, 0),
                ErrorCode.UNAUTHORIZED);
        assertTrue(refused.message().contains("LeaderChanged"), refused.message());
        Harness.failed(fromAClient(new Command.LeaderChanged(999_999), session, 1), ErrorCode.UNAUTHORIZED);
        assertEquals(3, h.machine.leaderTerm(), "the term of the last real LeaderChanged");
        assertEquals(revision, h.machine.revision());

        h.nowMillis += 2_001;
        h.tick();
        assertFalse(h.machine.sessionAlive(session), "the leader's tick of term 3 still expires the session");
        assertEquals(revision + 1, h.machine.revision());
    }

    @Test
    void aTickWithoutTheLeaderDutiesOriginIsRefusedAndExpiresNothing() {
        h.run(new Command.LeaderChanged(1));
        long session = h.openSession(2_000);
        h.as(session, 0, create("/e", "", CreateMode.EPHEMERAL));
        h.nowMillis += 5_000;
        long revision = h.machine.revision();

        Harness.failed(fromAClient(new Command.Tick(1), 0, 0), ErrorCode.UNAUTHORIZED);
        Harness.failed(fromAClient(new Command.Tick(1), session, 7), ErrorCode.UNAUTHORIZED);
        assertTrue(h.machine.sessionAlive(session));
        assertEquals(revision, h.machine.revision());
        assertInstanceOf(Response.Data.class, h.machine.read(Harness.get("/e")).response());
    }

    @Test
    void theLeaderDutiesProposeOnlyInternalCommandsAndWithoutASession() {
        long session = h.openSession(2_000);
        Harness.failed(h.apply(new Proposal(Proposal.Origin.LEADER_DUTIES, 0, 0, create("/a"))), ErrorCode.MALFORMED);
        Harness.failed(h.apply(new Proposal(Proposal.Origin.LEADER_DUTIES, session, 1, new Command.LeaderChanged(5))),
                ErrorCode.MALFORMED);
        assertEquals(0, h.machine.leaderTerm());
        assertEquals(0, h.machine.revision());
        assertInstanceOf(Response.Done.class, h.apply(Proposal.duty(new Command.LeaderChanged(5))).response());
        assertEquals(5, h.machine.leaderTerm());
    }

    @Test
    void aRefusedProposalStillAdvancesTheAppliedIndexLikeAnyOther() {
        long before = h.machine.lastAppliedIndex();
        fromAClient(new Command.Tick(0), 0, 0);
        assertEquals(before + 1, h.machine.lastAppliedIndex());
        assertInstanceOf(Response.Created.class, h.apply(Request.of(create("/after"))).response());
    }
}
