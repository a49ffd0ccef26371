package io.coordinator.server.http;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.tree.Paths;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import io.coordinator.server.watch.WatchHub;
import io.coordinator.server.watch.WatchOutput;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One enqueued contender of an HTTP request waiting for its turn, without a thread: it watches, in
 * the member's {@link WatchHub}, only the node just ahead of it (a release wakes one waiter, no
 * herd) and its own node (its session's end deletes it), each from the revision after the read that
 * showed the queue, so nothing in between is missed. On a wake it reads the queue again.
 *
 * <p>Everything runs on the request's event loop. It ends once: granted (its node is first), or given
 * up: at the deadline ({@code wait-ms}), when the client hangs up ({@link HangUp}), or
 * on a failure. A contender that gives up deletes its own node (compared on its createRevision, so
 * never someone else's) before it answers: nothing is left in the queue. A grant that finds the
 * client gone is given up the same way.
 */
final class QueueWait implements WatchOutput {
    private static final Logger log = LoggerFactory.getLogger(QueueWait.class);

    private final RecipeQueue queue;
    private final WatchHub hub;
    private final Channel channel;
    private final RecipeQueue.Contender contender;
    private final String memberId;
    private final CompletableFuture<Long> granted = new CompletableFuture<>();

    // Event loop only.
    private long watchIds;
    /** Watches of the current round (the ids at or above it); older ones' late notifications are ignored. */
    private long roundStart = 1;
    private ScheduledFuture<?> deadline;
    private final Runnable onHangUp = () -> giveUp(hungUp());
    private boolean done;

    private QueueWait(RecipeQueue queue, WatchHub hub, Channel channel, RecipeQueue.Contender contender, String memberId) {
        this.queue = queue;
        this.hub = hub;
        this.channel = channel;
        this.contender = contender;
        this.memberId = memberId;
    }

    /**
     * Waits until {@code enqueued}'s node is first in its queue, for at most {@code waitMillis}.
     *
     * @return the revision at which the node was seen first; or fails with a {@link GatewayException}:
     *         NOT_ACQUIRED (the wait ran out), SESSION_EXPIRED (the session ended meanwhile), NO_NODE
     *         (the node was deleted by someone else), or a failure of the members
     */
    static CompletableFuture<Long> await(RecipeQueue queue, WatchHub hub, Channel channel, RecipeQueue.Enqueued enqueued,
                                         long waitMillis, String memberId) {
        QueueWait wait = new QueueWait(queue, hub, channel, enqueued.contender(), memberId);
        wait.execute(() -> {
            wait.deadline = channel.eventLoop().schedule(() -> wait.giveUp(new GatewayException(HttpReply.error(
                    HttpResponseStatus.CONFLICT, RecipeQueue.NOT_ACQUIRED, Paths.describe(enqueued.contender().dir())
                            + " was not granted within " + waitMillis + " ms (wait-ms); this request's place in the queue "
                            + "is given up").withHeader(HttpReply.REVISION_HEADER, Long.toString(enqueued.revision())))),
                    waitMillis, TimeUnit.MILLISECONDS);
            HangUp.of(channel).listen(wait.onHangUp);
            wait.evaluate(enqueued.queue(), enqueued.revision());
        });
        return wait.granted;
    }

    private void evaluate(List<String> names, long revision) {
        if (done) {
            return;
        }
        List<String> ordered = RecipeQueue.ordered(names);
        int index = ordered.indexOf(contender.name());
        if (index < 0) {
            lost();
        } else if (index == 0) {
            grant(revision);
        } else {
            String ahead = Paths.child(contender.dir(), ordered.get(index - 1));
            roundStart = watchIds + 1;
            hub.watch(this, ++watchIds, new ClientMessage.Watch(ahead, WatchKind.DATA, revision + 1));
            hub.watch(this, ++watchIds, new ClientMessage.Watch(contender.key(), WatchKind.DATA, revision + 1));
        }
    }

    @Override
    public void respond(long watchId, ServerMessage message) {
        if (message instanceof ServerMessage.WatchFailed failed) {
            execute(() -> watchFailed(watchId, failed));
        }
    }

    @Override
    public void push(long watchId, ServerMessage message) {
        if (message instanceof ServerMessage.WatchFailed failed) {
            execute(() -> watchFailed(watchId, failed));
        } else if (message instanceof ServerMessage.WatchNotification) {
            execute(() -> {
                if (watchId >= roundStart) {
                    reread();
                }
            });
        }
    }

    private void watchFailed(long watchId, ServerMessage.WatchFailed failed) {
        if (watchId < roundStart) {
            return;
        }
        if (failed.code() == ErrorCode.COMPACTED) {
            reread(); // a snapshot install moved the history past us: read again, watch from there
        } else {
            giveUp(new GatewayException(HttpReply.error(failed.code(), "waiting in " + Paths.describe(contender.dir())
                    + ": " + failed.message())));
        }
    }

    /** Something ahead or of our own changed: this round's watches go, the queue is read again. */
    private void reread() {
        if (done) {
            return;
        }
        roundStart = watchIds + 1;
        hub.disconnected(this);
        queue.read(contender).whenComplete((read, failure) -> execute(() -> {
            if (failure != null) {
                giveUp(failure);
            } else {
                evaluate(read.queue(), read.revision());
            }
        }));
    }

    /** Our node is not in the queue: the session ended (its ephemerals went with it), or someone deleted it. */
    private void lost() {
        queue.sessionAlive(contender.sessionId()).whenComplete((alive, failure) -> execute(() -> {
            if (failure != null) {
                giveUp(failure);
            } else if (!alive) {
                giveUp(new GatewayException(HttpReply.error(ErrorCode.SESSION_EXPIRED, "session " + contender.sessionId()
                        + " ended while waiting in " + Paths.describe(contender.dir()) + "; its node went with it")));
            } else {
                giveUp(new GatewayException(HttpReply.error(ErrorCode.NO_NODE, Paths.describe(contender.key())
                        + " was deleted while waiting (not by this request)")));
            }
        }));
    }

    private void grant(long revision) {
        if (HangUp.of(channel).happened()) {
            giveUp(hungUp());
            return;
        }
        end();
        granted.complete(revision);
    }

    /** Ends the wait with {@code why}, after deleting our node (if it is still ours). */
    private void giveUp(Throwable why) {
        if (done) {
            return;
        }
        end();
        Throwable cause = unwrap(why);
        queue.remove(contender).whenComplete((removed, failure) -> {
            if (failure == null) {
                granted.completeExceptionally(cause);
                return;
            }
            Throwable reason = unwrap(failure);
            log.warn("member={} could not remove {} after giving up its wait: {}; it goes with session {}", memberId,
                    contender.key(), reason.toString(), contender.sessionId());
            String why1 = cause instanceof GatewayException refused ? refused.describe() : String.valueOf(cause);
            String why2 = reason instanceof GatewayException refused ? refused.describe() : String.valueOf(reason);
            // Outcome unknown for the queue: the node may still be in it, until its session ends.
            granted.completeExceptionally(new GatewayException(HttpReply.error(ErrorCode.TIMEOUT, "gave up waiting ("
                    + why1 + ") but could not remove " + contender.key() + " (" + why2 + "): it goes when session "
                    + contender.sessionId() + " ends, or delete it")));
        });
    }

    private static GatewayException hungUp() {
        return new GatewayException(HttpReply.error(HttpResponseStatus.CONFLICT, RecipeQueue.NOT_ACQUIRED,
                "the client hung up (closed the connection or shut down its sending side) while waiting; its place in "
                        + "the queue is given up"));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private void end() {
        done = true;
        HangUp.of(channel).forget(onHangUp);
        if (deadline != null) {
            deadline.cancel(false);
        }
        hub.disconnected(this);
    }

    private void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The member is shutting down: the session's end removes the node.
            granted.completeExceptionally(new GatewayException(HttpReply.error(ErrorCode.UNAVAILABLE, "the member is stopping")));
        }
    }
}
