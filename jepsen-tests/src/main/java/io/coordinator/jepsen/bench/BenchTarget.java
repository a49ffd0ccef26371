package io.coordinator.jepsen.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One system under test as the driver sees it: a client connected to a running cluster. */
interface BenchTarget extends AutoCloseable {
    /** Makes every key exist (creating the missing ones with {@code value}); waits until done. */
    void prepare(List<String> keys, byte[] value) throws Exception;

    /**
     * Sends one request without blocking. The future fails if the system reports an error; it may
     * complete on any thread, and the driver issues the next request from there.
     */
    CompletableFuture<?> call(Op op, String key, byte[] value);

    @Override
    void close();
}
