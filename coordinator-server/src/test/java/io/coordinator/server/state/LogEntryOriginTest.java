package io.coordinator.server.state;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Response;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.ServerMessage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * "Who proposed an item is written by the member around it": in a log entry, a client's item decodes
 * only to client commands, the leader duties' items carry the internal ones, and entries written
 * before items said who proposed them replay as they applied then.
 */
class LogEntryOriginTest {
    private final ReplicatedTree tree = new ReplicatedTree("m1", Limits.DEFAULTS, events -> { });

    private static byte[] smileCall(String command) throws IOException {
        String json = "{\"@type\":\"call\",\"request\":{\"sessionId\":0,\"sequence\":0,\"command\":" + command
                + "},\"consistency\":\"LINEARIZABLE\",\"minRevision\":0}";
        return Codec.smile().mapper().writeValueAsBytes(Codec.json().mapper().readTree(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static Response only(byte[] replies) {
        List<byte[]> decoded = LogBatch.decodeReplies(replies);
        assertEquals(1, decoded.size());
        return ((ServerMessage.Reply) Codec.smile().decodeServer(decoded.get(0))).response();
    }

    @Test
    void aClientItemNamingAnInternalCommandIsMalformedAndADutiesItemApplies() throws IOException {
        byte[] forged = LogBatch.encode(List.of(LogBatch.Item.client(smileCall("{\"@type\":\"leaderChanged\",\"term\":999999}"))));
        Response.Failure refused = assertInstanceOf(Response.Failure.class, only(tree.apply(1, 1_000, forged)));
        assertEquals(ErrorCode.MALFORMED, refused.code());
        assertEquals(0, tree.leaderTerm());

        byte[] duty = LogBatch.encode(List.of(LogBatch.Item.duty(new Command.LeaderChanged(4))));
        assertInstanceOf(Response.Done.class, only(tree.apply(2, 1_000, duty)));
        assertEquals(4, tree.leaderTerm());
    }

    @Test
    void aDutiesItemThatIsNotAnInternalCommandIsMalformed() {
        byte[] entry = LogBatch.encode(List.of(new LogBatch.Item(LogBatch.Kind.LEADER_DUTIES, new byte[]{'X', 1})));
        assertEquals(ErrorCode.MALFORMED, ((Response.Failure) only(tree.apply(1, 1_000, entry))).code());
        assertEquals(0, tree.leaderTerm());
    }

    @Test
    void aVersion1EntryReplaysItsLeaderChangedAsTheDutiesProposedIt() throws IOException {
        byte[] call = smileCall("{\"@type\":\"leaderChanged\",\"term\":6}");
        byte[] version1 = ByteBuffer.allocate(2 + 4 + 4 + call.length).put((byte) 'B').put((byte) 1).putInt(1)
                .putInt(call.length).put(call).array();
        assertInstanceOf(Response.Done.class, only(tree.apply(1, 1_000, version1)));
        assertEquals(6, tree.leaderTerm());
    }

    @Test
    void internalCommandsRoundTripThroughTheirOwnFraming() {
        for (Command.InternalCommand command : List.of(new Command.LeaderChanged(Long.MAX_VALUE), new Command.Tick(-1))) {
            List<LogBatch.Item> items = LogBatch.decode(LogBatch.encode(List.of(LogBatch.Item.duty(command))));
            assertEquals(LogBatch.Kind.LEADER_DUTIES, items.get(0).kind());
            assertEquals(command, LogBatch.decodeInternal(items.get(0).payload()));
        }
    }
}
