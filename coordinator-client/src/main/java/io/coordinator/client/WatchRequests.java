package io.coordinator.client;

import io.coordinator.client.impl.ClientCore;
import io.coordinator.client.watch.Watch;
import io.coordinator.client.watch.WatchListener;
import io.coordinator.client.watch.Watched;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.WatchKind;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Watches, and reads followed by the watch that continues from them. The read's revision R is the
 * state the caller saw; the watch starts at R + 1, and the member replays anything after R from its
 * history, so no change between the read and the watch can slip through. Futures complete on the
 * I/O thread, like those of {@link Requests}.
 */
final class WatchRequests {
    private final Requests requests;
    private final ClientCore core;

    WatchRequests(Requests requests) {
        this.requests = requests;
        this.core = requests.core();
    }

    CompletableFuture<Watch> watch(String path, WatchKind kind, long fromRevision, WatchListener listener) {
        try {
            return core.watches().watch(path, kind, fromRevision, listener);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(CoordinatorException.of(ErrorCode.BAD_ARGUMENTS, e.getMessage()));
        }
    }

    /** A linearizable get, then a watch of {@code kind} from the revision after it. NO_NODE leaves no watch. */
    CompletableFuture<Watched<GetResult>> getAndWatch(String path, WatchKind kind, WatchListener listener) {
        return requests.get(path, Consistency.LINEARIZABLE).thenCompose(got ->
                watch(path, kind, got.revision() + 1, listener).thenApply(w -> new Watched<>(got, w)));
    }

    /** A linearizable exists, then an EXISTS watch from the revision after it (set whether or not the node exists). */
    CompletableFuture<Watched<Optional<Stat>>> existsAndWatch(String path, WatchListener listener) {
        return core.read(new Command.Execute(new Op.Exists(path)), Consistency.LINEARIZABLE).thenCompose(reply -> {
            if (!(reply.response() instanceof Response.ExistsResult exists)) {
                throw CoordinatorException.of(ErrorCode.MALFORMED, "expected ExistsResult, got " + reply.response());
            }
            Optional<Stat> stat = Optional.ofNullable(exists.stat());
            return watch(path, WatchKind.EXISTS, reply.revision() + 1, listener).thenApply(w -> new Watched<>(stat, w));
        });
    }

    /** A linearizable children, then a CHILDREN watch from the revision after it. NO_NODE leaves no watch. */
    CompletableFuture<Watched<ChildrenResult>> childrenAndWatch(String path, WatchListener listener) {
        return requests.children(path, false, Consistency.LINEARIZABLE).thenCompose(children ->
                watch(path, WatchKind.CHILDREN, children.revision() + 1, listener)
                        .thenApply(w -> new Watched<>(children, w)));
    }
}
