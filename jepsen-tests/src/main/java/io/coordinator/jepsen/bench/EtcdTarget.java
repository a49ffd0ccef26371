package io.coordinator.jepsen.bench;

import io.coordinator.jepsen.baseline.EtcdHttp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * etcd through its HTTP/JSON gateway (see {@link EtcdHttp}): write is a put, read a range (etcd's
 * default, linearizable through ReadIndex), read-local a range with {@code serializable: true}.
 * Keys and the value are base64-encoded once, in {@link #prepare}: every write sends the value
 * given there (the driver writes one value throughout).
 */
final class EtcdTarget implements BenchTarget {
    private static final int PREPARE_BATCH = 64;

    private final EtcdHttp http;
    private final Map<String, String> keysBase64 = new HashMap<>();
    private String valueBase64;

    EtcdTarget(String clientUrl) {
        this.http = new EtcdHttp(clientUrl, Duration.ofSeconds(30));
    }

    @Override
    public void prepare(List<String> keys, byte[] value) {
        valueBase64 = EtcdHttp.base64(value);
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        for (String key : keys) {
            String keyBase64 = EtcdHttp.base64(key.getBytes(StandardCharsets.UTF_8));
            keysBase64.put(key, keyBase64);
            puts.add(http.putBase64(keyBase64, valueBase64));
            if (puts.size() == PREPARE_BATCH) {
                puts.forEach(CompletableFuture::join);
                puts.clear();
            }
        }
        puts.forEach(CompletableFuture::join);
    }

    @Override
    public CompletableFuture<?> call(Op op, String key, byte[] value) {
        String keyBase64 = keysBase64.get(key);
        return switch (op) {
            case WRITE -> http.putBase64(keyBase64, valueBase64);
            case READ -> http.getBase64(keyBase64, false);
            case READ_LOCAL -> http.getBase64(keyBase64, true);
        };
    }

    @Override
    public void close() {
        http.close();
    }
}
