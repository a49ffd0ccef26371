package io.coordinator.protocol;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attaching a session to a connection, and the check behind it, on the wire. */
class SessionMessagesTest {

    @Test
    void attachSessionCheckSessionAndSessionCheckedRoundTripInBothEncodings() {
        for (Codec codec : List.of(Codec.smile(), Codec.json())) {
            ClientMessage attach = new ClientMessage.AttachSession(0x77, -42);
            assertEquals(attach, codec.decodeClient(codec.encode(attach)));

            ClientMessage check = new ClientMessage.Call(Request.of(new Command.CheckSession(0x77, -42)),
                    Consistency.LINEARIZABLE, 0);
            assertEquals(check, codec.decodeClient(codec.encode(check)));

            ServerMessage checked = new ServerMessage.Reply(5, new Response.SessionChecked(0x77, 3_000));
            assertEquals(checked, codec.decodeServer(codec.encode(checked)));
        }
    }

    @Test
    void theTypeNamesAreTheDocumentedOnes() {
        String attach = new String(Codec.json().encode(new ClientMessage.AttachSession(1, 2)), StandardCharsets.UTF_8);
        assertEquals("{\"@type\":\"attachSession\",\"sessionId\":1,\"secret\":2}", attach);
        String check = new String(Codec.json().encode(new ClientMessage.Call(Request.of(new Command.CheckSession(1, 2)),
                Consistency.LINEARIZABLE, 0)), StandardCharsets.UTF_8);
        assertTrue(check.contains("{\"@type\":\"checkSession\",\"sessionId\":1,\"secret\":2}"), check);
        String checked = new String(Codec.json().encode(new ServerMessage.Reply(1, new Response.SessionChecked(1, 2_000))),
                StandardCharsets.UTF_8);
        assertTrue(checked.contains("{\"@type\":\"sessionChecked\",\"sessionId\":1,\"ttlMillis\":2000}"), checked);
    }
}
