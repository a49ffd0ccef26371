package io.coordinator.jepsen.bench;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.core.api.CreateMode;
import io.coordinator.protocol.message.Consistency;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Coordinator through its own client (one connection, requests pipelined): write is {@code set}
 * with version -1, read a LINEARIZABLE {@code get}, read-local a SERIALIZABLE {@code get}.
 */
final class CoordinatorTarget implements BenchTarget {
    private static final int PREPARE_BATCH = 256;

    private final Coordinator client;

    CoordinatorTarget(String endpoints) {
        this.client = Coordinator.connect(ClientConfig.builder().endpoints(endpoints).requestTimeoutMillis(30_000)
                .pendingRequestsMax(ClientConfig.PENDING_REQUESTS_MAX_LIMIT).build());
    }

    @Override
    public void prepare(List<String> keys, byte[] value) {
        String root = keys.get(0).substring(0, keys.get(0).lastIndexOf('/'));
        if (client.exists(root).isEmpty()) {
            client.create(root, new byte[0], CreateMode.PERSISTENT);
        }
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (String path : keys) {
            creates.add(client.async().exists(path).thenCompose(stat -> stat.isPresent()
                    ? CompletableFuture.completedFuture(null)
                    : client.async().create(path, value, CreateMode.PERSISTENT)));
            if (creates.size() == PREPARE_BATCH) {
                creates.forEach(CompletableFuture::join);
                creates.clear();
            }
        }
        creates.forEach(CompletableFuture::join);
    }

    @Override
    public CompletableFuture<?> call(Op op, String key, byte[] value) {
        return switch (op) {
            case WRITE -> client.async().set(key, value, -1);
            case READ -> client.async().get(key, Consistency.LINEARIZABLE);
            case READ_LOCAL -> client.async().get(key, Consistency.SERIALIZABLE);
        };
    }

    @Override
    public void close() {
        client.close();
    }
}
