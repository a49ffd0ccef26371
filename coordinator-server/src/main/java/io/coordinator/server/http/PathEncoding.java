package io.coordinator.server.http;

import java.nio.charset.StandardCharsets;

/** Percent-encodes a node path for a URI: every byte outside RFC 3986's path characters, '/' kept. */
final class PathEncoding {
    private static final String HEX = "0123456789ABCDEF";

    private PathEncoding() {
    }

    static String encode(String path) {
        StringBuilder out = new StringBuilder(path.length() + 16);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isPathChar(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return out.toString();
    }

    private static boolean isPathChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "/-._~!$&'()*,;=:@".indexOf(c) >= 0;
    }
}
