package io.coordinator.server.state;

import io.coordinator.core.CoordinatorStateMachine;
import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.server.consensus.LogStateMachine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A member's copy of the state machine, fed by the log. It decodes each batch entry, applies its
 * calls to the pure core one by one (consecutive revisions), and answers with a batch of encoded
 * replies in the same order. Local (serializable) reads share its lock with apply.
 */
public final class ReplicatedTree implements LogStateMachine {
    private final Limits limits;
    private final EventSink events;
    private final LongConsumer snapshotInstalled;
    private final Codec codec = Codec.smile();
    private final PriorityQueue<RevisionWaiter> revisionWaiters = new PriorityQueue<>();
    private final SessionLedger sessionLedger;
    private CoordinatorStateMachine machine;
    /** {@code machine.revision()} as of the last apply or snapshot, for readers that must not wait for the lock. */
    private volatile long appliedRevision;

    public ReplicatedTree(String memberId, Limits limits, EventSink events) {
        this(memberId, limits, events, revision -> { });
    }

    /**
     * @param memberId          names this member in log lines (session expiries)
     * @param events            told of every change, in revision order, under this tree's lock and
     *                          before the revision is visible to reads or revision waiters
     * @param snapshotInstalled told, under the same lock, the revision of a snapshot that replaced the state
     */
    public ReplicatedTree(String memberId, Limits limits, EventSink events, LongConsumer snapshotInstalled) {
        this.limits = limits;
        this.events = events;
        this.snapshotInstalled = snapshotInstalled;
        this.sessionLedger = new SessionLedger(memberId);
        this.machine = new CoordinatorStateMachine(limits);
    }

    @Override
    public byte[] apply(long index, long logTimeMillis, byte[] entry) {
        List<LogBatch.Item> items;
        try {
            items = LogBatch.decode(entry);
        } catch (IllegalArgumentException e) {
            // Members validate before proposing, so this is a bug or corruption; every member
            // decides the same way, so the replicas stay equal.
            return LogBatch.encodeReplies(List.of());
        }
        List<byte[]> replies = new ArrayList<>(items.size());
        List<WatchEvent> changed = new ArrayList<>();
        List<RevisionWaiter> ready;
        synchronized (this) {
            for (LogBatch.Item item : items) {
                Applied applied = applyOne(item, index, logTimeMillis);
                changed.addAll(applied.events());
                replies.add(codec.encode(new ServerMessage.Reply(applied.revision(), applied.response())));
            }
            // Under the lock: no read, reply or revision waiter may see these revisions before their
            // events are on their way to the watches (an event precedes any answer of a later revision).
            if (!changed.isEmpty()) {
                events.accept(changed);
            }
            appliedRevision = machine.revision();
            ready = takeReadyWaiters();
        }
        ready.forEach(waiter -> waiter.future.complete(null));
        return LogBatch.encodeReplies(replies);
    }

    /**
     * The item's kind, written by the proposing member, is its origin for the state machine: a
     * client's bytes decode only to client commands, and only a duties item holds an internal one.
     */
    private Applied applyOne(LogBatch.Item item, long index, long logTimeMillis) {
        if (item.kind() == LogBatch.Kind.LEADER_DUTIES) {
            Command.InternalCommand command;
            try {
                command = LogBatch.decodeInternal(item.payload());
            } catch (IllegalArgumentException e) {
                return failure(ErrorCode.MALFORMED, e.getMessage());
            }
            return applyTracked(Proposal.duty(command), index, logTimeMillis);
        }
        ClientMessage message;
        try {
            message = codec.decodeClient(item.payload());
        } catch (Codec.MalformedMessageException e) {
            Command.InternalCommand legacy = item.kind() == LogBatch.Kind.UNTAGGED
                    ? LegacyEntries.internalCommandOf(item.payload()) : null;
            if (legacy != null) {
                return applyTracked(Proposal.duty(legacy), index, logTimeMillis);
            }
            return failure(e.code(), e.getMessage());
        }
        if (!(message instanceof ClientMessage.Call call)) {
            return failure(ErrorCode.MALFORMED, "not a call");
        }
        return applyTracked(Proposal.of(call.request()), index, logTimeMillis);
    }

    /** Applies one proposal, and tells the session ledger (which logs expiries) what it did. */
    private Applied applyTracked(Proposal proposal, long index, long logTimeMillis) {
        int liveBefore = sessionLedger.before(machine);
        Applied applied = machine.apply(proposal, index, logTimeMillis);
        sessionLedger.after(machine, proposal, applied.response(), applied.revision(), applied.events(), liveBefore);
        return applied;
    }

    private Applied failure(ErrorCode code, String message) {
        return new Applied(machine.revision(), new Response.Failure(code, message), List.of());
    }

    /** Linearizable reads, run by the consensus engine once leadership is confirmed. */
    @Override
    public byte[] query(byte[] entry) {
        List<LogBatch.Item> items;
        try {
            items = LogBatch.decode(entry);
        } catch (IllegalArgumentException e) {
            return LogBatch.encodeReplies(List.of());
        }
        List<byte[]> replies = new ArrayList<>(items.size());
        synchronized (this) {
            for (LogBatch.Item item : items) {
                replies.add(codec.encode(item.kind() == LogBatch.Kind.CLIENT ? readOne(item.payload())
                        : new ServerMessage.Reply(machine.revision(),
                        new Response.Failure(ErrorCode.MALFORMED, "a read is a client's call"))));
            }
        }
        return LogBatch.encodeReplies(replies);
    }

    private ServerMessage.Reply readOne(byte[] payload) {
        try {
            ClientMessage message = codec.decodeClient(payload);
            if (message instanceof ClientMessage.Call call) {
                return readLocal(call.request().command());
            }
            return new ServerMessage.Reply(machine.revision(), new Response.Failure(ErrorCode.MALFORMED, "not a call"));
        } catch (Codec.MalformedMessageException e) {
            return new ServerMessage.Reply(machine.revision(), new Response.Failure(e.code(), e.getMessage()));
        }
    }

    /** A serializable read of this member's state. */
    public synchronized ServerMessage.Reply readLocal(Command.ClientCommand command) {
        Applied applied = machine.read(command);
        return new ServerMessage.Reply(applied.revision(), applied.response());
    }

    public synchronized long revision() {
        return machine.revision();
    }

    /** The earliest log time at which a tick could expire a session or a TTL node; MAX_VALUE if never. */
    public synchronized long earliestDeadlineMillis() {
        return machine.earliestDeadlineMillis();
    }

    /** The revision after the last entry applied (or snapshot installed); any thread, never waits. */
    @Override
    public long appliedRevision() {
        return appliedRevision;
    }

    public synchronized long lastAppliedIndex() {
        return machine.lastAppliedIndex();
    }

    /** The term of the newest LeaderChanged applied: only the leader's ticks of this term expire anything. */
    public synchronized long leaderTerm() {
        return machine.leaderTerm();
    }

    public synchronized int liveSessions() {
        return machine.liveSessions();
    }

    public synchronized boolean sessionMatches(long sessionId, long secret) {
        return machine.sessionMatches(sessionId, secret);
    }

    /** Completes once this member's state has reached {@code revision}. */
    public CompletableFuture<Void> awaitRevision(long revision) {
        synchronized (this) {
            if (machine.revision() >= revision) {
                return CompletableFuture.completedFuture(null);
            }
            RevisionWaiter waiter = new RevisionWaiter(revision, new CompletableFuture<>());
            revisionWaiters.add(waiter);
            return waiter.future;
        }
    }

    private List<RevisionWaiter> takeReadyWaiters() {
        List<RevisionWaiter> ready = new ArrayList<>();
        while (!revisionWaiters.isEmpty() && revisionWaiters.peek().revision <= machine.revision()) {
            ready.add(revisionWaiters.poll());
        }
        return ready;
    }

    @Override
    public synchronized void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        machine.writeSnapshot(data);
        data.flush();
    }

    @Override
    public void readSnapshot(InputStream in) throws IOException {
        CoordinatorStateMachine restored = CoordinatorStateMachine.readSnapshot(new DataInputStream(in), limits);
        List<RevisionWaiter> ready;
        synchronized (this) {
            machine = restored;
            appliedRevision = restored.revision();
            sessionLedger.restored(restored);
            snapshotInstalled.accept(restored.revision());
            ready = takeReadyWaiters();
        }
        ready.forEach(waiter -> waiter.future.complete(null));
    }

    private record RevisionWaiter(long revision, CompletableFuture<Void> future) implements Comparable<RevisionWaiter> {
        @Override
        public int compareTo(RevisionWaiter other) {
            return Long.compare(revision, other.revision);
        }
    }
}
