package io.coordinator.client;

import io.coordinator.core.api.Stat;

import java.nio.charset.StandardCharsets;

/** @param revision the revision the read reflects */
public record GetResult(byte[] data, Stat stat, long revision) {

    /** The data decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String dataUtf8() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
