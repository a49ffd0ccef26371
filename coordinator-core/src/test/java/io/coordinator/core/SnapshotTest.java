package io.coordinator.core;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static io.coordinator.core.Harness.create;
import static io.coordinator.core.Harness.createTtl;
import static io.coordinator.core.Harness.delete;
import static io.coordinator.core.Harness.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTest {

    private static final Limits LIMITS = new Limits(1024, 256, 1_000, 10_000, 4, 16);

    /** A state with every kind of node, live and dead sessions, remembered results of every shape. */
    private static Harness richState() {
        Harness h = new Harness(LIMITS);
        long a = h.openSession(2_000);
        long b = h.openSession(5_000);
        long gone = h.openSession(2_000);
        h.run(new Command.CloseSession(gone, 42));
        h.run(new Command.LeaderChanged(7));
        h.run(set("/", "root", -1));
        h.as(a, 1, create("/app", "config", CreateMode.PERSISTENT));
        h.as(a, 2, create("/missing/child"));
        h.as(a, 3, create("/app/q-", "", CreateMode.PERSISTENT_SEQUENTIAL));
        h.as(a, 4, create("/app/q-", "\u00ff\u0000", CreateMode.PERSISTENT_SEQUENTIAL));
        h.as(a, 5, delete("/app/q-0000000000000000000", -1));
        h.as(b, 1, create("/app/e", "", CreateMode.EPHEMERAL));
        h.as(b, 2, create("/lock", "", CreateMode.CONTAINER));
        h.as(b, 3, create("/lock/n-", "", CreateMode.EPHEMERAL_SEQUENTIAL));
        h.as(b, 4, createTtl("/t", CreateMode.PERSISTENT_WITH_TTL, 60_000));
        h.as(b, 5, new Command.Txn(List.of(Compare.exists("/app", true)),
                List.of(new Op.Get("/app"), new Op.Exists("/nothing"), new Op.Children("/app", true),
                        new Op.SetData("/app", Harness.bytes("v2"), -1)), List.of()));
        h.as(b, 6, new Command.KeepAlive(List.of(a, b)));
        h.as(b, 7, new Command.OpenSession(3_000, 9));
        h.as(b, 8, delete("/nothing", -1));
        h.run(new Command.Tick(7));
        h.as(b, 9, new Command.CloseSession(99, 1));
        h.nowMillis += 500;
        h.as(b, 10, set("/app", "v3", 1));
        return h;
    }

    private static List<Command> nextCommands() {
        return List.of(create("/app/q-", "", CreateMode.PERSISTENT_SEQUENTIAL), set("/app", "again", -1),
                create("/lock/m"), delete("/lock/m", -1), new Command.KeepAlive(List.of(1L, 2L, 4L)),
                new Command.OpenSession(1_000, 5), new Command.Tick(7), new Command.CloseSession(2, 42),
                Harness.deleteAll("/app"), new Command.LeaderChanged(8), new Command.Tick(8));
    }

    @Test
    void aRestoredMachineWritesByteIdenticalSnapshots() throws IOException {
        Harness original = richState();
        byte[] bytes = original.snapshot();
        CoordinatorStateMachine restored = Harness.restore(bytes, LIMITS);
        assertArrayEquals(bytes, Harness.snapshotOf(restored));
        assertEquals(original.machine.revision(), restored.revision());
        assertEquals(original.machine.lastAppliedIndex(), restored.lastAppliedIndex());
        assertEquals(original.machine.leaderTerm(), restored.leaderTerm());
        assertTrue(restored.sessionMatches(1, 42));
        assertFalse(restored.sessionAlive(3));
        restored.verifyInvariants();
    }

    @Test
    void equalHistoriesGiveEqualBytes() {
        assertArrayEquals(richState().snapshot(), richState().snapshot());
    }

    @Test
    void aRestoredMachineAnswersTheNextCommandsExactlyLikeTheOriginal() throws IOException {
        Harness original = richState();
        Harness restored = new Harness(Harness.restore(original.snapshot(), LIMITS), LIMITS);
        restored.nowMillis = original.nowMillis;
        for (int round = 0; round < 2; round++) {
            for (Command command : nextCommands()) {
                original.nowMillis += 700;
                restored.nowMillis += 700;
                assertEquals(Describe.applied(original.apply(command), true),
                        Describe.applied(restored.apply(command), true), command.toString());
            }
        }
        for (long seq = 1; seq <= 10; seq++) {
            Request retry = new Request(2, seq, set("/", "retry", -1));
            assertEquals(Describe.applied(original.apply(retry), true), Describe.applied(restored.apply(retry), true));
        }
        assertArrayEquals(original.snapshot(), restored.snapshot());
    }

    @Test
    void rememberedResultsSurviveASnapshot() throws IOException {
        Harness original = richState();
        Harness restored = new Harness(Harness.restore(original.snapshot(), LIMITS), LIMITS);
        for (long seq = 7; seq <= 10; seq++) {
            Request retry = new Request(2, seq, create("/whatever"));
            assertEquals(Describe.applied(original.apply(retry), true), Describe.applied(restored.apply(retry), true));
        }
        assertEquals(List.of(), restored.children("/").stream().filter(n -> n.equals("whatever")).toList());
    }

    @Test
    void largeDataAndLongPathsRoundTrip() throws IOException {
        Harness big = new Harness();
        byte[] data = new byte[Limits.DEFAULTS.dataBytesMax()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        big.created(new Command.Execute(new Op.Create("/big", data, CreateMode.PERSISTENT, 0)));
        big.created(create("/" + "\u00e9".repeat(2_000)));
        byte[] bytes = big.snapshot();
        CoordinatorStateMachine restored = Harness.restore(bytes, Limits.DEFAULTS);
        assertArrayEquals(bytes, Harness.snapshotOf(restored));
        assertArrayEquals(data, ((io.coordinator.core.api.Response.Data) restored.read(Harness.get("/big")).response()).data());
    }

    @Test
    void aCorruptLengthFailsAsIoRatherThanExhaustingMemory() {
        byte[] bytes = new Harness(LIMITS).snapshot();
        // The root's path length field follows the header (4+4+8*4), the session count and the node count.
        int rootPathLength = 4 + 4 + 8 * 4 + 4 + 4;
        ByteBuffer.wrap(bytes).putInt(rootPathLength, Integer.MAX_VALUE);
        assertThrows(IOException.class, () -> Harness.restore(bytes, LIMITS));
    }

    @Test
    void aFreshMachineRoundTrips() throws IOException {
        Harness fresh = new Harness(LIMITS);
        byte[] bytes = fresh.snapshot();
        assertArrayEquals(bytes, Harness.snapshotOf(Harness.restore(bytes, LIMITS)));
    }

    @Test
    void aWrongMagicOrFormatVersionIsRejected() {
        byte[] bytes = richState().snapshot();
        byte[] badMagic = bytes.clone();
        badMagic[0] ^= 1;
        IOException magic = assertThrows(IOException.class, () -> Harness.restore(badMagic, LIMITS));
        assertTrue(magic.getMessage().contains("magic"), magic.getMessage());
        byte[] badVersion = bytes.clone();
        ByteBuffer.wrap(badVersion).putInt(4, 2);
        IOException version = assertThrows(IOException.class, () -> Harness.restore(badVersion, LIMITS));
        assertTrue(version.getMessage().contains("version"), version.getMessage());
    }

    @Test
    void aTruncatedSnapshotIsRejected() {
        byte[] bytes = richState().snapshot();
        for (int length : new int[]{0, 7, 40, bytes.length / 2, bytes.length - 1}) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThrows(IOException.class, () -> Harness.restore(cut, LIMITS), "cut at " + length);
        }
    }
}
