package io.coordinator.jepsen.checker;

/** A history that does not follow the format; the message starts with {@code FILE:LINE: }. */
public final class HistoryFormatException extends Exception {
    private final String source;
    private final long line;

    public HistoryFormatException(String source, long line, String problem) {
        super(source + ":" + line + ": " + problem);
        this.source = source;
        this.line = line;
    }

    public String source() {
        return source;
    }

    public long line() {
        return line;
    }
}
