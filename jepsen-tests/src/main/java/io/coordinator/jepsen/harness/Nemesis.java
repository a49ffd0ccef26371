package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.cluster.FaultTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Injects one fault at a time into a {@link FaultTarget} (Coordinator, ZooKeeper or etcd members) whose links can be cut, on a schedule drawn
 * from a seeded {@link Random}: a quiet spell of {@code quiet}, then a fault chosen among the enabled
 * ones held for {@code hold}, then its heal, and again, until {@link #close()}. One fault at a time, each
 * healed before the next, so a majority is always back between faults. The seed fixes the schedule
 * (which fault, how long, which member when the choice is random); the member a fault hits can still
 * differ between runs, because "the leader" is whoever leads at that moment.
 *
 * <p>Every action is recorded in {@link #timeline()} with the milliseconds since the run began.
 * {@link #close()} stops the schedule and heals whatever is in effect: partitions healed, a paused
 * member continued, a killed member restarted.
 */
public final class Nemesis implements AutoCloseable {
    /** A kind of fault; the names are the {@code --nemesis} words. */
    public enum Fault {
        /**
         * Cut links in one of {@link PartitionShapes}' shapes: isolate the leader or a member, a
         * minority from a majority, a bridge, one-way drops to or from the leader, a majorities ring.
         */
        PARTITION,
        /** SIGKILL one member (the leader or a random one), and restart it at the heal. */
        KILL,
        /** SIGSTOP the leader, SIGCONT it at the heal. */
        PAUSE,
        /**
         * Move one member's wall clock (the leader or a random one) by seconds to minutes, either way,
         * and back at the heal; needs libfaketime ({@link io.coordinator.jepsen.cluster.ClockSkew}).
         */
        CLOCK;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses {@code partition,kill,pause}, {@code all} (every fault) or {@code none} (no fault).
         *
         * @throws IllegalArgumentException naming what is known
         */
        public static Set<Fault> parse(String text) {
            Set<Fault> faults = EnumSet.noneOf(Fault.class);
            for (String word : text.split(",")) {
                String w = word.trim().toLowerCase(Locale.ROOT);
                switch (w) {
                    case "all" -> faults.addAll(EnumSet.allOf(Fault.class));
                    case "none" -> {
                    }
                    default -> {
                        try {
                            faults.add(Fault.valueOf(w.toUpperCase(Locale.ROOT)));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("unknown nemesis '" + w + "'; known: partition, kill, pause, clock, all, none");
                        }
                    }
                }
            }
            return faults;
        }
    }

    /** One line of the fault timeline. */
    public record Event(long atMillis, String what) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%8.3fs %s", atMillis / 1000.0, what);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Nemesis.class);
    private static final Duration LEADER_LOOKUP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MEMBER_BACK_TIMEOUT = Duration.ofSeconds(60);

    private final FaultTarget cluster;
    private final List<Fault> faults;
    private final Random random;
    private final Duration quietMin;
    private final Duration quietMax;
    private final Duration holdMin;
    private final Duration holdMax;
    private final LongSupplier millisSinceStart;
    private final List<Event> timeline = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** What must be undone; only touched under this object's lock. */
    private boolean partitioned;
    private String skewed;
    private String paused;
    private String killed;

    public Nemesis(FaultTarget cluster, Set<Fault> faults, long seed, Duration quietMin, Duration quietMax,
                   Duration holdMin, Duration holdMax, LongSupplier millisSinceStart) {
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("no faults to inject");
        }
        this.cluster = cluster;
        this.faults = List.copyOf(new TreeSet<>(faults));
        if (faults.contains(Fault.CLOCK) && cluster.clocks().isEmpty()) {
            throw new IllegalArgumentException("clock faults need a cluster started with skewable clocks");
        }
        this.random = new Random(seed);
        this.quietMin = quietMin;
        this.quietMax = quietMax;
        this.holdMin = holdMin;
        this.holdMax = holdMax;
        this.millisSinceStart = millisSinceStart;
        this.thread = new Thread(this::run, "nemesis");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            if (!sleep(between(quietMin, quietMax)) || !running) {
                return;
            }
            Fault fault = faults.get(random.nextInt(faults.size()));
            Duration hold = between(holdMin, holdMax);
            boolean leader = random.nextBoolean();
            int pick = random.nextInt(cluster.memberIds().size());
            try {
                boolean hitLeader = fault == Fault.PAUSE || fault == Fault.PARTITION || leader;
                String member = hitLeader ? leader() : cluster.memberIds().get(pick);
                if (member == null) {
                    return; // closed while looking for the leader
                }
                inject(fault, member, hitLeader);
                sleep(hold);
            } catch (RuntimeException e) {
                record("fault " + fault.word() + " could not be injected: " + e);
                log.warn("nemesis: {} failed: {}", fault, e.toString());
            } finally {
                heal();
            }
            if (!running) {
                return;
            }
        }
    }

    private synchronized void inject(Fault fault, String member, boolean isLeader) {
        if (!running) {
            return;
        }
        String who = member + (isLeader ? " (leader)" : "");
        switch (fault) {
            case PARTITION -> {
                // member is the leader here: the shapes place it (isolated, on one side, behind one-way links)
                PartitionShapes.Cut cut = PartitionShapes.draw(random, cluster.memberIds(), member);
                partitioned = true;
                cluster.faults().cut(cut.links(), cut.description());
                record("start partition: " + cut.description());
            }
            case CLOCK -> {
                Duration offset = clockOffset();
                skewed = member;
                cluster.clocks().orElseThrow().set(member, offset);
                record("start clock: " + who + " wall clock " + (offset.isNegative() ? "" : "+") + offset.toSeconds()
                        + " s (in effect within " + io.coordinator.jepsen.cluster.ClockSkew.takesEffectWithin().toSeconds() + " s)");
            }
            case KILL -> {
                killed = member;
                cluster.kill(member);
                record("start kill: SIGKILL " + who);
            }
            case PAUSE -> {
                long pid = cluster.pid(member);
                signal("STOP", pid);
                paused = member;
                record("start pause: SIGSTOP " + who + " (pid " + pid + ")");
            }
        }
    }

    /** Undoes whatever is in effect; safe to call at any time, any number of times. */
    public synchronized void heal() {
        // Healing must finish even when the schedule was interrupted mid-fault: a paused member left
        // stopped would hang the final reads.
        boolean interrupted = Thread.interrupted();
        try {
            healNow();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void healNow() {
        if (skewed != null) {
            cluster.clocks().orElseThrow().set(skewed, Duration.ZERO);
            record("heal clock: " + skewed + " wall clock back to this host's");
            skewed = null;
        }
        if (partitioned) {
            cluster.faults().heal();
            partitioned = false;
            record("heal partition");
        }
        if (paused != null) {
            if (cluster.isRunning(paused)) {
                signal("CONT", cluster.pid(paused));
                record("heal pause: SIGCONT " + paused);
            } else {
                // Killed meanwhile (the JVM's exit hook kills every member): nothing left to continue.
                record("heal pause: " + paused + " is no longer running");
            }
            paused = null;
        }
        if (killed != null) {
            cluster.startMember(killed);
            record("heal kill: restarted " + killed);
            String member = killed;
            killed = null;
            awaitServing(member);
        }
    }

    /**
     * The member that says it leads, or a random one when none answers in time (the choice is logged as
     * such); null when the nemesis is closed meanwhile.
     */
    private String leader() {
        try {
            return cluster.awaitLeader(LEADER_LOOKUP_TIMEOUT);
        } catch (RuntimeException noLeader) {
            if (!running) {
                return null;
            }
            String member = cluster.memberIds().get(random.nextInt(cluster.memberIds().size()));
            record("no leader found within " + LEADER_LOOKUP_TIMEOUT.toSeconds() + " s; hitting " + member + " instead");
            return member;
        }
    }

    private void awaitServing(String member) {
        long deadline = System.nanoTime() + MEMBER_BACK_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.answers(member)) {
                record(member + " answers again");
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                record("stopped waiting for " + member + " to answer (the nemesis is closing)");
                return;
            }
        }
        record(member + " did not answer within " + MEMBER_BACK_TIMEOUT.toSeconds() + " s of its restart");
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + signal + " to " + pid, e);
        }
    }

    /** Half the time a few seconds (within session TTLs), half minutes; either way. */
    private Duration clockOffset() {
        long seconds = random.nextBoolean() ? 1 + random.nextInt(10) : 30 + random.nextInt(271);
        return Duration.ofSeconds(random.nextBoolean() ? seconds : -seconds);
    }

    private Duration between(Duration min, Duration max) {
        long span = max.toMillis() - min.toMillis();
        return Duration.ofMillis(min.toMillis() + (span <= 0 ? 0 : (long) (random.nextDouble() * (span + 1))));
    }

    /** Adds a line to the timeline that is not a fault: the run's phases, for whoever reads it. */
    public synchronized void record(String what) {
        Event event = new Event(millisSinceStart.getAsLong(), what);
        timeline.add(event);
        log.info("nemesis: {}", event);
    }

    public synchronized List<Event> timeline() {
        return List.copyOf(timeline);
    }

    /** Faults healed so far. */
    public synchronized long healed() {
        return timeline.stream().filter(e -> e.what().startsWith("heal ")).count();
    }

    private static boolean sleep(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the schedule (a fault in effect is cut short) and heals everything. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(MEMBER_BACK_TIMEOUT.toMillis() + 10_000);
        heal();
    }
}
