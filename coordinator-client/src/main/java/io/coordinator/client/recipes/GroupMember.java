package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.SessionState;
import io.coordinator.client.SessionStateListener;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchEvents;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.WatchKind;

import java.util.concurrent.CompletableFuture;

/**
 * This process's membership of a group, from {@link GroupMembership#join}. It ends once, with a
 * {@link Reason} on {@link #ended()}; to be a member again, join again.
 */
public final class GroupMember {
    /** Why a membership ended. */
    public enum Reason {
        /** {@link #leave()} was called. */
        LEFT,
        /** The session is gone (expired, closed, or given up by the client): the node goes with it. */
        SESSION_LOST,
        /** The node was deleted while the client still held its session (by someone else). */
        NODE_DELETED
    }

    private final Coordinator client;
    private final QueueNode node;
    private final Contender dir;
    private final CompletableFuture<Reason> ended = new CompletableFuture<>();
    private final SessionStateListener stateListener = this::stateChanged;
    private volatile Watch nodeWatch;

    GroupMember(Coordinator client, QueueNode node, Contender dir) {
        this.client = client;
        this.node = node;
        this.dir = dir;
    }

    void start() {
        client.addStateListener(stateListener);
        try {
            nodeWatch = client.watch(node.path(), WatchKind.PERSISTENT, node.createRevision() + 1, new WatchListener() {
                @Override
                public void onEvents(WatchEvents events) {
                    for (WatchEvent event : events.events()) {
                        if (event.type() == WatchEvent.Type.DELETED) {
                            end(dir.sessionHolds(node) ? Reason.NODE_DELETED : Reason.SESSION_LOST);
                        }
                    }
                }

                @Override
                public void onError(CoordinatorException error) {
                    // Cannot follow the node: tell the truth if it is already gone, else keep the session's word.
                    if (!dir.sessionHolds(node)) {
                        end(Reason.SESSION_LOST);
                    }
                }
            });
        } catch (CoordinatorException e) {
            // The session listener still reports the end of the session.
        }
        if (!dir.sessionHolds(node)) {
            end(Reason.SESSION_LOST);
        }
    }

    private void stateChanged(SessionState state) {
        if (state == SessionState.LOST || (state == SessionState.CONNECTED && !dir.sessionHolds(node))) {
            end(Reason.SESSION_LOST);
        }
    }

    private void end(Reason reason) {
        if (ended.complete(reason)) {
            client.removeStateListener(stateListener);
            Watch watch = nodeWatch;
            if (watch != null) {
                watch.close();
            }
        }
    }

    /** The member id (the node's name). */
    public String id() {
        return node.name();
    }

    public String nodePath() {
        return node.path();
    }

    /** The session the membership lives with. */
    public long sessionId() {
        return node.sessionId();
    }

    /** True until the membership ends (the client's own view; see {@link #ended()}). */
    public boolean isMember() {
        return !ended.isDone() && dir.sessionHolds(node);
    }

    /**
     * Completes, with the reason, when the membership ends: on leave, on LOST, or when its node is
     * deleted. Never fails. Callbacks run on the thread that noticed: keep them short.
     */
    public CompletableFuture<Reason> ended() {
        return ended.copy();
    }

    /** Leaves the group: the node is deleted (if it is still this membership's). Idempotent. */
    public void leave() {
        if (!ended.isDone()) {
            end(Reason.LEFT);
            dir.remove(node);
        }
    }

    @Override
    public String toString() {
        return "GroupMember[" + node.path() + " session=" + node.sessionId()
                + (ended.isDone() ? " ended " + ended.join() : "") + "]";
    }
}
