package io.coordinator.client.cli;

import io.coordinator.core.api.CreateMode;

import java.util.Locale;

/** The CLI's names of the node kinds. */
final class Modes {
    private Modes() {
    }

    static final String NAMES = "persistent, ephemeral, sequential, ephemeral-sequential, container, ttl, ttl-sequential";

    static CreateMode parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "persistent" -> CreateMode.PERSISTENT;
            case "ephemeral" -> CreateMode.EPHEMERAL;
            case "sequential", "persistent-sequential" -> CreateMode.PERSISTENT_SEQUENTIAL;
            case "ephemeral-sequential" -> CreateMode.EPHEMERAL_SEQUENTIAL;
            case "container" -> CreateMode.CONTAINER;
            case "ttl", "persistent-with-ttl" -> CreateMode.PERSISTENT_WITH_TTL;
            case "ttl-sequential", "persistent-sequential-with-ttl" -> CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
            default -> throw new IllegalArgumentException("unknown mode '" + name + "' (expected one of " + NAMES + ")");
        };
    }
}
