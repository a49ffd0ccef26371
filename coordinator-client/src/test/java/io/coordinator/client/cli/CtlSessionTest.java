package io.coordinator.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.client.fake.FakeMember;
import io.coordinator.client.fake.StrictSessions;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ctl session open|keepalive|check|close}, against a fake member that enforces attachment. */
class CtlSessionTest {

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Codec.json().mapper().readTree(out);
        }
    }

    private StrictSessions sessions;
    private FakeMember member;

    @BeforeEach
    void start() {
        sessions = new StrictSessions(0x77, r -> r.fail(ErrorCode.BAD_ARGUMENTS, "not in this test"));
        member = FakeMember.start(sessions);
    }

    @AfterEach
    void stop() {
        member.close();
    }

    private Run ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--endpoints", member.address(), "--timeout-ms", "3000"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Ctl());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void openPrintsIdSecretAndTtlAndTheSessionOutlivesCtl() {
        Run open = ctl("session", "open", "--ttl-ms", "5000");
        assertEquals(0, open.exit(), open.err());
        assertEquals("session 0x77 secret 42 ttl-ms 5000\n", open.out());
        assertTrue(sessions.alive(0x77), "ctl exits, its grant stays until its TTL");
        assertEquals(0, member.received(r -> r.command() instanceof Command.CloseSession).size());
    }

    @Test
    void keepaliveCheckAndCloseProveTheSecretFirst() {
        ctl("session", "open", "--ttl-ms", "5000");

        Run kept = ctl("session", "keepalive", "0x77", "--secret", "42");
        assertEquals(0, kept.exit(), kept.err());
        assertEquals("kept alive session 0x77\n", kept.out());
        List<FakeMember.Received> attaches = member.received(r -> r.message() instanceof ClientMessage.AttachSession);
        assertEquals(List.of(new ClientMessage.AttachSession(0x77, 42)), attaches.stream().map(FakeMember.Received::message).toList());

        Run check = ctl("session", "check", "119", "--secret", "42");
        assertEquals(0, check.exit(), check.err());
        assertEquals("session 0x77 is alive, ttl-ms 5000\n", check.out());

        Run closed = ctl("session", "close", "0x77", "--secret", "42");
        assertEquals(0, closed.exit(), closed.err());
        assertEquals("closed session 0x77\n", closed.out());
        assertFalse(sessions.alive(0x77));
    }

    @Test
    void aGoneSessionAndAWrongSecretExitWithTheSessionCode() {
        ctl("session", "open", "--ttl-ms", "5000");
        Run wrong = ctl("session", "keepalive", "0x77", "--secret", "41");
        assertEquals(Ctl.EXIT_SESSION, wrong.exit());
        assertTrue(wrong.err().startsWith("error: UNAUTHORIZED: "), wrong.err());
        assertEquals(Ctl.EXIT_SESSION, ctl("session", "close", "0x77", "--secret", "41").exit());
        assertTrue(sessions.alive(0x77), "a wrong secret changed nothing");

        sessions.expire(0x77);
        for (String action : List.of("keepalive", "check", "close")) {
            Run gone = ctl("session", action, "0x77", "--secret", "42");
            assertEquals(Ctl.EXIT_SESSION, gone.exit(), action);
            assertTrue(gone.err().startsWith("error: SESSION_EXPIRED: "), action + ": " + gone.err());
        }
    }

    @Test
    void jsonForScripts() throws Exception {
        JsonNode open = ctl("--json", "session", "open", "--ttl-ms", "3000").json();
        assertEquals(0x77, open.get("sessionId").asLong());
        assertEquals(42, open.get("secret").asLong());
        assertEquals(3000, open.get("ttlMillis").asLong());

        JsonNode check = ctl("--json", "session", "check", "0x77", "--secret", "42").json();
        assertTrue(check.get("alive").asBoolean());
        assertEquals(3000, check.get("ttlMillis").asLong());
        assertTrue(ctl("--json", "session", "keepalive", "0x77", "--secret", "42").json().get("keptAlive").asBoolean());
        assertTrue(ctl("--json", "session", "close", "0x77", "--secret", "42").json().get("closed").asBoolean());
    }

    @Test
    void badUsageExitsTwoWithoutConnecting() {
        for (String[] args : List.of(new String[]{"session", "open"}, new String[]{"session", "keepalive", "0x77"},
                new String[]{"session", "frobnicate"}, new String[]{"session", "check", "zz", "--secret", "1"},
                new String[]{"session", "open", "0x77", "--ttl-ms", "5000"})) {
            Run run = ctl(args);
            assertEquals(Ctl.EXIT_USAGE, run.exit(), String.join(" ", args) + ": " + run.err());
        }
        assertEquals(0, member.connectionsAccepted());
    }
}
