package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.harness.HistoryRecorder.Type;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The register workload against etcd, over its JSON gateway ({@link EtcdCalls}); registers are keys
 * {@code /harness/r/k0}, ...:
 * <ul>
 *   <li>read: {@code range}, linearizable by default in etcd (a ReadIndex round through the leader);
 *       with serializable reads, {@code serializable: true}, answered from the member's own state. A
 *       missing key is an {@code ok} read of null; an error a {@code fail} (a read changes nothing).</li>
 *   <li>write: {@code put}.</li>
 *   <li>cas {@code [a, b]}: a txn {@code if value == a then put b}; a compare that did not hold is a
 *       {@code fail} (the txn saw another value, or none, and changed nothing).</li>
 * </ul>
 * A write whose request reached no member (connection refused) is a {@code fail}; any other error (a
 * timeout, an error answer such as "request timed out" or "leader changed") is {@code info}: etcd may
 * have applied it. A cas that fails in any such way is {@code info} even unsent: a cas {@code fail}
 * tells the checker that the register held another value ({@code RegisterModel}), which only the txn's
 * compare can say; an {@code info} cas may be placed last, the same as never happening.
 */
final class EtcdRegisterWorkload extends BaselineRegisterWorkload {
    /** A little over the HTTP request timeout, so the request's own timeout is what fires. */
    private static final Duration CALL_BOUND = Duration.ofMillis(RegisterWorkload.REQUEST_TIMEOUT_MILLIS + 500);

    private final List<String> endpoints;
    private final boolean linearizableReads;
    private final List<EtcdCalls> calls = new ArrayList<>();

    EtcdRegisterWorkload(List<String> endpoints, boolean linearizableReads, int clients, int keys, long seed,
                         HistoryRecorder recorder) {
        super(clients, keys, seed, recorder);
        this.endpoints = List.copyOf(endpoints);
        this.linearizableReads = linearizableReads;
    }

    /** Nothing to create: a key exists once written. */
    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < clients(); i++) {
            calls.add(new EtcdCalls(endpoints, i, i < endpoints.size(), Duration.ofMillis(RegisterWorkload.REQUEST_TIMEOUT_MILLIS)));
        }
    }

    @Override
    Read read(int client, String key) {
        EtcdCalls c = calls.get(client);
        try {
            Optional<byte[]> value = c.await(c.member().range(key(key), !linearizableReads), CALL_BOUND);
            return Read.ok(value.map(EtcdRegisterWorkload::value).orElse(null));
        } catch (EtcdCalls.CallFailed e) {
            return Read.failed();
        }
    }

    @Override
    Type write(int client, String key, long value) {
        EtcdCalls c = calls.get(client);
        try {
            c.await(c.member().put(key(key), bytes(value)), CALL_BOUND);
            return Type.OK;
        } catch (EtcdCalls.CallFailed e) {
            return e.sent() ? Type.INFO : Type.FAIL;
        }
    }

    @Override
    Type cas(int client, String key, long expected, long value) {
        EtcdCalls c = calls.get(client);
        try {
            return c.await(c.member().putIfValue(key(key), bytes(expected), bytes(value)), CALL_BOUND) ? Type.OK : Type.FAIL;
        } catch (EtcdCalls.CallFailed e) {
            return Type.INFO;
        }
    }

    private static byte[] key(String key) {
        return RegisterWorkload.path(key).getBytes(StandardCharsets.UTF_8);
    }

    private static Long value(byte[] data) {
        return Long.parseLong(new String(data, StandardCharsets.UTF_8));
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        super.close();
        calls.forEach(EtcdCalls::close);
    }
}
