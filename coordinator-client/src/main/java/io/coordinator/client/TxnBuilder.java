package io.coordinator.client;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.Op;
import io.coordinator.protocol.message.Consistency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A transaction: if every compare holds, the {@code then} ops run, else the {@code orElse} ops; all
 * at one revision, all or nothing.
 *
 * <pre>{@code
 * TxnResult r = client.txn()
 *         .compare(Compare.version("/cfg", Compare.Operator.EQUAL, 3))
 *         .then(Ops.set("/cfg", newValue, 3), Ops.create("/cfg/history-", old, CreateMode.PERSISTENT_SEQUENTIAL))
 *         .orElse(Ops.get("/cfg"))
 *         .commit();
 * }</pre>
 *
 * A builder is not thread-safe; build and commit it on one thread.
 */
public final class TxnBuilder {
    private final Requests requests;
    private final List<Compare> compares = new ArrayList<>();
    private final List<Op> then = new ArrayList<>();
    private final List<Op> otherwise = new ArrayList<>();
    private Consistency consistency = Consistency.LINEARIZABLE;

    TxnBuilder(Requests requests) {
        this.requests = requests;
    }

    public TxnBuilder compare(Compare... compares) {
        this.compares.addAll(Arrays.asList(compares));
        return this;
    }

    public TxnBuilder then(Op... ops) {
        this.then.addAll(Arrays.asList(ops));
        return this;
    }

    public TxnBuilder orElse(Op... ops) {
        this.otherwise.addAll(Arrays.asList(ops));
        return this;
    }

    /** For a read-only transaction: how it is served (a txn with a write always goes through the log). */
    public TxnBuilder consistency(Consistency consistency) {
        this.consistency = consistency;
        return this;
    }

    public Command.Txn build() {
        return new Command.Txn(compares, then, otherwise);
    }

    /** Runs the transaction and waits for its outcome. */
    public TxnResult commit() {
        return requests.core().await(requests.txn(build(), consistency));
    }

    /** Runs the transaction; the future completes on the callback executor. */
    public CompletableFuture<TxnResult> commitAsync() {
        return requests.core().deliver(requests.txn(build(), consistency));
    }
}
