package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.baseline.EtcdHttp;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The harness's etcd clients: one {@link EtcdHttp} (the JSON gateway; the harness has no gRPC client)
 * per harness client and member, each request bounded by {@link RegisterWorkload}'s 2.5 s. A pinned
 * client stays with member {@code i}, as Jepsen's clients with their nodes; the others start at member
 * {@code i % members} and move to the next one when a call fails them.
 */
final class EtcdCalls implements AutoCloseable {
    /** A call that did not answer: {@code sent} false only when no connection was made, so nothing reached etcd. */
    static final class CallFailed extends Exception {
        private final boolean sent;

        CallFailed(Throwable cause, boolean sent) {
            super(cause);
            this.sent = sent;
        }

        /** False when etcd certainly never saw the request. */
        boolean sent() {
            return sent;
        }
    }

    private final List<EtcdHttp> members = new ArrayList<>();
    private final boolean pinned;
    private int current;

    /** @param pinned stay with member {@code index} whatever happens, else start there and move on failures */
    EtcdCalls(List<String> endpoints, int index, boolean pinned, Duration requestTimeout) {
        for (String url : endpoints) {
            members.add(new EtcdHttp(url, requestTimeout));
        }
        this.pinned = pinned;
        this.current = index % endpoints.size();
    }

    /** The member this client asks now. */
    EtcdHttp member() {
        return members.get(current);
    }

    /** Waits for the call, bounded; a roaming client moves on to the next member when it fails. */
    <T> T await(CompletableFuture<T> call, Duration bound) throws CallFailed {
        try {
            return call.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            moveOn();
            // Refused, or no connection within the connect timeout: the request was never written.
            boolean sent = !(e.getCause() instanceof ConnectException || e.getCause() instanceof java.net.http.HttpConnectTimeoutException);
            throw new CallFailed(e.getCause(), sent);
        } catch (TimeoutException e) {
            call.cancel(true);
            moveOn();
            throw new CallFailed(e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed(e, true);
        }
    }

    private void moveOn() {
        if (!pinned) {
            current = (current + 1) % members.size();
        }
    }

    @Override
    public void close() {
        members.forEach(EtcdHttp::close);
    }
}
