package io.coordinator.client;

import io.coordinator.client.impl.ClientCore;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Turns each operation into a command and its reply into a result record. The futures here
 * complete on the I/O thread: {@link AsyncCoordinator} moves them to the callback executor and
 * {@link Coordinator} waits on them.
 */
final class Requests {
    private final ClientCore core;

    Requests(ClientCore core) {
        this.core = core;
    }

    ClientCore core() {
        return core;
    }

    CompletableFuture<CreateResult> create(String path, byte[] data, CreateMode mode, long ttlMillis) {
        return core.write(new Command.Execute(new Op.Create(path, data, mode, ttlMillis)))
                .thenApply(reply -> expect(reply, Response.Created.class,
                        (r, rev) -> new CreateResult(r.path(), r.stat(), rev)));
    }

    CompletableFuture<GetResult> get(String path, Consistency consistency) {
        return core.read(new Command.Execute(new Op.Get(path)), consistency)
                .thenApply(reply -> expect(reply, Response.Data.class, (r, rev) -> new GetResult(r.data(), r.stat(), rev)));
    }

    CompletableFuture<Stat> set(String path, byte[] data, int expectedVersion) {
        return core.write(new Command.Execute(new Op.SetData(path, data, expectedVersion)))
                .thenApply(reply -> expect(reply, Response.Updated.class, (r, rev) -> r.stat()));
    }

    CompletableFuture<DeleteResult> delete(String path, int expectedVersion, boolean recursive) {
        return core.write(new Command.Execute(new Op.Delete(path, expectedVersion, recursive)))
                .thenApply(reply -> expect(reply, Response.Deleted.class,
                        (r, rev) -> new DeleteResult(r.path(), r.count(), rev)));
    }

    CompletableFuture<Optional<Stat>> exists(String path, Consistency consistency) {
        return core.read(new Command.Execute(new Op.Exists(path)), consistency)
                .thenApply(reply -> expect(reply, Response.ExistsResult.class, (r, rev) -> Optional.ofNullable(r.stat())));
    }

    CompletableFuture<ChildrenResult> children(String path, boolean withStats, Consistency consistency) {
        return core.read(new Command.Execute(new Op.Children(path, withStats)), consistency)
                .thenApply(reply -> expect(reply, Response.ChildrenResult.class,
                        (r, rev) -> new ChildrenResult(r.names(), r.stats(), r.parentStat(), rev)));
    }

    CompletableFuture<TxnResult> txn(Command.Txn txn, Consistency consistency) {
        CompletableFuture<ServerMessage.Reply> reply = txn.isWrite() ? core.write(txn) : core.read(txn, consistency);
        return reply.thenApply(r -> expect(r, Response.TxnResult.class,
                (t, rev) -> new TxnResult(t.succeeded(), t.results(), rev)));
    }

    private static <R extends Response, T> T expect(ServerMessage.Reply reply, Class<R> type,
                                                    BiFunction<R, Long, T> mapper) {
        if (!type.isInstance(reply.response())) {
            throw CoordinatorException.of(ErrorCode.MALFORMED, "expected " + type.getSimpleName() + ", got "
                    + reply.response().getClass().getSimpleName());
        }
        return mapper.apply(type.cast(reply.response()), reply.revision());
    }
}
