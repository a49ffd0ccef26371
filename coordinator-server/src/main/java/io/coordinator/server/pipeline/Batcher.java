package io.coordinator.server.pipeline;

import io.coordinator.server.state.LogBatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Packs queued items into batches and keeps at most {@code inFlightMax} batches outstanding.
 *
 * <p>There is no timer: a batch leaves as soon as a slot is free, so an idle pipeline adds no wait,
 * and under load requests pile up while earlier batches are in flight and leave together. That is
 * what lets throughput grow with concurrency although the log's cost is per entry.
 */
final class Batcher {
    private final Function<byte[], CompletableFuture<byte[]>> sink;
    private final int inFlightMax;
    private final int requestsMax;
    private final int bytesMax;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param sink sends one encoded batch and completes with the encoded batch of replies, in order
     */
    Batcher(Function<byte[], CompletableFuture<byte[]>> sink, int inFlightMax, int requestsMax, int bytesMax) {
        this.sink = sink;
        this.inFlightMax = inFlightMax;
        this.requestsMax = requestsMax;
        this.bytesMax = bytesMax;
    }

    /** Completes with the reply payload for {@code item}, or exceptionally with the batch's failure. */
    CompletableFuture<byte[]> submit(LogBatch.Item item) {
        Pending pending = new Pending(item, new CompletableFuture<>());
        synchronized (this) {
            queue.add(pending);
        }
        drain();
        return pending.reply;
    }

    synchronized int queued() {
        return queue.size();
    }

    private void drain() {
        while (true) {
            List<Pending> batch;
            synchronized (this) {
                if (inFlight >= inFlightMax || queue.isEmpty()) {
                    return;
                }
                batch = takeBatch();
                inFlight++;
            }
            send(batch);
        }
    }

    private List<Pending> takeBatch() {
        List<Pending> batch = new ArrayList<>();
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < requestsMax) {
            Pending next = queue.peek();
            int size = next.item.payload().length;
            if (!batch.isEmpty() && bytes + size > bytesMax) {
                break;
            }
            bytes += size;
            batch.add(queue.poll());
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        List<LogBatch.Item> items = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            items.add(pending.item);
        }
        CompletableFuture<byte[]> sent;
        try {
            sent = sink.apply(LogBatch.encode(items));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((replies, failure) -> {
            synchronized (this) {
                inFlight--;
            }
            complete(batch, replies, failure);
            drain();
        });
    }

    private static void complete(List<Pending> batch, byte[] replies, Throwable failure) {
        if (failure != null) {
            batch.forEach(pending -> pending.reply.completeExceptionally(failure));
            return;
        }
        List<byte[]> decoded;
        try {
            decoded = LogBatch.decodeReplies(replies);
        } catch (IllegalArgumentException e) {
            batch.forEach(pending -> pending.reply.completeExceptionally(e));
            return;
        }
        if (decoded.size() != batch.size()) {
            IllegalStateException mismatch = new IllegalStateException(
                    "batch of " + batch.size() + " got " + decoded.size() + " replies");
            batch.forEach(pending -> pending.reply.completeExceptionally(mismatch));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).reply.complete(decoded.get(i));
        }
    }

    private record Pending(LogBatch.Item item, CompletableFuture<byte[]> reply) {
    }
}
