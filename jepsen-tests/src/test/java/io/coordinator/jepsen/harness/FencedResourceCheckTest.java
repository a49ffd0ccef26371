package io.coordinator.jepsen.harness;

import io.coordinator.client.recipes.FencedResource;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.jepsen.checker.History;
import io.coordinator.jepsen.checker.LinearizabilityChecker;
import io.coordinator.jepsen.checker.MutexModel;
import io.coordinator.jepsen.checker.Operation;
import io.coordinator.jepsen.checker.Outcome;
import io.coordinator.jepsen.checker.Verdict;
import io.coordinator.jepsen.harness.FencedResourceCheck.Mark;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock workload's checks on hand-made sequences: a fenced resource accepting two holders at once is
 * found, one that serialized them passes; a grant whose release is not confirmed is not held to exclusion.
 */
class FencedResourceCheckTest {
    private static FencedResource.Write<Mark> w(long token, long grant, String what) {
        return new FencedResource.Write<>(token, new Mark(grant, what));
    }

    @Test
    void grantsOneAfterAnotherPassIncludingOneWhoseEndWasRefused() {
        FencedResourceCheck.Result result = FencedResourceCheck.check(List.of(
                w(5, 1, Mark.BEGIN), w(5, 1, Mark.END),
                w(9, 2, Mark.BEGIN), // grant 2's end was refused: a later holder had written
                w(12, 3, Mark.BEGIN), w(12, 3, Mark.END)));
        assertTrue(result.valid(), result.violations().toString());
        assertEquals(5, result.writes());
        assertEquals(3, result.grants());
    }

    @Test
    void twoHoldersInterleavedAreFoundWithTheWriteThatShowsIt() {
        FencedResourceCheck.Result result = FencedResourceCheck.check(List.of(
                w(5, 1, Mark.BEGIN), w(9, 2, Mark.BEGIN), w(5, 1, Mark.END), w(9, 2, Mark.END)));
        assertFalse(result.valid());
        assertTrue(result.violations().stream().anyMatch(v -> v.startsWith("write 2 (end of grant 1, token 5): token below 9")),
                result.violations().toString());
        assertTrue(result.violations().stream().anyMatch(v -> v.contains("two holders interleaved")), result.violations().toString());
    }

    @Test
    void interleavingWithRisingTokensAndTwoHoldersWithOneTokenAreFound() {
        // Grant 1 writes with a token that a resource accepting ">= highest" lets through: still two holders.
        assertFalse(FencedResourceCheck.check(List.of(
                w(5, 1, Mark.BEGIN), w(7, 2, Mark.BEGIN), w(8, 1, Mark.END))).valid());
        FencedResourceCheck.Result shared = FencedResourceCheck.check(List.of(
                w(5, 1, Mark.BEGIN), w(5, 1, Mark.END), w(5, 2, Mark.BEGIN), w(5, 2, Mark.END)));
        assertTrue(shared.violations().stream().anyMatch(v -> v.contains("two holders with one token")), shared.violations().toString());
    }

    @Test
    void theRealFencedResourceRefusesTheInterleavingWriteSoWhatItAcceptedPasses() {
        FencedResource<Mark> resource = new FencedResource<>("r");
        resource.write(5, new Mark(1, Mark.BEGIN));
        resource.write(9, new Mark(2, Mark.BEGIN));
        assertThrows(FencingException.class, () -> resource.write(5, new Mark(1, Mark.END)));
        resource.write(9, new Mark(2, Mark.END));
        assertTrue(FencedResourceCheck.check(resource.accepted()).valid());
    }

    @Test
    void aGrantWhoseReleaseIsUnconfirmedIsNotHeldToExclusionButAConfirmedOneIs() throws Exception {
        // p0 holds token 5; its session ends (unobserved); p1 gets token 9 and releases; p0's release is info.
        String lines = String.join("\n",
                "{\"process\": 0, \"type\": \"invoke\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 0, \"type\": \"ok\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": 5}",
                "{\"process\": 1, \"type\": \"invoke\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 1, \"type\": \"ok\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": 9}",
                "{\"process\": 1, \"type\": \"invoke\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 1, \"type\": \"ok\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 0, \"type\": \"invoke\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 0, \"type\": \"%s\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}");
        LinearizabilityChecker<MutexModel.State> checker = new LinearizabilityChecker<>(new MutexModel());
        History unconfirmed = History.read(new BufferedReader(new StringReader(lines.formatted("info"))), "h", new MutexModel());
        assertEquals(Verdict.INVALID, checker.check(unconfirmed, Duration.ofSeconds(5), Duration.ofSeconds(1)).verdict(),
                "as recorded, p0 still holds when p1 acquires");
        History judged = new History("h", LockWorkload.unconfirmedGrantsMayEnd(unconfirmed.operations()), unconfirmed.lines());
        assertEquals(Outcome.OK, judged.operations().get(0).outcome(), "the grant stands, token and all");
        assertEquals("release", judged.operations().get(1).f());
        assertEquals(Outcome.UNKNOWN, judged.operations().get(1).outcome(), "a release that may have happened any time after");
        assertEquals(judged.operations().get(0).callLine(), judged.operations().get(1).callLine());
        assertEquals(Outcome.OK, judged.operations().get(2).outcome());
        assertEquals(Verdict.VALID, checker.check(judged, Duration.ofSeconds(5), Duration.ofSeconds(1)).verdict());

        // The grant's token is still judged: a later grant with a lower token is two holders out of order.
        History lowerToken = History.read(new BufferedReader(new StringReader(lines.formatted("info").replace("\"value\": 9}",
                "\"value\": 4}"))), "h", new MutexModel());
        History lowerJudged = new History("h", LockWorkload.unconfirmedGrantsMayEnd(lowerToken.operations()), lowerToken.lines());
        assertEquals(Verdict.INVALID, checker.check(lowerJudged, Duration.ofSeconds(5), Duration.ofSeconds(1)).verdict(),
                "token 4 granted after token 5");

        History confirmed = History.read(new BufferedReader(new StringReader(lines.formatted("ok"))), "h", new MutexModel());
        History confirmedJudged = new History("h", LockWorkload.unconfirmedGrantsMayEnd(confirmed.operations()), confirmed.lines());
        assertEquals(Outcome.OK, confirmedJudged.operations().get(0).outcome());
        assertEquals(Verdict.INVALID, checker.check(confirmedJudged, Duration.ofSeconds(5), Duration.ofSeconds(1)).verdict(),
                "a confirmed release means p0 held throughout: two holders");
    }

    @Test
    void anAcquireOfUnknownOutcomeThatItsProcessNeverFollowsIsLeftOutAndTheRestStillJudged() throws Exception {
        // p7's acquire timed out (info) and p7 did nothing after; p0 and p1 then both hold the lock at once.
        String lines = String.join("\n",
                "{\"process\": 7, \"type\": \"invoke\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 7, \"type\": \"info\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 0, \"type\": \"invoke\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 0, \"type\": \"ok\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": 5}",
                "{\"process\": 1, \"type\": \"invoke\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 1, \"type\": \"ok\", \"f\": \"acquire\", \"key\": \"lock\", \"value\": 9}",
                "{\"process\": 0, \"type\": \"invoke\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 0, \"type\": \"ok\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 1, \"type\": \"invoke\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}",
                "{\"process\": 1, \"type\": \"ok\", \"f\": \"release\", \"key\": \"lock\", \"value\": null}");
        History recorded = History.read(new BufferedReader(new StringReader(lines)), "h", new MutexModel());
        List<Operation> judged = LockWorkload.unconfirmedGrantsMayEnd(recorded.operations());
        assertEquals(4, judged.size(), "p7's acquire is left out: " + judged);
        assertTrue(judged.stream().noneMatch(op -> op.process().equals("7")));
        assertEquals(Verdict.INVALID, new LinearizabilityChecker<>(new MutexModel())
                .check(new History("h", judged, recorded.lines()), Duration.ofSeconds(5), Duration.ofSeconds(1)).verdict(),
                "p0 and p1 held it at once, both releases confirmed");
    }
}
