package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.Ops;
import io.coordinator.client.TxnResult;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A transaction guarded by a {@link Fence}: the fence's compare goes first, the caller's compares
 * after it. When every compare holds the {@code then} ops run, as usual. When the fence's compare
 * fails the commit throws {@link FencingException}; when only the caller's compares fail it returns
 * the result with {@code succeeded() == false}, as a plain transaction would.
 *
 * <p>The {@code orElse} branch may hold reads only: a transaction has one else branch, and it also
 * runs when the fence fails, so a write there would escape the fence. One read of the holder node is
 * appended to it, which is how the commit tells a stale token from the caller's own failed compare
 * in the same round trip; it is removed from the result. Not thread-safe, like {@code TxnBuilder}.
 */
public final class FencedTxn {
    private final Coordinator client;
    private final Fence fence;
    private final List<Compare> compares = new ArrayList<>();
    private final List<Op> then = new ArrayList<>();
    private final List<Op> otherwise = new ArrayList<>();

    FencedTxn(Coordinator client, Fence fence) {
        this.client = client;
        this.fence = fence;
        compares.add(fence.compare());
    }

    public FencedTxn compare(Compare... more) {
        compares.addAll(Arrays.asList(more));
        return this;
    }

    public FencedTxn then(Op... ops) {
        then.addAll(Arrays.asList(ops));
        return this;
    }

    /** Reads to run when a compare fails. @throws IllegalArgumentException for a write op */
    public FencedTxn orElse(Op... ops) {
        for (Op op : ops) {
            if (op.isWrite()) {
                throw new IllegalArgumentException("the else branch of a fenced txn runs when the fence fails too,"
                        + " so it may only read: " + op);
            }
        }
        otherwise.addAll(Arrays.asList(ops));
        return this;
    }

    /** The transaction as sent: fence compare first, a read of the holder node last in the else branch. */
    public Command.Txn build() {
        List<Op> elseOps = new ArrayList<>(otherwise);
        elseOps.add(Ops.exists(fence.holderPath()));
        return new Command.Txn(compares, then, elseOps);
    }

    /**
     * Runs it and waits.
     *
     * @throws FencingException when the fence's token is stale (nothing applied); other
     *                          {@link io.coordinator.client.CoordinatorException}s as for any txn
     */
    public TxnResult commit() {
        return interpret(client.txn(build()));
    }

    /** Runs it; the future fails with {@link FencingException} when the token is stale. */
    public CompletableFuture<TxnResult> commitAsync() {
        return client.async().txn(build()).thenApply(this::interpret);
    }

    private TxnResult interpret(TxnResult result) {
        if (result.succeeded()) {
            return result;
        }
        List<Response> results = result.results();
        Response.ExistsResult holder = result.result(results.size() - 1, Response.ExistsResult.class);
        long current = holder.stat() == null ? 0 : holder.stat().createRevision();
        if (current != fence.token()) {
            throw new FencingException(fence.holderPath(), fence.token(), current);
        }
        return new TxnResult(false, results.subList(0, results.size() - 1), result.revision());
    }
}
