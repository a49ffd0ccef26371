package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.baseline.EtcdHttp;
import io.coordinator.jepsen.harness.HistoryRecorder.Type;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lock workload against etcd's lock service ({@code /v3/lock/lock}) over its JSON gateway, each
 * acquire with a new lease of {@link #LEASE_TTL_SECONDS} that nobody keeps alive (a hold lasts at most
 * {@link LockWorkload#HOLD_MILLIS_MAX} ms; a holder that stalls longer than its lease loses the lock):
 * <ul>
 *   <li>acquire: grant a lease, then lock with it; the lock call waits up to the request timeout.
 *       {@code ok} with the lock answer's header revision as the token (the store's revision when this
 *       holder became owner, after every earlier holder's key was deleted: it grows from grant to
 *       grant). A timeout or error answer is {@code info} (the lock may have been granted as the call
 *       gave up); a refused connection, or a lease that could not be granted, is {@code fail}. The lease
 *       is revoked after any acquire that did not return {@code ok}, so that no stray key blocks others.</li>
 *   <li>the write to {@link LockWorkload#DATA}: a plain {@code put}, and the in-process resource accepts
 *       every write: the lock is used as etcd's lock API offers it, with no fencing. (A careful user
 *       would fence: a txn comparing the lock key's create revision, or a resource checking the token;
 *       the Coordinator and ZooKeeper runs do.)</li>
 *   <li>release: {@code deleterange} of the lock key, which is all {@code /v3/lock/unlock} does, but
 *       whose answer says whether the key was still there: {@code ok} only then (the lease, so the grant,
 *       was alive); then the lease is revoked.</li>
 *   <li>an abandoned grant: the holder stalls {@link #LEASE_TTL_SECONDS} + 1 s without renewing, as a
 *       process paused by its garbage collector; etcd expires the lease and hands the lock on; then the
 *       holder still writes. Without a fence, the resource should show two holders interleaved.</li>
 * </ul>
 */
final class EtcdLockWorkload extends BaselineLockWorkload {
    /** etcd's least lease is 1.5 s with its default election timeout; 3 s as the Coordinator lock's sessions. */
    static final long LEASE_TTL_SECONDS = 3;
    private static final byte[] LOCK_NAME = LockWorkload.LOCK.getBytes(StandardCharsets.UTF_8);
    private static final byte[] DATA = LockWorkload.DATA.getBytes(StandardCharsets.UTF_8);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(RegisterWorkload.REQUEST_TIMEOUT_MILLIS);
    private static final Duration CALL_BOUND = REQUEST_TIMEOUT.plusMillis(500);

    private record EtcdGrant(long token, byte[] key, long lease) implements Grant {
    }

    private final List<String> endpoints;
    private final List<EtcdCalls> calls = new ArrayList<>();

    EtcdLockWorkload(List<String> endpoints, int clients, long seed, HistoryRecorder recorder) {
        super(clients, seed, false, recorder);
        this.endpoints = List.copyOf(endpoints);
    }

    /** Every client roams, as the Coordinator lock's clients do. */
    @Override
    public void setUp(Duration timeout) {
        for (int i = 0; i < clients(); i++) {
            calls.add(new EtcdCalls(endpoints, i, false, REQUEST_TIMEOUT));
        }
    }

    @Override
    Acquire acquire(int client) {
        EtcdCalls c = calls.get(client);
        long lease;
        try {
            lease = c.await(c.member().grantLease(LEASE_TTL_SECONDS), CALL_BOUND);
        } catch (EtcdCalls.CallFailed e) {
            return Acquire.not(Type.FAIL, "no lease");
        }
        try {
            EtcdHttp.Held held = c.await(c.member().lock(LOCK_NAME, lease), CALL_BOUND);
            return Acquire.ok(new EtcdGrant(held.revision(), held.key(), lease));
        } catch (EtcdCalls.CallFailed e) {
            revoke(c, lease);
            return e.sent() ? Acquire.not(Type.INFO, "lock call timed out or failed") : Acquire.not(Type.FAIL, "connection refused");
        }
    }

    @Override
    void writeData(int client, Grant grant, long grantNumber, boolean late) {
        EtcdCalls c = calls.get(client);
        try {
            c.await(c.member().put(DATA, Long.toString(grantNumber).getBytes(StandardCharsets.UTF_8)), CALL_BOUND);
            count(late ? "late unfenced write applied" : "unfenced write ok");
        } catch (EtcdCalls.CallFailed e) {
            count("unfenced write unknown");
        }
    }

    @Override
    boolean release(int client, Grant grant) {
        EtcdCalls c = calls.get(client);
        EtcdGrant g = (EtcdGrant) grant;
        boolean confirmed;
        try {
            confirmed = c.await(c.member().delete(g.key()), CALL_BOUND);
        } catch (EtcdCalls.CallFailed e) {
            confirmed = false;
        }
        revoke(c, g.lease());
        return confirmed;
    }

    private void revoke(EtcdCalls c, long lease) {
        try {
            c.await(c.member().revokeLease(lease), CALL_BOUND);
        } catch (EtcdCalls.CallFailed e) {
            count("lease revoke failed (it expires on its own)");
        }
    }

    @Override
    void endWithoutRelease(int client, Grant grant) throws InterruptedException {
        TimeUnit.SECONDS.sleep(LEASE_TTL_SECONDS + 1);
    }

    @Override
    String tokenMeaning() {
        return "the lock answer's header revision (not checked by anything); DATA written by a plain put";
    }

    @Override
    public void close() {
        super.close();
        calls.forEach(EtcdCalls::close);
    }
}
