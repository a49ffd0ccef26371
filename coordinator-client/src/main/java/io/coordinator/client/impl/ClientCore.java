package io.coordinator.client.impl;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.client.MemberInfo;
import io.coordinator.client.SessionInfo;
import io.coordinator.client.SessionState;
import io.coordinator.client.SessionStateListener;
import io.coordinator.client.watch.WatchCompactedException;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's machinery behind {@code Coordinator}: transport, connector, admission and retries,
 * session. Its futures complete on the I/O thread; {@link #deliver} moves a result to the callback
 * executor before user code sees it.
 */
public final class ClientCore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientCore.class);
    /** Callback threads of the client's own pool. */
    private static final int CALLBACK_THREADS = 2;

    private final ClientConfig config;
    private final Transport transport;
    private final Connector connector;
    private final Invoker invoker;
    private final StateTracker states;
    private final SessionKeeper sessions;
    private final WatchRegistry watches;
    private final Executor callbacks;
    private final ExecutorService ownCallbacks;
    private volatile boolean closed;

    private ClientCore(ClientConfig config) {
        this.config = config;
        if (config.callbackExecutor() == null) {
            AtomicInteger n = new AtomicInteger();
            this.ownCallbacks = Executors.newFixedThreadPool(CALLBACK_THREADS, r -> {
                Thread t = new Thread(r, "coordinator-client-callback-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.callbacks = ownCallbacks;
        } else {
            this.ownCallbacks = null;
            this.callbacks = config.callbackExecutor();
        }
        this.transport = new Transport(config.frameBytesMax(), config.connectTimeoutMillis());
        this.states = new StateTracker(callbacks);
        int start = config.shuffleEndpoints() ? ThreadLocalRandom.current().nextInt(config.endpoints().size()) : 0;
        Connector.Listener listener = new Connector.Listener() {
            @Override
            public void connected(Connection connection) {
                onConnected();
                watches.connectionUp();
            }

            @Override
            public void left(Connection connection) {
                // The session follows the client's current connection: it moves now.
                onDisconnected();
            }

            @Override
            public void closed(Connection connection) {
                // Watches live on their connection: they move once it is really gone.
                watches.connectionLost(connection);
            }
        };
        // A call in flight on a connection the client leaves ends at its attempt timeout at the latest.
        this.connector = new Connector(transport, config.endpoints(), start, config.attemptTimeoutMillis(), listener);
        Backoff backoff = new Backoff(config.retryBackoffMillis(), config.retryBackoffMillisMax(), new Random());
        this.invoker = new Invoker(config, transport, connector, backoff);
        this.watches = new WatchRegistry(config, invoker, callbacks);
        this.sessions = config.openSession()
                ? new SessionKeeper(invoker, states, config.sessionTtlMillis(), config.requestTimeoutMillis())
                : null;
    }

    /**
     * Starts a client. With sessions on, it returns once the first session is open and fails with a
     * {@link CoordinatorException} when no member grants one within the request timeout; without,
     * it connects lazily on the first call.
     */
    public static ClientCore start(ClientConfig config) {
        ClientCore core = new ClientCore(config);
        if (core.sessions != null) {
            try {
                core.await(core.sessions.current());
            } catch (RuntimeException e) {
                core.closeQuietly();
                throw e;
            }
        }
        return core;
    }

    private void onDisconnected() {
        if (sessions != null) {
            sessions.connectionLost();
        } else {
            states.connectionLost();
        }
    }

    private void onConnected() {
        if (sessions != null) {
            sessions.connectionUp();
        } else {
            states.connectionUp();
        }
    }

    public ClientConfig config() {
        return config;
    }

    /** A read (or a read-only txn): retried wherever and whenever it is needed. */
    public CompletableFuture<ServerMessage.Reply> read(Command.ClientCommand command, Consistency consistency) {
        if (command.isWrite()) {
            throw new IllegalArgumentException(command.getClass().getSimpleName() + " is a write");
        }
        Call call = invoker.create(command, consistency, Call.Safety.IDEMPOTENT, config.requestTimeoutMillis());
        invoker.admit(call);
        return replyOf(call);
    }

    /** A write, stamped with the session and its next sequence when sessions are on. */
    public CompletableFuture<ServerMessage.Reply> write(Command.ClientCommand command) {
        if (!command.isWrite()) {
            return read(command, Consistency.LINEARIZABLE);
        }
        if (sessions == null) {
            Call call = invoker.create(command, Consistency.LINEARIZABLE, Call.Safety.UNSEQUENCED,
                    config.requestTimeoutMillis());
            invoker.admit(call);
            return replyOf(call);
        }
        Call call = invoker.create(command, Consistency.LINEARIZABLE, Call.Safety.SEQUENCED, config.requestTimeoutMillis());
        sessions.current().whenComplete((session, error) -> {
            if (error != null) {
                CoordinatorException e = unwrap(error);
                call.abort(e.code(), "no session: " + e.detail());
            } else {
                call.session = session;
                invoker.admit(call);
            }
        });
        return replyOf(call);
    }

    private static CompletableFuture<ServerMessage.Reply> replyOf(Call call) {
        return call.result.thenApply(answer -> {
            if (answer.message() instanceof ServerMessage.Reply reply) {
                return reply;
            }
            throw CoordinatorException.of(ErrorCode.MALFORMED, "expected a reply, got " + answer.message());
        });
    }

    /** Status of whichever member the client reaches. */
    public CompletableFuture<MemberInfo> status() {
        Call call = invoker.create(null, Consistency.LINEARIZABLE, Call.Safety.IDEMPOTENT, config.requestTimeoutMillis());
        invoker.admit(call);
        return call.result.thenApply(ClientCore::memberInfo);
    }

    /**
     * Status of one given member, over a connection of its own (the member need not be one of the
     * configured endpoints); no retry elsewhere.
     */
    public CompletableFuture<MemberInfo> status(Endpoint endpoint) {
        CompletableFuture<MemberInfo> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(CoordinatorException.of(ErrorCode.UNAVAILABLE, "client is closed"));
            return result;
        }
        long timeout = config.requestTimeoutMillis();
        ScheduledFuture<?> timer = transport.schedule(() -> result.completeExceptionally(CoordinatorException.of(
                ErrorCode.TIMEOUT, "no status from " + endpoint + " within " + timeout + " ms")), timeout);
        transport.connect(endpoint).whenComplete((connection, error) -> {
            if (error != null) {
                result.completeExceptionally(CoordinatorException.of(ErrorCode.UNAVAILABLE,
                        "cannot connect to " + endpoint + ": " + rootMessage(error)));
                return;
            }
            result.whenComplete((v, e) -> connection.close());
            connection.send(invoker.nextRequestId(), Codec.smile().encode(new ClientMessage.StatusQuery()))
                    .whenComplete((message, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(CoordinatorException.of(ErrorCode.UNAVAILABLE, rootMessage(failure)));
                        } else if (message instanceof ServerMessage.StatusReply reply) {
                            result.complete(new MemberInfo(endpoint, reply.self(), reply.members()));
                        } else if (message instanceof ServerMessage.ProtocolError e) {
                            result.completeExceptionally(CoordinatorException.of(e.code(), e.message()));
                        } else {
                            result.completeExceptionally(CoordinatorException.of(ErrorCode.MALFORMED,
                                    "expected a status reply, got " + message));
                        }
                    });
        });
        result.whenComplete((v, e) -> timer.cancel(false));
        return result;
    }

    private static MemberInfo memberInfo(Answer answer) {
        if (answer.message() instanceof ServerMessage.StatusReply reply) {
            return new MemberInfo(answer.endpoint(), reply.self(), reply.members());
        }
        throw CoordinatorException.of(ErrorCode.MALFORMED, "expected a status reply, got " + answer.message());
    }

    /** The same outcome, completed on the callback executor (so user callbacks never run on I/O). */
    public <T> CompletableFuture<T> deliver(CompletableFuture<T> internal) {
        CompletableFuture<T> out = new CompletableFuture<>();
        internal.whenComplete((value, error) -> {
            Runnable complete = () -> {
                if (error != null) {
                    out.completeExceptionally(unwrap(error));
                } else {
                    out.complete(value);
                }
            };
            try {
                callbacks.execute(complete);
            } catch (RejectedExecutionException e) {
                complete.run();
            }
        });
        return out;
    }

    /**
     * Waits for an internal future, bounded: the call's own deadline ends it first, the bound here
     * only guards against a bug. Must not run on the I/O thread, which would deadlock.
     */
    public <T> T await(CompletableFuture<T> future) {
        if (transport.inIoThread()) {
            throw new IllegalStateException("a blocking Coordinator call on the client's I/O thread would deadlock");
        }
        long boundMillis = 2 * config.requestTimeoutMillis() + 5_000;
        try {
            return future.get(boundMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // A fresh exception carries the caller's stack; the original, from the I/O thread, is its cause.
            CoordinatorException cause = unwrap(e.getCause());
            if (cause instanceof WatchCompactedException compacted) {
                throw new WatchCompactedException(compacted.detail(), compacted.oldestRevision(), compacted);
            }
            throw CoordinatorException.of(cause.code(), cause.detail(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CoordinatorException.of(ErrorCode.TIMEOUT, "interrupted while waiting (outcome unknown)");
        } catch (TimeoutException e) {
            throw CoordinatorException.of(ErrorCode.TIMEOUT, "no outcome within " + boundMillis + " ms");
        }
    }

    /** Any failure as a CoordinatorException: ours pass through, anything else is a client bug. */
    public static CoordinatorException unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof CoordinatorException ce) {
            return ce;
        }
        return new CoordinatorException(ErrorCode.MALFORMED, "client failure: " + e, e);
    }

    public long revisionSeen() {
        return invoker.revisionSeen();
    }

    /**
     * Opens a session that this client neither keeps alive nor closes: a lease for the caller to
     * manage, or to hand to another process. Retried like the client's own open, so a lost answer may
     * leave an unused session behind, which expires after its TTL.
     */
    public CompletableFuture<Response.SessionOpened> grantSession(long ttlMillis) {
        Call call = invoker.create(new Command.OpenSession(ttlMillis, 0), Consistency.LINEARIZABLE,
                Call.Safety.IDEMPOTENT, config.requestTimeoutMillis());
        invoker.admit(call);
        return replyOf(call).thenApply(reply -> {
            if (reply.response() instanceof Response.SessionOpened opened) {
                return opened;
            }
            throw CoordinatorException.of(ErrorCode.MALFORMED, "OpenSession was answered with " + reply.response());
        });
    }

    /**
     * Runs KeepAlive or CloseSession of a session given by id and secret (not the client's own): the
     * session is attached to the connection first, which proves the secret.
     */
    public CompletableFuture<ServerMessage.Reply> forSession(long sessionId, long secret, Command.ClientCommand command) {
        if (!(command instanceof Command.KeepAlive || command instanceof Command.CloseSession)) {
            throw new IllegalArgumentException("only KeepAlive and CloseSession act for a session, not " + command);
        }
        Call call = invoker.create(command, Consistency.LINEARIZABLE, Call.Safety.IDEMPOTENT, config.requestTimeoutMillis());
        call.session = new Session(sessionId, secret, 0);
        invoker.admit(call);
        return replyOf(call);
    }

    public Optional<SessionInfo> session() {
        if (sessions == null) {
            return Optional.empty();
        }
        Session s = sessions.openSession();
        return s == null ? Optional.empty() : Optional.of(new SessionInfo(s.id, s.ttlMillis));
    }

    public SessionState state() {
        return states.state();
    }

    public void addStateListener(SessionStateListener listener) {
        states.addListener(listener);
    }

    public void removeStateListener(SessionStateListener listener) {
        states.removeListener(listener);
    }

    /** The client's watches: start them here; they follow the client from member to member. */
    public WatchRegistry watches() {
        return watches;
    }

    /** Calls admitted and not yet finished (for tests and metrics). */
    public int runningCalls() {
        return invoker.runningCount();
    }

    /**
     * Closes the session on the cluster (bounded by the request timeout), then fails whatever is still
     * pending and releases the threads. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (sessions != null) {
            try {
                sessions.close().get(config.requestTimeoutMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("session close did not finish: {}", e.toString());
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        closed = true;
        watches.close();
        invoker.close();
        connector.close();
        transport.close();
        if (ownCallbacks != null) {
            // Queued deliveries still run; the threads are daemons, so nothing waits for them.
            ownCallbacks.shutdown();
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
