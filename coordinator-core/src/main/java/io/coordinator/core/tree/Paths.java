package io.coordinator.core.tree;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;

/** Path syntax: absolute, no empty, "." or ".." segment, no trailing slash but the root's, no control characters. */
public final class Paths {

    public static final String ROOT = "/";

    /** Digits of a sequential node's suffix: enough for any non-negative long, so names sort. */
    public static final int SEQUENCE_DIGITS = 19;

    private static final int DESCRIBE_CHARS_MAX = 120;

    private Paths() {
    }

    /**
     * Checks a path and its UTF-8 length.
     *
     * @return null when the path is valid, else the failure to answer with
     */
    public static Response.Failure check(String path, int lengthBytesMax) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return invalid(path, "must start with /");
        }
        if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
            return invalid(path, "must not end with /");
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                if (path.length() > 1) {
                    Response.Failure bad = checkSegment(path, segmentStart, i);
                    if (bad != null) {
                        return bad;
                    }
                }
                segmentStart = i + 1;
                continue;
            }
            char c = path.charAt(i);
            if (Character.isISOControl(c)) {
                return invalid(path, "contains a control character at index " + i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= path.length() || !Character.isLowSurrogate(path.charAt(i + 1))) {
                    return invalid(path, "is not valid UTF-16 at index " + i);
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return invalid(path, "is not valid UTF-16 at index " + i);
            }
        }
        long bytes = utf8Length(path);
        if (bytes > lengthBytesMax) {
            return new Response.Failure(ErrorCode.TOO_LARGE,
                    "path " + describe(path) + " is " + bytes + " bytes, over the limit of " + lengthBytesMax);
        }
        return null;
    }

    private static Response.Failure checkSegment(String path, int start, int end) {
        int length = end - start;
        if (length == 0) {
            return invalid(path, "has an empty segment");
        }
        if (path.charAt(start) == '.' && (length == 1 || (length == 2 && path.charAt(start + 1) == '.'))) {
            return invalid(path, "has a relative segment");
        }
        return null;
    }

    /** The parent of a valid path other than the root. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? ROOT : path.substring(0, slash);
    }

    /** The last segment of a valid path other than the root. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public static String child(String parent, String name) {
        return parent.equals(ROOT) ? ROOT + name : parent + "/" + name;
    }

    /** The suffix appended to a sequential node's requested path: the counter, zero-padded. */
    public static String sequenceSuffix(long counter) {
        String digits = Long.toString(counter);
        return "0".repeat(SEQUENCE_DIGITS - digits.length()) + digits;
    }

    /** UTF-8 length of a well-formed string; unpaired surrogates count as the 3 bytes of a replacement. */
    public static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** A path for an error message: truncated and with control characters escaped. */
    public static String describe(String path) {
        StringBuilder out = new StringBuilder(Math.min(path.length(), DESCRIBE_CHARS_MAX) + 8);
        for (int i = 0; i < path.length() && i < DESCRIBE_CHARS_MAX; i++) {
            char c = path.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                String hex = Integer.toHexString(c);
                out.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
            } else {
                out.append(c);
            }
        }
        if (path.length() > DESCRIBE_CHARS_MAX) {
            out.append("...");
        }
        return out.toString();
    }

    private static Response.Failure invalid(String path, String why) {
        return new Response.Failure(ErrorCode.INVALID_PATH, "path " + describe(path) + " " + why);
    }
}
