package io.coordinator.core.session;

import io.coordinator.core.api.Response;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The results of a session's most recent sequenced writes, so that a retry after a lost reply gets
 * the first answer instead of a second application.
 */
public final class DedupWindow {

    /** What a sequenced write answered, at the revision it answered with. */
    public record Remembered(long revision, Response response) {
    }

    private final TreeMap<Long, Remembered> bySequence = new TreeMap<>();

    /** @return the remembered result (its own copy, which the caller may keep), or null */
    public Remembered lookup(long sequence) {
        Remembered remembered = bySequence.get(sequence);
        return remembered == null ? null : new Remembered(remembered.revision(), isolated(remembered.response()));
    }

    /**
     * True when the window is full and {@code sequence} is below everything in it: its result, if
     * it was ever applied, has been forgotten, so neither applying nor answering it would be safe.
     */
    public boolean isOlderThanWindow(long sequence, int capacity) {
        return bySequence.size() >= capacity && sequence < bySequence.firstKey();
    }

    /** Remembers a result, forgetting the lowest sequences beyond the capacity. */
    public void remember(long sequence, long revision, Response response, int capacity) {
        if (bySequence.containsKey(sequence)) {
            throw new IllegalStateException("sequence " + sequence + " is already remembered");
        }
        bySequence.put(sequence, new Remembered(revision, isolated(response)));
        while (bySequence.size() > capacity) {
            bySequence.pollFirstEntry();
        }
    }

    /**
     * A copy that shares no mutable array with {@code response}: what a caller does with the bytes it
     * got must not change what this member answers later, or writes into its snapshot.
     */
    static Response isolated(Response response) {
        if (response instanceof Response.Data data) {
            return new Response.Data(data.data().clone(), data.stat());
        }
        if (response instanceof Response.TxnResult txn
                && txn.results().stream().anyMatch(r -> r instanceof Response.Data)) {
            return new Response.TxnResult(txn.succeeded(), txn.results().stream().map(DedupWindow::isolated).toList());
        }
        return response;
    }

    public NavigableMap<Long, Remembered> entries() {
        return Collections.unmodifiableNavigableMap(bySequence);
    }

    public int size() {
        return bySequence.size();
    }
}
