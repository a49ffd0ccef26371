package io.coordinator.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The examples' command lines: {@code --name value} pairs, and the members given as {@code ctl}
 * takes them ({@code --endpoints H:P,H:P}, else {@code $COORDINATOR_ENDPOINTS}, else 127.0.0.1:7001).
 * Deliberately tiny; a real program would use picocli, as {@code ctl} does.
 */
final class Args {
    static final String ENDPOINTS_ENV = "COORDINATOR_ENDPOINTS";
    static final String ENDPOINTS_DEFAULT = "127.0.0.1:7001";

    private final Map<String, String> values = new HashMap<>();

    /**
     * @param known the option names the program takes besides {@code --endpoints}
     * @throws IllegalArgumentException for an unknown option or one without a value, or for --help:
     *                                  its message lists the options
     */
    static Args parse(String[] argv, String... known) {
        Set<String> names = Set.of(known);
        Args args = new Args();
        for (int i = 0; i < argv.length; i += 2) {
            String name = argv[i];
            if (!name.equals("--endpoints") && !names.contains(name)) {
                String options = "options: --endpoints H:P[,H:P...] " + String.join(" ", known);
                throw new IllegalArgumentException(name.equals("--help") ? options : "unknown option " + name + "; " + options);
            }
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            args.values.put(name, argv[i + 1]);
        }
        return args;
    }

    String endpoints() {
        String fromEnv = System.getenv(ENDPOINTS_ENV);
        return get("--endpoints", fromEnv == null || fromEnv.isBlank() ? ENDPOINTS_DEFAULT : fromEnv);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int getInt(String name, int fallback) {
        String value = values.get(name);
        return value == null ? fallback : Integer.parseInt(value);
    }
}
