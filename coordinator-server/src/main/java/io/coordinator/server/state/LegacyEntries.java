package io.coordinator.server.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.coordinator.core.api.Command;
import io.coordinator.protocol.message.Codec;

import java.io.IOException;

/**
 * Reads what version 1 log entries held and the client codec no longer decodes: a LeaderChanged or
 * Tick encoded as a client call (so were the leader's duties proposed then). A log written before
 * items said who proposed them must replay as it applied at the time, or a member replaying it would
 * part from one that restored a snapshot taken after it; so these count as the duties' commands.
 * Version 2 entries never go through here: in them, a client's item holds a client command or nothing.
 */
final class LegacyEntries {
    private LegacyEntries() {
    }

    /** The internal command a version 1 call carries, or null when it carries none (or is no call). */
    static Command.InternalCommand internalCommandOf(byte[] payload) {
        JsonNode call;
        try {
            call = Codec.smile().mapper().readTree(payload);
        } catch (IOException e) {
            return null;
        }
        if (call == null || !"call".equals(call.path("@type").asText())) {
            return null;
        }
        JsonNode command = call.path("request").path("command");
        JsonNode term = command.path("term");
        if (!term.canConvertToLong()) {
            return null;
        }
        return switch (command.path("@type").asText()) {
            case "leaderChanged" -> new Command.LeaderChanged(term.asLong());
            case "tick" -> new Command.Tick(term.asLong());
            default -> null;
        };
    }
}
