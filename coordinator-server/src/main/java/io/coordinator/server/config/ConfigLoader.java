package io.coordinator.server.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a member's YAML config and applies command-line overrides given as dotted keys
 * ({@code limits.data-bytes-max=2048}). Unknown keys are errors: a typo must not silently fall back
 * to a default.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .findAndRegisterModules();

    private ConfigLoader() {
    }

    public static ServerConfig load(Path file, Map<String, String> overrides) throws IOException {
        JsonNode tree = YAML.readTree(Files.readAllBytes(file));
        if (!(tree instanceof ObjectNode given)) {
            throw new IllegalArgumentException(file + ": expected a YAML mapping at the top level");
        }
        ObjectNode root = defaults();
        merge(root, given);
        overrides.forEach((key, value) -> override(root, key, value));
        ServerConfig config = YAML.treeToValue(root, ServerConfig.class);
        Path dataDir = config.dataDir();
        if (!dataDir.isAbsolute()) {
            // Relative data directories are relative to the config file, so a config works from any cwd.
            Path base = file.toAbsolutePath().getParent();
            dataDir = base.resolve(dataDir).normalize();
        }
        return new ServerConfig(config.memberId(), dataDir, config.members(), config.limits(),
                config.consensus(), config.batch(), config.sessions(), config.http());
    }

    public static String toYaml(ServerConfig config) throws IOException {
        return YAML.writeValueAsString(config);
    }

    /** Every section with its defaults, so a file may set one key of a section and keep the rest. */
    private static ObjectNode defaults() {
        ObjectNode root = YAML.createObjectNode();
        root.set("limits", YAML.valueToTree(ServerConfig.LimitsConfig.DEFAULTS));
        root.set("consensus", YAML.valueToTree(ServerConfig.ConsensusSettings.DEFAULTS));
        root.set("batch", YAML.valueToTree(ServerConfig.BatchSettings.DEFAULTS));
        root.set("sessions", YAML.valueToTree(ServerConfig.SessionSettings.DEFAULTS));
        root.set("http", YAML.valueToTree(ServerConfig.HttpSettings.DEFAULTS));
        return root;
    }

    private static void merge(ObjectNode target, ObjectNode source) {
        source.fields().forEachRemaining(field -> {
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode sourceObject) {
                merge(existingObject, sourceObject);
            } else {
                target.set(field.getKey(), field.getValue());
            }
        });
    }

    private static void override(ObjectNode root, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null) {
                child = node.putObject(parts[i]);
            }
            if (!(child instanceof ObjectNode objectChild)) {
                throw new IllegalArgumentException("override " + dottedKey + ": " + parts[i] + " is not a section");
            }
            node = objectChild;
        }
        // YAML scalars: let Jackson coerce "123" into numbers where the record expects them.
        node.set(parts[parts.length - 1], TextNode.valueOf(value));
    }
}
