package io.coordinator.client.fake;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.ClientMessage;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** Building blocks for scripting a {@link FakeMember}. */
public final class Scripts {
    public static final Stat STAT = new Stat(3, 4, 1, 0, 0, 5, 0, 100, 200);

    private Scripts() {
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Answers session upkeep like a member that never expires anything (session ids drawn from
     * {@code ids}, secret 42, the TTL asked for; any attach succeeds) and hands every other request
     * to {@code ops}.
     */
    public static FakeMember.Handler withSessions(AtomicLong ids, FakeMember.Handler ops) {
        return r -> {
            Command c = r.command();
            if (r.message() instanceof ClientMessage.AttachSession attach) {
                r.reply(1, new Response.SessionChecked(attach.sessionId(), 0));
            } else if (c instanceof Command.OpenSession open) {
                r.reply(1, new Response.SessionOpened(ids.getAndIncrement(), 42, open.ttlMillis()));
            } else if (c instanceof Command.KeepAlive keepAlive) {
                r.reply(1, new Response.KeptAlive(keepAlive.sessionIds().size()));
            } else if (c instanceof Command.CloseSession close) {
                r.reply(1, new Response.SessionClosed(close.sessionId()));
            } else {
                ops.handle(r);
            }
        };
    }

    public static FakeMember.Handler withSessions(FakeMember.Handler ops) {
        return withSessions(new AtomicLong(0x77), ops);
    }

    /** Answers a get with the given data, and any write with Updated. */
    public static FakeMember.Handler answering(String data) {
        return r -> {
            if (r.command() != null && r.command().isWrite()) {
                r.reply(9, new Response.Updated(STAT));
            } else {
                r.reply(9, new Response.Data(bytes(data), STAT));
            }
        };
    }
}
