package io.coordinator.jepsen.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The network nemesis of a {@link ProcessCluster} whose members live in a {@link NetnsNetwork}: a cut
 * link {@code A->B} is two iptables DROP rules, {@code OUTPUT -d B} in A's namespace and
 * {@code INPUT -s A} in B's. So a one-way cut drops what A sends to B on every connection, whoever
 * opened it, while B's packets still reach A; a partition is both directions. Packets are dropped,
 * not refused: the ends see silence, and TCP retransmits once the link heals, as on a real network.
 * The root namespace (this JVM, clients) is never filtered.
 *
 * <p>Each change rewrites the filter table of every member's namespace with {@code iptables-restore}
 * (atomic per namespace, all namespaces at once) and is in effect when the call returns.
 */
public final class IptablesFaults implements NetworkFaults {
    private static final Logger log = LoggerFactory.getLogger(IptablesFaults.class);

    private final NetnsNetwork network;
    private final List<String> memberIds;
    private final Clock clock;
    private final List<FaultEvent> timeline = new ArrayList<>();
    private Set<Link> cut = Set.of();

    public IptablesFaults(NetnsNetwork network, Clock clock) {
        this.network = network;
        this.memberIds = network.memberIds();
        this.clock = clock;
    }

    @Override
    public void isolate(String memberId) {
        requireMember(memberId);
        Set<String> others = new TreeSet<>(memberIds);
        others.remove(memberId);
        apply(across(Set.of(memberId), others), "isolate " + memberId);
    }

    @Override
    public void partition(Set<String> side1, Set<String> side2) {
        if (side1.isEmpty() || side2.isEmpty()) {
            throw new IllegalArgumentException("both sides of a partition need a member");
        }
        Set<String> both = new HashSet<>(side1);
        both.retainAll(side2);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("members on both sides: " + both);
        }
        apply(across(side1, side2), "partition " + new TreeSet<>(side1) + " | " + new TreeSet<>(side2));
    }

    private Set<Link> across(Set<String> side1, Set<String> side2) {
        Set<Link> links = new LinkedHashSet<>(oneWay(side1, side2));
        links.addAll(oneWay(side2, side1));
        return links;
    }

    @Override
    public void dropOneWay(Set<String> senders, Set<String> receivers) {
        apply(oneWay(senders, receivers), "drop " + new TreeSet<>(senders) + " -> " + new TreeSet<>(receivers) + " (one way)");
    }

    private Set<Link> oneWay(Set<String> senders, Set<String> receivers) {
        senders.forEach(this::requireMember);
        receivers.forEach(this::requireMember);
        Set<Link> links = new LinkedHashSet<>();
        for (String from : new TreeSet<>(senders)) {
            for (String to : new TreeSet<>(receivers)) {
                if (!from.equals(to)) {
                    links.add(new Link(from, to));
                }
            }
        }
        return links;
    }

    @Override
    public void cut(Set<Link> links, String description) {
        for (Link link : links) {
            requireMember(link.from());
            requireMember(link.to());
        }
        apply(new LinkedHashSet<>(links), description);
    }

    @Override
    public void heal() {
        apply(Set.of(), "heal");
    }

    /** The links cut now. */
    public synchronized Set<Link> cut() {
        return Set.copyOf(cut);
    }

    @Override
    public synchronized List<FaultEvent> timeline() {
        return List.copyOf(timeline);
    }

    private synchronized void apply(Set<Link> links, String description) {
        Map<String, HostCommand.Pending> pending = new LinkedHashMap<>();
        for (String member : memberIds) {
            pending.put(member, network.restoreRules(member, rules(member, links)));
        }
        List<String> failures = new ArrayList<>();
        pending.forEach((member, command) -> {
            HostCommand.Result result = HostCommand.await(command);
            if (!result.ok()) {
                failures.add(member + ": " + result.output().strip());
            }
        });
        // At the JVM's exit the network's hook may remove the namespaces while another hook heals:
        // there is nothing left to heal then, and no error to report.
        boolean gone = network.isClosed();
        cut = Set.copyOf(links);
        FaultEvent event = new FaultEvent(clock.instant(), description + (gone ? "; not applied: the namespaces are removed"
                : "; cut (iptables): " + (links.isEmpty() ? "none" : String.join(", ", links.stream().map(Link::toString).toList()))));
        timeline.add(event);
        log.info("nemesis: {}", event.description());
        if (!failures.isEmpty() && !gone) {
            throw new IllegalStateException("iptables-restore failed for " + failures);
        }
    }

    /** The whole filter table of {@code member}'s namespace, for iptables-restore. */
    String rules(String member, Set<Link> links) {
        StringBuilder rules = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (Link link : links) {
            if (link.from().equals(member)) {
                rules.append("-A OUTPUT -d ").append(network.address(link.to())).append("/32 -j DROP\n");
            }
            if (link.to().equals(member)) {
                rules.append("-A INPUT -s ").append(network.address(link.from())).append("/32 -j DROP\n");
            }
        }
        return rules.append("COMMIT\n").toString();
    }

    private void requireMember(String memberId) {
        if (!memberIds.contains(memberId)) {
            throw new IllegalArgumentException("unknown member " + memberId + "; members are " + memberIds);
        }
    }

    /** The rules go with the namespaces; {@link NetnsNetwork#close()} removes both. */
    @Override
    public void close() {
    }
}
