package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.WatchEvent;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Canonical text for responses and events, since records holding byte[] compare arrays by identity. */
final class Describe {

    private Describe() {
    }

    static String applied(Applied applied, boolean messages) {
        return "@" + applied.revision() + " " + response(applied.response(), messages) + " "
                + applied.events().stream().map(Describe::event).collect(Collectors.joining(", ", "[", "]"));
    }

    static String event(WatchEvent e) {
        return e.type() + " " + e.path() + " @" + e.revision() + " " + e.stat() + " " + Arrays.toString(e.data());
    }

    /**
     * @param messages whether failure messages count; without, only the "op i:"/"compare i:" prefix does
     */
    static String response(Response response, boolean messages) {
        if (response instanceof Response.Data r) {
            return "Data(" + Arrays.toString(r.data()) + ", " + r.stat() + ")";
        }
        if (response instanceof Response.TxnResult r) {
            return "Txn(" + r.succeeded() + ", " + r.results().stream().map(x -> response(x, messages))
                    .collect(Collectors.joining(", ")) + ")";
        }
        if (response instanceof Response.Failure r) {
            String message = r.message();
            if (!messages) {
                message = message.matches("^(op|compare) \\d+: .*") ? message.substring(0, message.indexOf(':')) : "";
            }
            return "Failure(" + r.code() + ", " + message + ")";
        }
        return response.toString();
    }
}
