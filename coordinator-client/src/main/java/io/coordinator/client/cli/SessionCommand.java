package io.coordinator.client.cli;

import io.coordinator.client.Coordinator;
import io.coordinator.client.SessionGrant;
import io.coordinator.client.SessionInfo;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static io.coordinator.client.cli.Ctl.EXIT_OK;

/**
 * {@code ctl session}: sessions (leases) for scripts, apart from ctl's own. A session granted here is
 * not kept alive by anyone but the script: renew it every third of its TTL with {@code keepalive}.
 */
@CommandLine.Command(name = "session", description = {
        "Grant and handle sessions (leases) by id and secret, for scripts and other processes:",
        "  session open --ttl-ms N              grant one; prints its id, secret and TTL",
        "  session keepalive ID --secret S      renew it once (do so every third of its TTL)",
        "  session check ID --secret S          is it alive, and is S its secret? (renews nothing)",
        "  session close ID --secret S          end it now; its ephemerals go",
        "IDs as printed (0x77) or in decimal. A session gone (unknown, closed, expired) exits 8 with",
        "SESSION_EXPIRED; a wrong secret exits 8 with UNAUTHORIZED. Keep the secret like a password."})
final class SessionCommand extends Ctl.Sub {

    private enum Action { OPEN, KEEPALIVE, CHECK, CLOSE }

    @Parameters(index = "0", paramLabel = "ACTION", description = "open, keepalive, check or close.")
    String actionName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "The session (not for open).")
    String idText;

    @Option(names = "--ttl-ms", paramLabel = "N", description = "The TTL to grant (open only).")
    long ttlMillis;

    @Option(names = "--secret", paramLabel = "S", description = "The session's secret, as open printed it.")
    Long secret;

    private Action action;
    private long sessionId;

    @Override
    void prepare() {
        try {
            action = Action.valueOf(actionName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown action '" + actionName + "': open, keepalive, check or close");
        }
        if (action == Action.OPEN) {
            if (idText != null || secret != null) {
                throw new IllegalArgumentException("session open takes only --ttl-ms");
            }
            if (ttlMillis <= 0) {
                throw new IllegalArgumentException("session open needs --ttl-ms N");
            }
            return;
        }
        if (idText == null || secret == null) {
            throw new IllegalArgumentException("session " + actionName + " needs ID and --secret S");
        }
        if (ttlMillis != 0) {
            throw new IllegalArgumentException("--ttl-ms is only for session open");
        }
        sessionId = parseId(idText);
    }

    /** {@code 0x77} (as ls -l and open print owners) or decimal. */
    static long parseId(String text) {
        try {
            String t = text.trim();
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a session id: '" + text + "'");
        }
    }

    @Override
    int run(Coordinator client) {
        Map<String, Object> doc = new LinkedHashMap<>();
        String text;
        switch (action) {
            case OPEN -> {
                SessionGrant grant = client.grantSession(ttlMillis);
                doc.put("sessionId", grant.sessionId());
                doc.put("secret", grant.secret());
                doc.put("ttlMillis", grant.ttlMillis());
                text = "session " + hex(grant.sessionId()) + " secret " + grant.secret() + " ttl-ms " + grant.ttlMillis();
            }
            case KEEPALIVE -> {
                client.keepAliveSession(sessionId, secret);
                doc.put("sessionId", sessionId);
                doc.put("keptAlive", true);
                text = "kept alive session " + hex(sessionId);
            }
            case CHECK -> {
                SessionInfo info = client.checkSession(sessionId, secret);
                doc.put("sessionId", info.sessionId());
                doc.put("alive", true);
                doc.put("ttlMillis", info.ttlMillis());
                text = "session " + hex(info.sessionId()) + " is alive, ttl-ms " + info.ttlMillis();
            }
            case CLOSE -> {
                client.closeSession(sessionId, secret);
                doc.put("sessionId", sessionId);
                doc.put("closed", true);
                text = "closed session " + hex(sessionId);
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
        if (ctl.json) {
            json(doc);
        } else {
            out().println(text);
        }
        return EXIT_OK;
    }

    private static String hex(long id) {
        return "0x" + Long.toHexString(id);
    }
}
