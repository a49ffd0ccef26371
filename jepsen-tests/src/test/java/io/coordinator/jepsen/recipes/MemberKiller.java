package io.coordinator.jepsen.recipes;

import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The nemesis of the recipe tests: every {@code period} it SIGKILLs one member (the leader every
 * other time, else one chosen by a seeded random), keeps it down for {@code downtime}, restarts it and waits until it answers again, so that
 * never more than one member is down and a majority always remains. It runs until closed; closing
 * restarts a member it left down and waits for a leader.
 */
final class MemberKiller implements AutoCloseable {
    private static final Duration MEMBER_BACK_TIMEOUT = Duration.ofSeconds(60);

    private final ProcessCluster cluster;
    private final ClusterView view;
    private final Duration period;
    private final Duration downtime;
    private final Random random;
    private final List<String> timeline = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    MemberKiller(ProcessCluster cluster, Duration period, Duration downtime, long seed) {
        this.cluster = cluster;
        this.view = new ClusterView(cluster);
        this.period = period;
        this.downtime = downtime;
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "member-killer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long started = System.nanoTime();
        while (running) {
            if (!sleep(period)) {
                return;
            }
            String victim = kills() % 2 == 0 ? leader() : randomMember();
            cluster.kill(victim);
            record(started, "killed " + victim);
            sleep(downtime);
            cluster.startMember(victim);
            record(started, "restarted " + victim);
            awaitServing(victim);
            record(started, victim + " serves again");
        }
    }

    private String randomMember() {
        List<String> ids = cluster.memberIds();
        return ids.get(random.nextInt(ids.size()));
    }

    /** The member that says it leads, or a random one when none answers in time. */
    private String leader() {
        try {
            return view.awaitLeader(Duration.ofSeconds(10)).self().memberId();
        } catch (RuntimeException noLeaderYet) {
            return randomMember();
        }
    }

    private void awaitServing(String memberId) {
        long deadline = System.nanoTime() + MEMBER_BACK_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && view.status(memberId).isEmpty()) {
            if (!sleep(Duration.ofMillis(200)) && !running) {
                return;
            }
        }
    }

    private synchronized void record(long started, String event) {
        timeline.add(String.format("%6.2fs %s", (System.nanoTime() - started) / 1e9, event));
    }

    /** What it did, one line per event with the seconds since it started. */
    synchronized List<String> timeline() {
        return List.copyOf(timeline);
    }

    synchronized int kills() {
        return (int) timeline.stream().filter(line -> line.contains("killed")).count();
    }

    private static boolean sleep(Duration duration) {
        try {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(MEMBER_BACK_TIMEOUT.toMillis());
        for (String id : cluster.memberIds()) {
            if (!cluster.isRunning(id)) {
                cluster.startMember(id);
            }
        }
        view.awaitLeader(MEMBER_BACK_TIMEOUT);
    }
}
