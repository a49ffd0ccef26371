package io.coordinator.core;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The leader ticks only when something can be due, so the state must say when that is: the
 * earliest session deadline, or the earliest deadline of a TTL node that a tick could delete.
 */
class DeadlinesTest {
    private final CoordinatorStateMachine machine = new CoordinatorStateMachine(Limits.DEFAULTS);
    private long index;

    private Response apply(Command.ClientCommand command, long logTime) {
        return machine.apply(Proposal.of(Request.of(command)), ++index, logTime).response();
    }

    @Test
    void anEmptyStateHasNothingThatCanExpire() {
        assertEquals(Long.MAX_VALUE, machine.earliestDeadlineMillis());
    }

    @Test
    void theEarliestSessionDeadlineMovesWithKeepAlives() {
        Response.SessionOpened a = (Response.SessionOpened) apply(new Command.OpenSession(5_000, 1), 1_000);
        apply(new Command.OpenSession(10_000, 2), 1_000);
        assertEquals(6_000, machine.earliestDeadlineMillis());
        apply(new Command.KeepAlive(java.util.List.of(a.sessionId())), 9_000);
        assertEquals(11_000, machine.earliestDeadlineMillis(), "a's lease now ends at 14 000, b's at 11 000");
    }

    @Test
    void aTtlNodeCountsOnlyWhileItHasNoChildren() {
        assertInstanceOf(Response.Created.class, apply(new Command.Execute(
                new Op.Create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, 3_000)), 1_000));
        assertEquals(4_000, machine.earliestDeadlineMillis());
        apply(new Command.Execute(new Op.Create("/t/child", new byte[0], CreateMode.PERSISTENT, 0)), 2_000);
        assertEquals(Long.MAX_VALUE, machine.earliestDeadlineMillis(), "a TTL node with children cannot expire");
    }
}
