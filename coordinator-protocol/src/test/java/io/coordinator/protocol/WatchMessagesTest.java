package io.coordinator.protocol;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import io.coordinator.protocol.message.WatchKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watch messages are wire format: they round-trip in both encodings and bad ones are MALFORMED. */
class WatchMessagesTest {
    private static final Stat STAT = new Stat(3, 4, 1, 0, 0, 2, 0, 100, 200);

    @Test
    void watchRequestsRoundTripInBothEncodings() {
        for (Codec codec : List.of(Codec.smile(), Codec.json())) {
            for (WatchKind kind : WatchKind.values()) {
                ClientMessage watch = new ClientMessage.Watch("/app", kind, 17);
                assertEquals(watch, codec.decodeClient(codec.encode(watch)));
            }
            assertEquals(new ClientMessage.Unwatch(5), codec.decodeClient(codec.encode(new ClientMessage.Unwatch(5))));
        }
    }

    @Test
    void watchAnswersAndNotificationsRoundTripInBothEncodings() {
        WatchEvent changed = new WatchEvent(WatchEvent.Type.DATA_CHANGED, "/app", 9, STAT, "v2".getBytes(StandardCharsets.UTF_8));
        WatchEvent deleted = new WatchEvent(WatchEvent.Type.DELETED, "/app/x", 9, STAT, null);
        for (Codec codec : List.of(Codec.smile(), Codec.json())) {
            for (ServerMessage message : List.of(
                    new ServerMessage.WatchStarted(3, 10, 12),
                    new ServerMessage.WatchFailed(3, ErrorCode.COMPACTED, "too old", 40, 90),
                    new ServerMessage.Unwatched(3, true))) {
                assertEquals(message, codec.decodeServer(codec.encode(message)));
            }
            ServerMessage.WatchNotification notification =
                    new ServerMessage.WatchNotification(3, 9, List.of(changed, deleted), false);
            ServerMessage.WatchNotification decoded =
                    (ServerMessage.WatchNotification) codec.decodeServer(codec.encode(notification));
            assertEquals(9, decoded.revision());
            assertFalse(decoded.continued());
            assertEquals(List.of(WatchEvent.Type.DATA_CHANGED, WatchEvent.Type.DELETED),
                    decoded.events().stream().map(WatchEvent::type).toList());
            assertArrayEquals(changed.data(), decoded.events().get(0).data());
            assertEquals(STAT, decoded.events().get(1).stat());
        }
    }

    @Test
    void aWatchWithoutPathOrKindIsMalformed() {
        Codec json = Codec.json();
        assertThrows(Codec.MalformedMessageException.class, () -> json.decodeClient(
                "{\"@type\":\"watch\",\"kind\":\"DATA\",\"fromRevision\":0}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(Codec.MalformedMessageException.class, () -> json.decodeClient(
                "{\"@type\":\"watch\",\"path\":\"/a\",\"kind\":\"SOMETIMES\",\"fromRevision\":0}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void kindsMatchTheirEvents() {
        WatchEvent created = new WatchEvent(WatchEvent.Type.CREATED, "/a", 1, STAT, null);
        WatchEvent changed = new WatchEvent(WatchEvent.Type.DATA_CHANGED, "/a", 1, STAT, null);
        WatchEvent children = new WatchEvent(WatchEvent.Type.CHILDREN_CHANGED, "/a", 1, STAT, null);
        WatchEvent deleted = new WatchEvent(WatchEvent.Type.DELETED, "/a", 1, STAT, null);
        WatchEvent below = new WatchEvent(WatchEvent.Type.CREATED, "/a/b", 1, STAT, null);
        WatchEvent sibling = new WatchEvent(WatchEvent.Type.CREATED, "/ab", 1, STAT, null);
        assertEquals(List.of(changed, deleted), matching(WatchKind.DATA, created, changed, children, deleted, below));
        assertEquals(List.of(created, changed, deleted), matching(WatchKind.EXISTS, created, changed, children, deleted, below));
        assertEquals(List.of(children, deleted), matching(WatchKind.CHILDREN, created, changed, children, deleted, below));
        assertEquals(List.of(created, changed, children, deleted),
                matching(WatchKind.PERSISTENT, created, changed, children, deleted, below, sibling));
        assertEquals(List.of(created, changed, children, deleted, below),
                matching(WatchKind.PERSISTENT_RECURSIVE, created, changed, children, deleted, below, sibling));
        assertTrue(WatchKind.PERSISTENT_RECURSIVE.matches("/", sibling));
    }

    private static List<WatchEvent> matching(WatchKind kind, WatchEvent... events) {
        return List.of(events).stream().filter(e -> kind.matches("/a", e)).toList();
    }
}
