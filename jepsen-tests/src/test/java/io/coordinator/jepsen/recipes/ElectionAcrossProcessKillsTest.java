package io.coordinator.jepsen.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.recipes.Leader;
import io.coordinator.client.recipes.LeaderElection;
import io.coordinator.core.api.CreateMode;
import io.coordinator.jepsen.cluster.PrivateClasspath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five candidate processes ({@link FencedCandidate}) in one election over three member processes.
 * The leader's process is SIGKILLed three times. What must hold: leadership passes on within the
 * session TTL plus a bounded margin; the fenced writes of all candidates, in revision order, never
 * go back to a lower token (one leader at a time, as the fenced node sees it); two observers on
 * different members see the same leaders, in the same order, each term with a larger token, and
 * none of the terms that wrote is missing from what they saw.
 */
class ElectionAcrossProcessKillsTest extends ProcessRecipeTestBase {
    private static final int CANDIDATES = 5;
    private static final long TTL_MILLIS = 5_000;
    /** Expiry is decided on the leader's next tick after the TTL; then a watch, a read, a write. */
    private static final long HANDOVER_MARGIN_MILLIS = 4_000;
    private static final String ELECTION = "/election/under-kills";
    private static final String OWNER = "/election-owner";

    private final Map<String, Process> candidates = new LinkedHashMap<>();
    private Path outputs;

    @AfterEach
    void killCandidates() {
        candidates.values().forEach(Process::destroyForcibly);
        candidates.clear();
    }

    @Test
    void oneLeaderAtATimeHandoverWithinTtlAndObserversSeeEveryChange() throws Exception {
        outputs = Files.createDirectories(dataDir.resolve("candidates"));
        String classpath = PrivateClasspath.of(dataDir.resolve("candidate-classpath"));
        client(10_000).create(OWNER, new byte[0], CreateMode.PERSISTENT);
        List<Leader> seenByFirst = new CopyOnWriteArrayList<>();
        List<Leader> seenBySecond = new CopyOnWriteArrayList<>();
        observe(cluster.endpoint("m1"), seenByFirst);
        observe(cluster.endpoint("m3"), seenBySecond);
        for (int i = 1; i <= CANDIDATES; i++) {
            start("c" + i, classpath);
        }
        // Five JVMs start at once on two cores: the first kill waits until every candidate is in the
        // election, so that a handover is measured, not a candidate's start-up.
        Coordinator reader = client(10_000);
        try {
            await().atMost(WAIT).until(() -> reader.exists(ELECTION).isPresent()
                    && reader.children(ELECTION).names().size() == CANDIDATES);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not every candidate joined: " + (reader.exists(ELECTION).isPresent()
                    ? reader.children(ELECTION).names() : "no election node") + outputs(), e);
        }

        List<Long> handovers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            await().atMost(WAIT).until(() -> current(seenByFirst).isPresent());
            Leader leader = current(seenByFirst).orElseThrow();
            String leaderId = new String(leader.value(), StandardCharsets.UTF_8);
            await().atMost(WAIT).until(() -> output(leaderId).contains("WROTE " + leader.token() + " "));
            long killedAt = System.nanoTime();
            candidates.get(leaderId).destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            await().atMost(Duration.ofMillis(TTL_MILLIS + HANDOVER_MARGIN_MILLIS + 10_000))
                    .conditionEvaluationListener(condition -> {
                        if (condition.getRemainingTimeInMS() <= condition.getPollInterval().toMillis()) {
                            System.out.println("no handover yet; candidates said: " + outputs());
                        }
                    })
                    .until(() -> current(seenByFirst).filter(next -> next.token() > leader.token()).isPresent());
            handovers.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
        }
        Leader last = current(seenByFirst).orElseThrow();
        String lastId = new String(last.value(), StandardCharsets.UTF_8);
        await().atMost(WAIT).until(() -> output(lastId).contains("WROTE " + last.token() + " "));
        await().atMost(WAIT).untilAsserted(() ->
                assertEquals(tokens(seenByFirst), tokens(seenBySecond), "two observers saw different leaders"));
        System.out.println("ElectionAcrossProcessKillsTest handovers (ms): " + handovers);

        for (long millis : handovers) {
            assertTrue(millis <= TTL_MILLIS + HANDOVER_MARGIN_MILLIS, "handover took " + millis + " ms: " + handovers);
        }
        List<long[]> writes = fencedWrites();
        writes.sort(Comparator.comparingLong(write -> write[1]));
        for (int i = 1; i < writes.size(); i++) {
            assertTrue(writes.get(i - 1)[0] <= writes.get(i)[0], "token " + writes.get(i)[0] + " wrote at revision "
                    + writes.get(i)[1] + " after token " + writes.get(i - 1)[0] + " at " + writes.get(i - 1)[1]);
        }
        List<Long> observed = tokens(seenByFirst);
        for (int i = 1; i < observed.size(); i++) {
            assertTrue(observed.get(i - 1) < observed.get(i), "observed tokens not increasing: " + observed);
        }
        for (long[] write : writes) {
            assertTrue(observed.contains(write[0]), "a term that wrote (token " + write[0] + ") was never observed: " + observed);
        }
        assertTrue(observed.size() >= 4, "expected the first leader and three handovers: " + observed);
    }

    @Test
    void ctlElectResignsOnSigtermSoTheNextCandidateNeedNotWaitForTheSession() throws Exception {
        outputs = Files.createDirectories(dataDir.resolve("ctl-elect"));
        String classpath = PrivateClasspath.of(dataDir.resolve("ctl-classpath"));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", classpath, io.coordinator.jepsen.cli.Main.class.getName(),
                "ctl", "--endpoints", cluster.endpoints(), "elect", "/election/sigterm", "ctl-1", "--ttl-ms", "30000");
        Process process = new ProcessBuilder(command)
                .redirectOutput(outputs.resolve("out").toFile())
                .redirectError(outputs.resolve("err").toFile())
                .start();
        candidates.put("ctl-1", process);
        await().atMost(WAIT).until(() -> Files.readString(outputs.resolve("out")).startsWith("elected /election/sigterm token "));
        Coordinator client = client(10_000);
        process.destroy(); // SIGTERM, as Ctrl-C's shutdown path
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(outputs.resolve("err"));
        assertTrue(err.contains("resigned /election/sigterm"), err);
        assertTrue(!err.contains("Exception") && !err.contains("note:"), "the resign finished before the client closed: " + err);
        // Resigned, not expired: the node is gone well before the session's 30 s TTL.
        assertTrue(client.exists("/election/sigterm").isEmpty()
                || client.children("/election/sigterm").names().isEmpty(), "the candidate's node is still there");
    }

    private void observe(String endpoint, List<Leader> seen) {
        Coordinator client = closedAfterTest(Coordinator.connect(io.coordinator.client.ClientConfig.builder()
                .endpoints(endpoint).sessionTtlMillis(10_000).requestTimeoutMillis(30_000).build()));
        closedAfterTest(new LeaderElection(client, ELECTION).observe(leader -> leader.ifPresent(seen::add)));
    }

    private static Optional<Leader> current(List<Leader> seen) {
        return seen.isEmpty() ? Optional.empty() : Optional.of(seen.get(seen.size() - 1));
    }

    private static List<Long> tokens(List<Leader> seen) {
        List<Long> tokens = new ArrayList<>();
        for (Leader leader : seen) {
            if (tokens.isEmpty() || tokens.get(tokens.size() - 1) != leader.token()) {
                tokens.add(leader.token()); // a proclaim repeats the term's token; none happens here
            }
        }
        return tokens;
    }

    private void start(String id, String classpath) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", classpath, FencedCandidate.class.getName(),
                cluster.endpoints(), id, ELECTION, OWNER, Long.toString(TTL_MILLIS));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(outputs.resolve(id + ".out").toFile())
                .start();
        candidates.put(id, process);
    }

    /** Every candidate's output so far, for a failure's message. */
    private String outputs() {
        StringBuilder all = new StringBuilder();
        for (String id : candidates.keySet()) {
            try {
                all.append("\n--- ").append(id).append(":\n").append(output(id).lines().limit(5).toList());
            } catch (IOException e) {
                all.append("\n--- ").append(id).append(": ").append(e);
            }
        }
        return all.toString();
    }

    private String output(String id) throws IOException {
        return Files.readString(outputs.resolve(id + ".out"));
    }

    /** Every accepted fenced write of every candidate: {token, revision}. */
    private List<long[]> fencedWrites() throws IOException {
        List<long[]> writes = new ArrayList<>();
        for (String id : candidates.keySet()) {
            for (String line : output(id).split("\n")) {
                if (line.startsWith("WROTE ")) {
                    String[] parts = line.split(" ");
                    writes.add(new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
                }
            }
        }
        return writes;
    }
}
