package io.coordinator.jepsen.recipes;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.recipes.FencingException;
import io.coordinator.client.recipes.LeaderElection;
import io.coordinator.client.recipes.Leadership;
import io.coordinator.core.api.Stat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A candidate process for {@link ElectionAcrossProcessKillsTest}: campaigns, and while leader writes
 * its token to a node through the term's fence every few milliseconds, printing each write the
 * cluster accepted ({@code WROTE token revision}). The test kills it with SIGKILL; if its term ends
 * otherwise it says so and exits 3.
 *
 * <p>Arguments: endpoints, candidate id, election path, owner node path, session TTL in ms.
 */
public final class FencedCandidate {
    private static final long WRITE_EVERY_MILLIS = 20;

    private FencedCandidate() {
    }

    public static void main(String[] args) throws Exception {
        String endpoints = args[0];
        String id = args[1];
        String electionPath = args[2];
        String ownerPath = args[3];
        long ttlMillis = Long.parseLong(args[4]);
        Coordinator client = Coordinator.connect(ClientConfig.builder().endpoints(endpoints)
                .sessionTtlMillis(ttlMillis).requestTimeoutMillis(30_000).build());
        LeaderElection election = new LeaderElection(client, electionPath);
        Leadership term = election.campaign(id.getBytes(StandardCharsets.UTF_8));
        say("ELECTED " + id + " " + term.token());
        while (!term.revoked().isDone()) {
            try {
                Stat stat = term.fence().set(ownerPath, (id + " " + term.token()).getBytes(StandardCharsets.UTF_8), -1);
                say("WROTE " + term.token() + " " + stat.modRevision());
            } catch (FencingException e) {
                say("FENCED " + term.token());
            } catch (CoordinatorException e) {
                say("FAILED " + e.code());
            }
            TimeUnit.MILLISECONDS.sleep(WRITE_EVERY_MILLIS);
        }
        say("REVOKED " + term.revoked().getNow(null));
        System.exit(3);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
