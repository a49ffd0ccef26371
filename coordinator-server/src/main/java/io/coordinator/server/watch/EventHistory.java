package io.coordinator.server.watch;

import io.coordinator.core.api.WatchEvent;

import java.util.List;

/**
 * The last events a member applied, whole revisions at a time, bounded by a count of events and an
 * estimate of their bytes. Revisions are consecutive (every revision the state machine makes has at
 * least one event), so a revision's entry is found by its distance from the oldest one.
 *
 * <p>The oldest revision kept is always complete: eviction drops whole revisions, oldest first, and
 * never the newest one (so one revision larger than the bound is still kept, alone). Not thread-safe;
 * {@link WatchHub} guards it.
 */
final class EventHistory {
    /** What a revision's events cost here besides their data and paths: records, stat, list slots. */
    private static final int EVENT_OVERHEAD_BYTES = 160;

    record Entry(long revision, List<WatchEvent> events, long bytes) {
    }

    private final int eventsMax;
    private final long bytesMax;
    private Entry[] ring = new Entry[16];
    private int head;
    private int count;
    private long nextRevision;
    private int events;
    private long bytes;

    /** @param lastRevision the revision the history starts after: the first one it accepts is lastRevision + 1 */
    EventHistory(int eventsMax, long bytesMax, long lastRevision) {
        if (eventsMax <= 0 || bytesMax <= 0) {
            throw new IllegalArgumentException("history bounds must be positive");
        }
        this.eventsMax = eventsMax;
        this.bytesMax = bytesMax;
        this.nextRevision = lastRevision + 1;
    }

    /** The oldest revision a watch may start from: every revision from it on is here (or still to come). */
    long oldestRevision() {
        return count == 0 ? nextRevision : ring[head].revision();
    }

    long lastRevision() {
        return nextRevision - 1;
    }

    int eventCount() {
        return events;
    }

    long byteCount() {
        return bytes;
    }

    int revisionCount() {
        return count;
    }

    /** Adds the events of the next revision. */
    void append(long revision, List<WatchEvent> revisionEvents) {
        if (revision != nextRevision) {
            throw new IllegalStateException("history expected revision " + nextRevision + ", got " + revision);
        }
        if (revisionEvents.isEmpty()) {
            throw new IllegalArgumentException("revision " + revision + " has no events");
        }
        long entryBytes = 0;
        for (WatchEvent event : revisionEvents) {
            entryBytes += estimateBytes(event);
        }
        if (count == ring.length) {
            grow();
        }
        ring[(head + count) % ring.length] = new Entry(revision, List.copyOf(revisionEvents), entryBytes);
        count++;
        nextRevision++;
        events += revisionEvents.size();
        bytes += entryBytes;
        while (count > 1 && (events > eventsMax || bytes > bytesMax)) {
            Entry oldest = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            count--;
            events -= oldest.events().size();
            bytes -= oldest.bytes();
        }
        if (count > 0 && ring[head].revision() + count != nextRevision) {
            throw new IllegalStateException("history lost track of its revisions");
        }
    }

    /** The entry of {@code revision}, or null when it is not kept (too old, or not applied yet). */
    Entry get(long revision) {
        long offset = revision - oldestRevision();
        if (count == 0 || offset < 0 || offset >= count) {
            return null;
        }
        return ring[(int) ((head + offset) % ring.length)];
    }

    /** Forgets everything: the next revision accepted is {@code lastRevision} + 1. */
    void reset(long lastRevision) {
        ring = new Entry[16];
        head = 0;
        count = 0;
        events = 0;
        bytes = 0;
        nextRevision = lastRevision + 1;
    }

    private void grow() {
        Entry[] bigger = new Entry[ring.length * 2];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    static long estimateBytes(WatchEvent event) {
        return EVENT_OVERHEAD_BYTES + 2L * event.path().length() + event.data().length;
    }
}
