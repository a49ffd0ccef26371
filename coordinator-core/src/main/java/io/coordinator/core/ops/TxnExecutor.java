package io.coordinator.core.ops;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.tree.DataTree;
import io.coordinator.core.tree.Node;
import io.coordinator.core.tree.Paths;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Runs a transaction: every compare, then the chosen branch's ops in order, each seeing the changes
 * of the ones before. On a failure it returns at once; the caller rolls the tree back, so nothing
 * of a failed transaction remains.
 */
public final class TxnExecutor {

    private final DataTree tree;
    private final TreeOperations ops;
    private final Limits limits;
    private final LongPredicate sessionAlive;

    public TxnExecutor(DataTree tree, TreeOperations ops, Limits limits, LongPredicate sessionAlive) {
        this.tree = tree;
        this.ops = ops;
        this.limits = limits;
        this.sessionAlive = sessionAlive;
    }

    /** @return a TxnResult, or the failure of the first compare or op that failed */
    public Response execute(Command.Txn txn, Change change, long sessionId) {
        long steps = (long) txn.compares().size() + txn.then().size() + txn.otherwise().size();
        if (steps > limits.txnOpsMax()) {
            return Failures.of(ErrorCode.TOO_LARGE, "transaction has " + steps
                    + " compares and ops, over the limit of " + limits.txnOpsMax());
        }
        boolean succeeded = true;
        for (int i = 0; i < txn.compares().size(); i++) {
            Compare compare = txn.compares().get(i);
            Response.Failure bad = check(compare);
            if (bad != null) {
                return Failures.atStep("compare", i, bad);
            }
            succeeded &= holds(compare);
        }
        List<Op> branch = succeeded ? txn.then() : txn.otherwise();
        List<Response> results = new ArrayList<>(branch.size());
        for (int i = 0; i < branch.size(); i++) {
            Response result = ops.execute(branch.get(i), change, sessionId);
            if (result instanceof Response.Failure failure) {
                return Failures.atStep("op", i, failure);
            }
            results.add(result);
        }
        return new Response.TxnResult(succeeded, results);
    }

    private Response.Failure check(Compare compare) {
        if (compare.target() == Compare.Target.SESSION_ALIVE) {
            boolean supported = compare.op() == Compare.Operator.EQUAL || compare.op() == Compare.Operator.NOT_EQUAL;
            return supported ? null : Failures.of(ErrorCode.BAD_ARGUMENTS,
                    "a session compare takes EQUAL or NOT_EQUAL, not " + compare.op());
        }
        return Paths.check(compare.path(), limits.pathLengthMax());
    }

    private boolean holds(Compare compare) {
        if (compare.target() == Compare.Target.SESSION_ALIVE) {
            return sessionAlive.test(compare.number()) == (compare.op() == Compare.Operator.EQUAL);
        }
        Node node = tree.find(compare.path());
        if (compare.target() == Compare.Target.EXISTS) {
            return holds(Long.compare(node == null ? 0 : 1, compare.number()), compare.op());
        }
        if (node == null) {
            // Version, revisions and value are absent: unequal to anything, and not ordered.
            return compare.op() == Compare.Operator.NOT_EQUAL;
        }
        int order = switch (compare.target()) {
            case VERSION -> Long.compare(node.version(), compare.number());
            case MOD_REVISION -> Long.compare(node.modRevision(), compare.number());
            case CREATE_REVISION -> Long.compare(node.createRevision(), compare.number());
            case VALUE -> Arrays.compareUnsigned(node.dataUnsafe(), compare.value());
            case EXISTS, SESSION_ALIVE -> throw new IllegalStateException("handled above");
        };
        return holds(order, compare.op());
    }

    private static boolean holds(int order, Compare.Operator op) {
        return switch (op) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case LESS -> order < 0;
            case GREATER -> order > 0;
        };
    }
}
