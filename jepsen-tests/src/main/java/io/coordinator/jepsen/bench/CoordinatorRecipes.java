package io.coordinator.jepsen.bench;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.DistributedMutex;
import io.coordinator.client.recipes.LeaderElection;
import io.coordinator.client.recipes.Leadership;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Coordinator's own recipes: {@link DistributedMutex} lock()+unlock(), and a handover between two
 * {@link LeaderElection} candidates with their own sessions: the leader resigns, the waiting
 * candidate's campaign completes.
 */
final class CoordinatorRecipes implements RecipeTarget {
    private static final long HANDOVER_TIMEOUT_SECONDS = 30;

    private final Coordinator locker;
    private final Coordinator[] candidates = new Coordinator[2];
    private final DistributedMutex mutex;
    private final LeaderElection[] elections = new LeaderElection[2];
    private Leadership leading;
    private int leader;

    CoordinatorRecipes(String endpoint) throws InterruptedException {
        locker = connect(endpoint);
        mutex = new DistributedMutex(locker, "/bench-recipes/lock");
        for (int i = 0; i < 2; i++) {
            candidates[i] = connect(endpoint);
            elections[i] = new LeaderElection(candidates[i], "/bench-recipes/election");
        }
        leading = elections[0].campaign(name(0));
    }

    private static Coordinator connect(String endpoint) {
        return Coordinator.connect(ClientConfig.builder().endpoints(endpoint).sessionTtlMillis(30_000)
                .requestTimeoutMillis(30_000).build());
    }

    private static byte[] name(int candidate) {
        return ("candidate-" + candidate).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void lockAndUnlock() throws Exception {
        mutex.lock();
        mutex.unlock();
    }

    @Override
    public long handover() throws Exception {
        int next = 1 - leader;
        CompletableFuture<Leadership> waiting = elections[next].campaignAsync(name(next));
        awaitQueued();
        long start = System.nanoTime();
        leading.resign();
        leading = waiting.get(HANDOVER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - start;
        leader = next;
        return nanos;
    }

    /** Until the second candidate's node is in the election: a handover, not a campaign, is timed. */
    private void awaitQueued() throws InterruptedException {
        for (int i = 0; i < 3_000; i++) {
            if (locker.children("/bench-recipes/election").names().size() == 2) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        throw new IllegalStateException("the second candidate never joined the election");
    }

    @Override
    public String describe() {
        return "coordinator-client recipes: DistributedMutex lock()+unlock(); LeaderElection resign() -> campaignAsync() completes";
    }

    @Override
    public void close() {
        for (Coordinator client : candidates) {
            client.close();
        }
        locker.close();
    }
}
