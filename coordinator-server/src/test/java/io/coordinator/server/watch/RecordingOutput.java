package io.coordinator.server.watch;

import io.coordinator.protocol.message.ServerMessage;

import java.util.ArrayList;
import java.util.List;

/** A connection stand-in: keeps every answer and push in call order. */
final class RecordingOutput implements WatchOutput {

    /** @param pushed false for an answer (RESPONSE frame), true for a push (EVENT frame) */
    record Sent(boolean pushed, long id, ServerMessage message) {
    }

    private final List<Sent> sent = new ArrayList<>();

    @Override
    public synchronized void respond(long requestId, ServerMessage message) {
        sent.add(new Sent(false, requestId, message));
    }

    @Override
    public synchronized void push(long watchId, ServerMessage message) {
        sent.add(new Sent(true, watchId, message));
    }

    synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** Notifications of one watch, in order. */
    synchronized List<ServerMessage.WatchNotification> notifications(long watchId) {
        List<ServerMessage.WatchNotification> out = new ArrayList<>();
        for (Sent s : sent) {
            if (s.id == watchId && s.message instanceof ServerMessage.WatchNotification n) {
                out.add(n);
            }
        }
        return out;
    }

    /** The answer to request {@code id}, or null. */
    synchronized ServerMessage answer(long id) {
        for (Sent s : sent) {
            if (!s.pushed && s.id == id) {
                return s.message;
            }
        }
        return null;
    }

    synchronized void clear() {
        sent.clear();
    }
}
