package io.coordinator.server.consensus.atomix;

import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.impl.RaftServiceManager;
import io.atomix.protocols.raft.storage.snapshot.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Takes a snapshot now and compacts the log up to it.
 *
 * <p>Atomix's public {@code RaftServer.compact()} takes the snapshot at once but completes it, and
 * only then compacts, after a fixed 10 s delay (more under load): 14-23 s in practice. The delay
 * exists so that session events are acknowledged before the entries that produced them go; this
 * adapter publishes no session events. So this class does the same three steps without the wait:
 * snapshot the services on the state thread (through Atomix's package-private
 * {@code RaftServiceManager.snapshot()}, reached by reflection), persist and complete the snapshot,
 * then compact the log on the Raft thread. If that method is missing, or calling it fails for want
 * of access, it falls back to {@code RaftContext.compact()}, the delayed one: a fast path
 * ({@link #FAST_PATH}) that says whether it works through {@link #active()}, exported by the member
 * as {@code coordinator_fast_path_active{path="compactor"}}.
 *
 * <p>Safe alongside Atomix's own periodic snapshots: the snapshot store keeps the newest completed
 * snapshot and deletes older ones, and compacting to an older index afterwards is a no-op.
 */
final class Compactor {
    static final String FAST_PATH = "compactor";
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);
    private static final Method SNAPSHOT_SERVICES = findSnapshotMethod();

    private final String memberId;
    private final LongSupplier failedBackups;
    private final Method snapshotServices;
    private final AtomicReference<CompletableFuture<Long>> running = new AtomicReference<>();
    private volatile boolean broken;

    /** @param failedBackups how many snapshots the state machine failed to write so far */
    Compactor(String memberId, LongSupplier failedBackups) {
        this(memberId, failedBackups, SNAPSHOT_SERVICES);
    }

    /** @param snapshotServices Atomix's {@code RaftServiceManager.snapshot()}, accessible; null: inactive */
    Compactor(String memberId, LongSupplier failedBackups, Method snapshotServices) {
        this.memberId = memberId;
        this.failedBackups = failedBackups;
        this.snapshotServices = snapshotServices;
        this.broken = snapshotServices == null;
    }

    /**
     * True while compaction snapshots at once: the method was found and no call to it has failed
     * for want of access. False means every compaction takes Atomix's delayed way, for good.
     */
    boolean active() {
        return !broken;
    }

    /** Completes with the index of the snapshot the log was compacted to. One compaction at a time. */
    CompletableFuture<Long> compact(RaftContext raft) {
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> current = running.compareAndExchange(null, mine);
        if (current != null) {
            return current;
        }
        mine.whenComplete((index, error) -> running.compareAndSet(mine, null));
        if (broken) {
            compactTheSlowWay(raft, mine);
            return mine;
        }
        RaftServiceManager services = raft.getServiceManager();
        try {
            services.executor().execute(() -> snapshotThenCompact(raft, services, mine));
        } catch (RejectedExecutionException e) {
            mine.completeExceptionally(e);
        }
        return mine;
    }

    /** On the state thread: the services are quiescent between two applies. */
    private void snapshotThenCompact(RaftContext raft, RaftServiceManager services, CompletableFuture<Long> done) {
        long index;
        try {
            long failedBefore = failedBackups.getAsLong();
            Snapshot taken;
            try {
                taken = (Snapshot) snapshotServices.invoke(services);
            } catch (IllegalAccessException | IllegalArgumentException | ClassCastException e) {
                // The library no longer lets us in this way: nothing was snapshotted.
                broken = true;
                log.warn("member={} cannot call RaftServiceManager.snapshot() ({}): compaction falls back to Atomix's "
                        + "delayed one from now on", memberId, e.toString());
                compactTheSlowWay(raft, done);
                return;
            }
            if (failedBackups.getAsLong() != failedBefore) {
                taken.close();
                done.completeExceptionally(new IllegalStateException("the state machine failed to write its snapshot"));
                return;
            }
            Snapshot persisted = taken.persist();
            persisted.complete();
            if (persisted != taken) {
                taken.close();
            }
            index = persisted.index();
        } catch (InvocationTargetException e) {
            done.completeExceptionally(e.getCause());
            return;
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return;
        }
        try {
            raft.getThreadContext().execute(() -> {
                try {
                    raft.getLog().compact(index);
                    log.info("member={} term={} snapshot at index {} taken, log compacted", memberId, raft.getTerm(), index);
                    done.complete(index);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
    }

    /** Atomix's public way: snapshot now, compact some 10-20 s later. */
    private static void compactTheSlowWay(RaftContext raft, CompletableFuture<Long> done) {
        raft.compact().whenComplete((ignored, error) -> complete(done, raft.getLastApplied(), error));
    }

    private static void complete(CompletableFuture<Long> future, long index, Throwable error) {
        if (error == null) {
            future.complete(index);
        } else {
            future.completeExceptionally(error);
        }
    }

    private static Method findSnapshotMethod() {
        try {
            Method method = RaftServiceManager.class.getDeclaredMethod("snapshot");
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException | RuntimeException e) {
            log.warn("RaftServiceManager.snapshot() not available; compaction falls back to Atomix's delayed one", e);
            return null;
        }
    }
}
