package io.coordinator.jepsen.cli;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.Endpoint;
import io.coordinator.client.GetResult;
import io.coordinator.client.MemberInfo;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.cluster.ClusterView;
import io.coordinator.jepsen.cluster.ProcessCluster;
import io.coordinator.protocol.message.Consistency;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The demo's second act, CAP shown line by line: the leader is cut off from the majority (every
 * peer link of its dropped, in both directions, by the fault proxies the demo's members talk
 * through). On its side, writes and linearizable reads are refused, never answered with a stale
 * value; the majority elects a leader and goes on writing; after the heal the old leader follows the
 * new one, has the majority's writes and none of its own refused ones.
 */
final class PartitionAct {
    /** Short, so that a refusal shows within seconds; the member answers well within it when it can. */
    private static final long MINORITY_TIMEOUT_MILLIS = 3_000;
    private static final Duration LEADER_WAIT = Duration.ofSeconds(30);
    /** The act's two clients, as processes of the demo's history (the failover act used 1-3). */
    private static final long CUT = 5;
    private static final long MAJORITY = 6;

    private final ProcessCluster cluster;
    private final ClusterView view;
    private final DemoLedger ledger;
    private final Consumer<String> say;

    PartitionAct(ProcessCluster cluster, ClusterView view, DemoLedger ledger, Consumer<String> say) {
        this.cluster = cluster;
        this.view = view;
        this.ledger = ledger;
        this.say = say;
    }

    /** @return true when every promise held */
    boolean run() throws InterruptedException {
        MemberInfo leader = view.awaitLeader(LEADER_WAIT);
        String cut = leader.self().memberId();
        List<String> majority = new ArrayList<>(cluster.memberIds());
        majority.remove(cut);
        boolean held = true;
        try (Coordinator onCut = connect(List.of(cut), MINORITY_TIMEOUT_MILLIS);
             Coordinator onMajority = connect(majority, 30_000)) {
            String before = ledger.read(CUT, "/demo", () -> onCut.get("/demo").dataUtf8());
            say.accept("partition: cut the leader " + cut + " off from " + String.join(" and ", majority)
                    + " (its peer links dropped both ways)");
            cluster.partitions().isolate(cut);
            long cutAt = System.nanoTime();
            // A write sent before the leader notices would sit in its log, uncommitted, and end in
            // TIMEOUT: outcome unknown, since the member may still pass it on after the heal. The
            // act waits for the step-down, after which a write is refused outright.
            boolean steppedDown = awaitStepDown(cut);
            say.accept(String.format("  %s %s %.1f s after the cut (it hears no majority: check-quorum)", cut,
                    steppedDown ? "stepped down" : "still says it leads", (System.nanoTime() - cutAt) / 1e9));
            held &= steppedDown;
            held &= refused("a write through " + cut, () -> ledger.write(CUT, "/demo/minority-write", "never",
                    () -> onCut.create("/demo/minority-write", utf8("never"), CreateMode.PERSISTENT)));
            held &= refused("a linearizable read through " + cut,
                    () -> ledger.read(CUT, "/demo", () -> onCut.get("/demo").dataUtf8()));
            GetResult local = onCut.get("/demo", Consistency.SERIALIZABLE);
            say.accept("  a serializable read through " + cut + " (asked for: may be stale) still answers \""
                    + local.dataUtf8() + "\" from its own copy");

            MemberInfo next = view.awaitLeaderAmong(majority, LEADER_WAIT);
            say.accept("majority: " + next.self().memberId() + " leads in term " + next.self().term());
            String byMajority = "written by the majority while " + cut + " was cut off";
            long revision = ledger.write(MAJORITY, "/demo", byMajority,
                    () -> onMajority.set("/demo", utf8(byMajority))).modRevision();
            say.accept("  a write through the majority succeeded at revision " + revision);

            say.accept("heal the partition");
            cluster.partitions().heal();
            view.awaitRevision(cut, revision, LEADER_WAIT);
            MemberInfo after = view.status(cut).orElseThrow();
            say.accept("  " + cut + " is now " + after.self().role() + " in term " + after.self().term()
                    + ", following " + after.self().leaderId());
            String now = ledger.read(CUT, "/demo", () -> onCut.get("/demo").dataUtf8());
            boolean caughtUp = !now.equals(before);
            say.accept("  a linearizable read through " + cut + " answers \"" + now + "\"" + (caughtUp ? "" : " (STALE)"));
            boolean dropped = ledger.read(MAJORITY, "/demo/minority-write",
                    () -> onMajority.get("/demo/minority-write").dataUtf8()) == null;
            say.accept("  the write refused during the cut " + (dropped ? "is nowhere: it was never committed"
                    : "EXISTS although it was refused"));
            boolean stepped = !after.self().role().equals("LEADER") || after.self().term() > leader.self().term();
            held &= caughtUp && dropped && stepped;
        }
        return held;
    }

    private boolean awaitStepDown(String memberId) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (view.status(memberId).map(info -> !info.self().role().equals("LEADER")).orElse(false)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private interface Call {
        void run();
    }

    /** Runs a call that a minority must refuse; says what happened. */
    private boolean refused(String what, Call call) {
        long start = System.nanoTime();
        try {
            call.run();
            say.accept("  " + what + " SUCCEEDED on the minority side: that would break CP");
            return false;
        } catch (CoordinatorException e) {
            say.accept(String.format("  %s is refused after %.1f s: %s", what, (System.nanoTime() - start) / 1e9, e.code()));
            return true;
        }
    }

    private Coordinator connect(List<String> memberIds, long requestTimeoutMillis) {
        List<Endpoint> endpoints = memberIds.stream().map(id -> Endpoint.parse(cluster.endpoint(id))).toList();
        return Coordinator.connect(ClientConfig.builder().endpoints(endpoints).openSession(false)
                .requestTimeoutMillis(requestTimeoutMillis).build());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
