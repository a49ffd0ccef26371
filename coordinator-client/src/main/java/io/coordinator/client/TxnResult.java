package io.coordinator.client;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;

import java.util.List;

/**
 * @param succeeded true when every compare held and the {@code then} branch ran
 * @param results   one response per op of the branch taken, in order
 * @param revision  the revision of the txn (for a read-only txn: the revision it reflects)
 */
public record TxnResult(boolean succeeded, List<Response> results, long revision) {
    public TxnResult {
        results = List.copyOf(results);
    }

    /** The result of op {@code index} of the branch taken, as the expected type. */
    public <T extends Response> T result(int index, Class<T> type) {
        Response response = results.get(index);
        if (!type.isInstance(response)) {
            throw new CoordinatorException(ErrorCode.BAD_ARGUMENTS,
                    "txn result " + index + " is " + response.getClass().getSimpleName() + ", not " + type.getSimpleName());
        }
        return type.cast(response);
    }
}
