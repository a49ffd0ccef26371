package io.coordinator.jepsen.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Cuts and heals the links between the members of a {@link ProcessCluster}, whatever does the cutting:
 * {@link Partitions} (a fault proxy on every peer link, anywhere) or {@link IptablesFaults} (iptables
 * rules inside each member's network namespace, root only). A cut is silence, never a reset; client
 * traffic to a member is never cut, so a test can still ask an isolated member what it thinks.
 *
 * <p>Every change replaces the previous one (one fault at a time), is in effect when the call returns,
 * and is kept in {@link #timeline()}.
 */
public interface NetworkFaults extends AutoCloseable {
    /** A directed peer link: what {@code from} sends to {@code to}. */
    record Link(String from, String to) {
        @Override
        public String toString() {
            return from + "->" + to;
        }
    }

    /** One fault action, with the time it took effect. */
    record FaultEvent(Instant at, String description) {
    }

    /** Cuts every link to and from {@code memberId}. */
    void isolate(String memberId);

    /**
     * Heals everything, then cuts every link between a member of {@code side1} and a member of
     * {@code side2}, both ways. Members in neither side still reach everyone (a bridge).
     */
    void partition(Set<String> side1, Set<String> side2);

    /**
     * Heals everything, then drops everything a member of {@code senders} sends to a member of
     * {@code receivers}, while traffic the other way still flows.
     */
    void dropOneWay(Set<String> senders, Set<String> receivers);

    /**
     * Heals everything, then drops what each of {@code links} carries ({@code from}'s traffic to
     * {@code to}), every other link whole: any shape of partition, a ring or a bridge included.
     *
     * @param description what the cut is, for the timeline ("ring m1-m2-m3-m4-m5")
     */
    void cut(Set<Link> links, String description);

    /** Every link whole again. */
    void heal();

    /** Every change so far, in order. */
    List<FaultEvent> timeline();

    @Override
    void close();
}
