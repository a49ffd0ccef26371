package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A state machine plus a log position and a log clock that tests move by hand. */
final class Harness {

    final CoordinatorStateMachine machine;
    final Limits limits;
    long index;
    long nowMillis = 1_000;

    Harness() {
        this(Limits.DEFAULTS);
    }

    Harness(Limits limits) {
        this(new CoordinatorStateMachine(limits), limits);
    }

    Harness(CoordinatorStateMachine machine, Limits limits) {
        this.machine = machine;
        this.limits = limits;
        this.index = machine.lastAppliedIndex();
    }

    /** A client command as a client's request; an internal one as the leader's duties propose it. */
    Applied apply(Command command) {
        if (command instanceof Command.InternalCommand internal) {
            return apply(Proposal.duty(internal));
        }
        return apply(Request.of((Command.ClientCommand) command));
    }

    Applied apply(Request request) {
        return apply(Proposal.of(request));
    }

    Applied apply(Proposal proposal) {
        Applied applied = machine.apply(proposal, ++index, nowMillis);
        machine.verifyInvariants();
        return applied;
    }

    Applied as(long sessionId, long sequence, Command.ClientCommand command) {
        return apply(new Request(sessionId, sequence, command));
    }

    Response run(Command command) {
        return apply(command).response();
    }

    Response.Created created(Command command) {
        return assertInstanceOf(Response.Created.class, run(command));
    }

    Response.Failure failed(Command command, ErrorCode code) {
        return failed(apply(command), code);
    }

    static Response.Failure failed(Applied applied, ErrorCode code) {
        Response.Failure failure = assertInstanceOf(Response.Failure.class, applied.response(),
                () -> "expected " + code + " but got " + applied.response());
        assertEquals(code, failure.code(), failure.message());
        assertEquals(List.of(), applied.events(), "a failure has no events");
        return failure;
    }

    long openSession(long ttlMillis) {
        return assertInstanceOf(Response.SessionOpened.class, run(new Command.OpenSession(ttlMillis, 42)))
                .sessionId();
    }

    /** A tick of the current leader's term (0 until a LeaderChanged). */
    Applied tick() {
        return apply(new Command.Tick(machine.leaderTerm()));
    }

    Stat stat(String path) {
        return assertInstanceOf(Response.ExistsResult.class, machine.read(exists(path)).response()).stat();
    }

    String data(String path) {
        return text(assertInstanceOf(Response.Data.class, machine.read(get(path)).response()).data());
    }

    List<String> children(String path) {
        return assertInstanceOf(Response.ChildrenResult.class, machine.read(children(path, false)).response()).names();
    }

    byte[] snapshot() {
        return snapshotOf(machine);
    }

    static byte[] snapshotOf(CoordinatorStateMachine machine) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static CoordinatorStateMachine restore(byte[] snapshot, Limits limits) throws IOException {
        return CoordinatorStateMachine.readSnapshot(new DataInputStream(new ByteArrayInputStream(snapshot)), limits);
    }

    // ---- commands ----

    static Command.ClientCommand create(String path) {
        return create(path, "", CreateMode.PERSISTENT);
    }

    static Command.ClientCommand create(String path, String data, CreateMode mode) {
        return new Command.Execute(new Op.Create(path, bytes(data), mode, 0));
    }

    static Command.ClientCommand createTtl(String path, CreateMode mode, long ttlMillis) {
        return new Command.Execute(new Op.Create(path, bytes(""), mode, ttlMillis));
    }

    static Command.ClientCommand set(String path, String data, int expectedVersion) {
        return new Command.Execute(new Op.SetData(path, bytes(data), expectedVersion));
    }

    static Command.ClientCommand delete(String path, int expectedVersion) {
        return new Command.Execute(new Op.Delete(path, expectedVersion, false));
    }

    static Command.ClientCommand deleteAll(String path) {
        return new Command.Execute(new Op.Delete(path, -1, true));
    }

    static Command.ClientCommand get(String path) {
        return new Command.Execute(new Op.Get(path));
    }

    static Command.ClientCommand exists(String path) {
        return new Command.Execute(new Op.Exists(path));
    }

    static Command.ClientCommand children(String path, boolean withStats) {
        return new Command.Execute(new Op.Children(path, withStats));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
