package io.coordinator.server.consensus.atomix;

import io.atomix.primitive.PrimitiveState;
import io.atomix.primitive.operation.PrimitiveOperation;
import io.atomix.primitive.session.SessionClient;
import io.coordinator.server.consensus.ConsensusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The member's Atomix log sessions, and the proposals and reads that go through them.
 *
 * <p><b>One command in flight per session.</b> Atomix 3.1.12's leader updates a session's request
 * sequence from two threads without synchronization (atomix/atomix#1044, never released); with two
 * commands of one session in flight it can lose an update and park the session for about 5 s. So
 * each command session (a "slot") carries at most one proposal at a time, from the moment it is
 * handed to Atomix until Atomix completes it, even when the caller was already failed with TIMEOUT.
 * Parallelism comes from several slots; proposals beyond them wait in a bounded queue.
 *
 * <p><b>Outcomes.</b> A proposal still queued when its timeout fires was never sent: UNAVAILABLE. One
 * handed to Atomix that does not come back in time, or comes back failed, may have been applied:
 * TIMEOUT. Reads go through a separate session that never carries commands (a query is ordered
 * after its session's commands, so a stuck command would hold it up); they are retried until the
 * read timeout and then fail with UNAVAILABLE.
 *
 * <p><b>Recovery.</b> Atomix expires a session whose keep-alives stop (a partition, a long pause).
 * When a slot's session expires or closes, the slot opens a replacement, retrying with back-off
 * until it succeeds or the pool closes: a member recovers by itself once it can reach a quorum.
 *
 * <p>Callers' futures are completed on {@code completions}, never on Atomix's threads.
 */
final class SessionPool {
    private static final Logger log = LoggerFactory.getLogger(SessionPool.class);
    private static final long REOPEN_BACKOFF_MIN_MILLIS = 50;
    private static final long REOPEN_BACKOFF_MAX_MILLIS = 1000;
    private static final long READ_RETRY_MIN_MILLIS = 10;
    private static final long READ_RETRY_MAX_MILLIS = 200;
    private static final int BACKOFF_DOUBLINGS_MAX = 6;

    private final String memberId;
    private final Supplier<CompletableFuture<SessionClient>> opener;
    private final ScheduledExecutorService scheduler;
    private final Executor completions;
    private final long proposalTimeoutMillis;
    private final long readTimeoutMillis;
    private final int queuedProposalsMax;
    private final int commandBytesMax;

    private final Object lock = new Object();
    private final Slot[] commandSlots;
    private final Slot readSlot = new Slot("read");
    private final ArrayDeque<Proposal> queue = new ArrayDeque<>();
    private final Set<Read> reads = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> allOpened = new CompletableFuture<>();
    private final AtomicInteger replacements = new AtomicInteger();
    private boolean closed;

    SessionPool(String memberId, int commandSessions, Supplier<CompletableFuture<SessionClient>> opener,
                ScheduledExecutorService scheduler, Executor completions, long proposalTimeoutMillis,
                long readTimeoutMillis, int queuedProposalsMax, int commandBytesMax) {
        this.memberId = memberId;
        this.opener = opener;
        this.scheduler = scheduler;
        this.completions = completions;
        this.proposalTimeoutMillis = proposalTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
        this.queuedProposalsMax = queuedProposalsMax;
        this.commandBytesMax = commandBytesMax;
        this.commandSlots = new Slot[commandSessions];
        for (int i = 0; i < commandSessions; i++) {
            commandSlots[i] = new Slot("command-" + i);
        }
    }

    /** Opens every session; completes once each has been open at least once. */
    CompletableFuture<Void> open() {
        for (Slot slot : commandSlots) {
            openSlot(slot, 0);
        }
        openSlot(readSlot, 0);
        return allOpened;
    }

    int commandSessions() {
        return commandSlots.length;
    }

    /** How many sessions expired or closed and were replaced so far. */
    int replacements() {
        return replacements.get();
    }

    CompletableFuture<byte[]> propose(byte[] command) {
        if (command.length > commandBytesMax) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "command of " + command.length + " bytes exceeds the limit of " + commandBytesMax));
        }
        Proposal proposal = new Proposal(command);
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(ConsensusException.unavailable("member " + memberId + " is closed"));
            }
            if (queue.size() >= queuedProposalsMax) {
                return CompletableFuture.failedFuture(ConsensusException.unavailable(
                        "member " + memberId + " has " + queuedProposalsMax + " proposals queued already"));
            }
            queue.addLast(proposal);
        }
        proposal.timer = schedule(() -> expire(proposal), proposalTimeoutMillis);
        dispatch();
        return proposal.result;
    }

    CompletableFuture<byte[]> read(byte[] query) {
        Read read = new Read(query, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis));
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(ConsensusException.unavailable("member " + memberId + " is closed"));
            }
            reads.add(read);
        }
        read.timer = schedule(() -> read.finish(null, ConsensusException.unavailable(
                "no linearizable read within " + readTimeoutMillis + " ms on member " + memberId)), readTimeoutMillis);
        tryRead(read, 0);
        return read.result;
    }

    /** Fails what is queued (UNAVAILABLE), in flight (TIMEOUT) or being read (UNAVAILABLE). */
    void close() {
        List<Proposal> queued;
        List<Proposal> inFlight = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queued = new ArrayList<>(queue);
            queue.clear();
            for (Slot slot : commandSlots) {
                if (slot.inFlight != null) {
                    inFlight.add(slot.inFlight);
                }
            }
        }
        queued.forEach(p -> p.finish(null, ConsensusException.unavailable("member " + memberId + " closed")));
        inFlight.forEach(p -> p.finish(null, ConsensusException.timeout(
                "member " + memberId + " closed with the proposal in flight", null)));
        reads.forEach(r -> r.finish(null, ConsensusException.unavailable("member " + memberId + " closed")));
        allOpened.completeExceptionally(ConsensusException.unavailable("member " + memberId + " closed"));
    }

    private void openSlot(Slot slot, int attempt) {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        CompletableFuture<SessionClient> opening;
        try {
            opening = opener.get();
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((session, error) -> {
            if (error != null) {
                long delay = backoff(REOPEN_BACKOFF_MIN_MILLIS, REOPEN_BACKOFF_MAX_MILLIS, attempt);
                log.debug("member={} cannot open log session {} (attempt {}), retrying in {} ms: {}", memberId,
                        slot.name, attempt + 1, delay, String.valueOf(unwrap(error)));
                schedule(() -> openSlot(slot, attempt + 1), delay);
                return;
            }
            synchronized (lock) {
                if (closed) {
                    return; // left to expire on the servers
                }
                slot.session = session;
                slot.opened = true;
            }
            if (slot.replaced) {
                log.info("member={} log session {} replaced by Atomix session {}", memberId, slot.name, session.sessionId());
            } else {
                log.debug("member={} log session {} open as Atomix session {}", memberId, slot.name, session.sessionId());
            }
            session.addStateChangeListener(state -> onStateChange(slot, session, state));
            onStateChange(slot, session, session.getState());
            if (allSlotsOpened()) {
                allOpened.complete(null);
            }
            dispatch();
        });
    }

    private void onStateChange(Slot slot, SessionClient session, PrimitiveState state) {
        if (state != PrimitiveState.EXPIRED && state != PrimitiveState.CLOSED) {
            log.debug("member={} log session {} ({}) is {}", memberId, slot.name, session.sessionId(), state);
            return;
        }
        synchronized (lock) {
            if (slot.session != session) {
                return;
            }
            slot.session = null;
            if (closed) {
                return;
            }
        }
        log.warn("member={} log session {} ({}) is {}; opening a replacement", memberId, slot.name,
                session.sessionId(), state);
        replacements.incrementAndGet();
        slot.replaced = true;
        openSlot(slot, 0);
    }

    private boolean allSlotsOpened() {
        synchronized (lock) {
            if (!readSlot.opened) {
                return false;
            }
            for (Slot slot : commandSlots) {
                if (!slot.opened) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Hands queued proposals to idle slots. */
    private void dispatch() {
        List<Runnable> sends = new ArrayList<>();
        synchronized (lock) {
            while (!queue.isEmpty() && !closed) {
                Slot slot = idleSlot();
                if (slot == null) {
                    break;
                }
                Proposal proposal = queue.pollFirst();
                if (proposal.finished.get()) {
                    continue;
                }
                proposal.sent = true;
                slot.inFlight = proposal;
                SessionClient session = slot.session;
                sends.add(() -> send(slot, session, proposal));
            }
        }
        sends.forEach(Runnable::run);
    }

    private Slot idleSlot() {
        Slot suspended = null;
        for (Slot slot : commandSlots) {
            if (slot.session != null && slot.inFlight == null) {
                if (slot.session.getState() == PrimitiveState.CONNECTED) {
                    return slot;
                }
                suspended = suspended == null ? slot : suspended;
            }
        }
        return suspended;
    }

    private void send(Slot slot, SessionClient session, Proposal proposal) {
        CompletableFuture<byte[]> applied;
        try {
            applied = session.execute(PrimitiveOperation.operation(LogService.APPLY, proposal.command));
        } catch (RuntimeException e) {
            applied = CompletableFuture.failedFuture(e);
        }
        applied.whenComplete((result, error) -> {
            synchronized (lock) {
                slot.inFlight = null;
            }
            if (error == null) {
                proposal.finish(result, null);
            } else {
                Throwable cause = unwrap(error);
                if (!proposal.finish(null, ConsensusException.timeout("proposal outcome unknown: " + cause, cause))) {
                    log.debug("member={} proposal failed after its timeout: {}", memberId, String.valueOf(cause));
                }
            }
            dispatch();
        });
    }

    private void expire(Proposal proposal) {
        boolean sent;
        synchronized (lock) {
            if (proposal.finished.get()) {
                return;
            }
            sent = proposal.sent;
            if (!sent) {
                queue.remove(proposal);
            }
        }
        proposal.finish(null, sent
                ? ConsensusException.timeout("no outcome within " + proposalTimeoutMillis + " ms on member " + memberId, null)
                : ConsensusException.unavailable("no log session free within " + proposalTimeoutMillis + " ms on member "
                + memberId));
    }

    private void tryRead(Read read, int attempt) {
        if (read.finished.get()) {
            return;
        }
        SessionClient session;
        synchronized (lock) {
            if (closed) {
                read.finish(null, ConsensusException.unavailable("member " + memberId + " closed"));
                return;
            }
            session = readSlot.session;
        }
        if (session == null) {
            retryRead(read, attempt);
            return;
        }
        CompletableFuture<byte[]> answer;
        try {
            answer = session.execute(PrimitiveOperation.operation(LogService.QUERY, read.query));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, error) -> {
            if (error == null) {
                read.finish(result, null);
            } else {
                log.debug("member={} read attempt {} failed: {}", memberId, attempt + 1, String.valueOf(unwrap(error)));
                retryRead(read, attempt + 1);
            }
        });
    }

    private void retryRead(Read read, int attempt) {
        long delay = backoff(READ_RETRY_MIN_MILLIS, READ_RETRY_MAX_MILLIS, attempt);
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) < read.deadlineNanos) {
            schedule(() -> tryRead(read, attempt), delay);
        }
        // Otherwise the read's timer fails it.
    }

    private ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // closing
        }
    }

    private static long backoff(long min, long max, int attempt) {
        return Math.min(max, min << Math.min(attempt, BACKOFF_DOUBLINGS_MAX));
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static final class Slot {
        final String name;
        /** The open session, or null while a replacement is being opened. Guarded by the pool lock. */
        SessionClient session;
        /** The proposal Atomix has not yet completed, or null. Guarded by the pool lock. */
        Proposal inFlight;
        boolean opened;
        volatile boolean replaced;

        Slot(String name) {
            this.name = name;
        }
    }

    /** Shared by proposals and reads: finished once, completed on the completions executor. */
    private abstract class Outcome {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        final AtomicBoolean finished = new AtomicBoolean();
        volatile ScheduledFuture<?> timer;

        boolean finish(byte[] value, Throwable error) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> pending = timer;
            if (pending != null) {
                pending.cancel(false);
            }
            onFinished();
            Runnable completion = () -> {
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(error);
                }
            };
            try {
                completions.execute(completion);
            } catch (RejectedExecutionException e) {
                completion.run();
            }
            return true;
        }

        void onFinished() {
        }
    }

    private final class Proposal extends Outcome {
        final byte[] command;
        /** Handed to Atomix; guarded by the pool lock. */
        boolean sent;

        Proposal(byte[] command) {
            this.command = command;
        }
    }

    private final class Read extends Outcome {
        final byte[] query;
        final long deadlineNanos;

        Read(byte[] query, long deadlineNanos) {
            this.query = query;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        void onFinished() {
            reads.remove(this);
        }
    }
}
