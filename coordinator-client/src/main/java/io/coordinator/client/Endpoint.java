package io.coordinator.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A member's client address, written {@code host:port} ({@code [v6addr]:port} for IPv6). */
public record Endpoint(String host, int port) {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("endpoint host is empty");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("endpoint port " + port + " is out of range");
        }
    }

    public static Endpoint parse(String text) {
        String s = Objects.requireNonNull(text, "endpoint").trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("endpoint '" + text + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new Endpoint(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint '" + text + "' has no numeric port");
        }
    }

    /** Parses {@code "h:p,h:p"}; blanks around commas are ignored. */
    public static List<Endpoint> parseList(String text) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String part : Objects.requireNonNull(text, "endpoints").split(",")) {
            if (!part.isBlank()) {
                endpoints.add(parse(part));
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoint in '" + text + "'");
        }
        return List.copyOf(endpoints);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
