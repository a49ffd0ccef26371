package io.coordinator.server.metrics;

import io.coordinator.core.api.Command;
import io.coordinator.protocol.message.Consistency;

/**
 * What the request pipeline reports about the work it does: one call per client request when its
 * reply is ready, one per batch when the log (or the read barrier) answered it. Called on whatever
 * thread completed the work; implementations must be cheap and thread-safe.
 */
public interface RequestObserver {
    RequestObserver NONE = new RequestObserver() {
        @Override
        public void requestCompleted(Command command, Consistency consistency, long nanos) {
        }

        @Override
        public void batchCompleted(BatchKind kind, byte[] batch, long nanos, boolean failed) {
        }
    };

    enum BatchKind { WRITE, READ }

    /** @param consistency as the client asked; writes always go through the log whatever it says */
    void requestCompleted(Command command, Consistency consistency, long nanos);

    /**
     * @param batch  the encoded log batch as it was proposed (see {@code LogBatch})
     * @param nanos  from handing the batch to the log until the replies (or the failure) came back
     * @param failed the log answered with a failure (UNAVAILABLE, TIMEOUT) rather than replies
     */
    void batchCompleted(BatchKind kind, byte[] batch, long nanos, boolean failed);
}
