package io.coordinator.protocol;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.ServerMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest {

    private static final Stat STAT = new Stat(3, 4, 1, 0, 0, 5, 0, 100, 200);

    @Test
    void everyCommandSurvivesAnEncodeDecodeRoundTripInBothEncodings() {
        Command.ClientCommand txn = new Command.Txn(
                List.of(Compare.version("/a", Compare.Operator.EQUAL, 1), Compare.value("/a", Compare.Operator.LESS, bytes("x"))),
                List.of(new Op.Create("/a/b", bytes("v"), CreateMode.EPHEMERAL_SEQUENTIAL, 0), new Op.Get("/a")),
                List.of(new Op.Delete("/a", -1, true), new Op.SetData("/a", bytes("w"), 2), new Op.Children("/", true),
                        new Op.Exists("/z")));
        for (Codec codec : List.of(Codec.smile(), Codec.json())) {
            for (Command.ClientCommand command : List.of(txn, new Command.OpenSession(5000, 42),
                    new Command.KeepAlive(List.of(1L, 2L)), new Command.CloseSession(1, 42), new Command.CheckSession(1, 42))) {
                ClientMessage message = new ClientMessage.Call(new Request(7, 9, command), Consistency.SERIALIZABLE, 11);
                ClientMessage decoded = codec.decodeClient(codec.encode(message));
                // Records holding byte[] compare arrays by identity, so compare re-encodings instead.
                assertArrayEquals(codec.encode(message), codec.encode(decoded));
                assertInstanceOf(ClientMessage.Call.class, decoded);
            }
        }
    }

    @Test
    void responsesRoundTripWithTheirTypes() {
        Response response = new Response.TxnResult(true, List.of(
                new Response.Created("/a/b0000000000000000001", STAT), new Response.Data(bytes("v"), STAT),
                new Response.ExistsResult(null), new Response.ChildrenResult(List.of("a", "b"), List.of(), STAT),
                new Response.Failure(ErrorCode.NO_NODE, "no /x")));
        ServerMessage.Reply reply = new ServerMessage.Reply(12, response);
        ServerMessage decoded = Codec.smile().decodeServer(Codec.smile().encode(reply));
        Response.TxnResult txn = (Response.TxnResult) ((ServerMessage.Reply) decoded).response();
        assertEquals(5, txn.results().size());
        assertEquals(STAT, ((Response.Created) txn.results().get(0)).stat());
        assertFalse(((Response.ExistsResult) txn.results().get(2)).exists());
        assertEquals(ErrorCode.NO_NODE, ((Response.Failure) txn.results().get(4)).code());
    }

    @Test
    void derivedAccessorsAreNotPartOfTheWireFormat() {
        String json = new String(Codec.json().encode(new ClientMessage.Call(
                Request.of(new Command.Execute(new Op.Get("/a"))), Consistency.LINEARIZABLE, 0)), StandardCharsets.UTF_8);
        assertFalse(json.contains("\"write\""), json);
    }

    @Test
    void aMemberInternalCommandCannotBeDecodedFromAClientMessage() throws Exception {
        for (String command : List.of("{\"@type\":\"leaderChanged\",\"term\":999999}", "{\"@type\":\"tick\",\"term\":1}")) {
            String call = "{\"@type\":\"call\",\"request\":{\"sessionId\":0,\"sequence\":0,\"command\":" + command
                    + "},\"consistency\":\"LINEARIZABLE\",\"minRevision\":0}";
            byte[] json = call.getBytes(StandardCharsets.UTF_8);
            byte[] smile = Codec.smile().mapper().writeValueAsBytes(Codec.json().mapper().readTree(json));
            for (Codec.MalformedMessageException refused : List.of(
                    assertThrows(Codec.MalformedMessageException.class, () -> Codec.json().decodeClient(json)),
                    assertThrows(Codec.MalformedMessageException.class, () -> Codec.smile().decodeClient(smile)),
                    assertThrows(Codec.MalformedMessageException.class,
                            () -> Codec.json().decode(command.getBytes(StandardCharsets.UTF_8), Command.class)))) {
                assertEquals(ErrorCode.MALFORMED, refused.code());
                assertTrue(refused.getMessage().contains("member-internal"), refused.getMessage());
            }
        }
    }

    @Test
    void anUnknownOperationTypeIsMalformed() {
        byte[] json = "{\"@type\":\"call\",\"request\":{\"sessionId\":0,\"sequence\":0,\"command\":{\"@type\":\"execute\",\"op\":{\"@type\":\"explode\",\"path\":\"/\"}}},\"consistency\":\"LINEARIZABLE\",\"minRevision\":0}"
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(Codec.MalformedMessageException.class, () -> Codec.json().decodeClient(json));
    }

    @Test
    void aMissingRequiredFieldAndGarbageAreMalformed() {
        byte[] noPath = "{\"@type\":\"call\",\"request\":{\"sessionId\":0,\"sequence\":0,\"command\":{\"@type\":\"execute\",\"op\":{\"@type\":\"get\"}}}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(Codec.MalformedMessageException.class, () -> Codec.json().decodeClient(noPath));
        assertThrows(Codec.MalformedMessageException.class, () -> Codec.smile().decodeClient(new byte[]{1, 2, 3, 4, 5}));
        assertThrows(Codec.MalformedMessageException.class, () -> Codec.smile().decodeClient(new byte[0]));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
