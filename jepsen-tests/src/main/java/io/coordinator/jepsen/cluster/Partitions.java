package io.coordinator.jepsen.cluster;

import io.coordinator.server.config.MemberAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The network nemesis of a {@link ProcessCluster}: one {@link FaultProxy} per directed peer link.
 * Member A reaches member B's raft port only through the proxy of link (A, B); that connection
 * carries A's requests to B and B's answers to A, so cutting a link cuts both ways of everything A
 * initiates towards B. A member talks to itself directly, and client ports are never proxied.
 *
 * <p>Every change applies to all affected links at once and is in effect when the call returns.
 * Each change is logged and kept in a {@link #timeline()} for the run's report. Its {@link Link}
 * means the connections that {@code from} opens to {@code to}'s raft port.
 */
public final class Partitions implements NetworkFaults {
    private static final Logger log = LoggerFactory.getLogger(Partitions.class);

    private final List<String> memberIds;
    private final Map<Link, FaultProxy> proxies;
    private final Clock clock;
    private final List<FaultEvent> timeline = new ArrayList<>();

    private Partitions(List<String> memberIds, Map<Link, FaultProxy> proxies, Clock clock) {
        this.memberIds = List.copyOf(memberIds);
        this.proxies = Collections.unmodifiableMap(proxies);
        this.clock = clock;
    }

    /**
     * Starts a proxy for every ordered pair of members, each on its own free port of
     * {@code members}' host that collides with none of {@code reservedPorts}.
     */
    public static Partitions start(List<MemberAddress> members, Collection<Integer> reservedPorts, Clock clock)
            throws IOException {
        Map<Link, FaultProxy> proxies = new LinkedHashMap<>();
        try {
            for (MemberAddress from : members) {
                for (MemberAddress to : members) {
                    if (!from.id().equals(to.id())) {
                        Link link = new Link(from.id(), to.id());
                        proxies.put(link, startProxy(link, to, reservedPorts));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            proxies.values().forEach(FaultProxy::close);
            throw e;
        }
        return new Partitions(members.stream().map(MemberAddress::id).toList(), proxies, clock);
    }

    private static FaultProxy startProxy(Link link, MemberAddress to, Collection<Integer> reservedPorts)
            throws IOException {
        InetSocketAddress target = new InetSocketAddress(to.host(), to.raftPort());
        List<FaultProxy> unlucky = new ArrayList<>();
        try {
            // An ephemeral port is free by construction; only a member's planned port can still clash.
            for (int attempt = 0; attempt < 10; attempt++) {
                FaultProxy proxy = FaultProxy.start(link.toString(), new InetSocketAddress(to.host(), 0), target);
                if (!reservedPorts.contains(proxy.port())) {
                    return proxy;
                }
                unlucky.add(proxy);
            }
            throw new IOException("no proxy port for " + link + " outside the members' ports");
        } finally {
            unlucky.forEach(FaultProxy::close);
        }
    }

    /** The port member {@code from} must use to reach {@code to}'s raft port. */
    public int proxyPort(String from, String to) {
        return proxy(from, to).port();
    }

    /** Cuts every link to and from {@code memberId} (a real partition: silence, not resets). */
    @Override
    public void isolate(String memberId) {
        isolate(memberId, LinkMode.BLACKHOLE);
    }

    public void isolate(String memberId, LinkMode mode) {
        requireMember(memberId);
        Set<String> others = new TreeSet<>(memberIds);
        others.remove(memberId);
        partition(Set.of(memberId), others, mode, "isolate " + memberId);
    }

    /**
     * Heals everything, then cuts every link between a member of {@code side1} and a member of
     * {@code side2}, both ways. Members in neither side still reach everyone (a bridge).
     */
    @Override
    public void partition(Set<String> side1, Set<String> side2) {
        partition(side1, side2, LinkMode.BLACKHOLE);
    }

    public void partition(Set<String> side1, Set<String> side2, LinkMode mode) {
        partition(side1, side2, mode, "partition " + new TreeSet<>(side1) + " | " + new TreeSet<>(side2));
    }

    private void partition(Set<String> side1, Set<String> side2, LinkMode mode, String description) {
        if (side1.isEmpty() || side2.isEmpty()) {
            throw new IllegalArgumentException("both sides of a partition need a member");
        }
        side1.forEach(this::requireMember);
        side2.forEach(this::requireMember);
        Set<String> both = new HashSet<>(side1);
        both.retainAll(side2);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("members on both sides: " + both);
        }
        if (mode == LinkMode.PASS) {
            throw new IllegalArgumentException("a partition needs BLACKHOLE or RESET, not PASS");
        }
        Map<Link, LinkMode> modes = new LinkedHashMap<>();
        for (Link link : proxies.keySet()) {
            boolean across = side1.contains(link.from()) && side2.contains(link.to())
                    || side2.contains(link.from()) && side1.contains(link.to());
            modes.put(link, across ? mode : LinkMode.PASS);
        }
        apply(modes, description + " (" + mode + ")");
    }

    /**
     * Heals everything, then drops every byte a member of {@code senders} sends to a member of
     * {@code receivers}, on connections either side opened, while traffic the other way still flows:
     * a one-way cut (a bad NIC, an asymmetric firewall rule).
     */
    @Override
    public void dropOneWay(Set<String> senders, Set<String> receivers) {
        senders.forEach(this::requireMember);
        receivers.forEach(this::requireMember);
        Map<Link, LinkMode> modes = new LinkedHashMap<>();
        for (Link link : proxies.keySet()) {
            LinkMode mode = LinkMode.PASS;
            if (senders.contains(link.from()) && receivers.contains(link.to())) {
                mode = LinkMode.DROP_FORWARD; // the sender's requests
            } else if (receivers.contains(link.from()) && senders.contains(link.to())) {
                mode = LinkMode.DROP_BACKWARD; // the sender's answers
            }
            modes.put(link, mode);
        }
        apply(modes, "drop " + new TreeSet<>(senders) + " -> " + new TreeSet<>(receivers) + " (one way)");
    }

    /**
     * A proxy carries the connections one member opens to another, so a directed cut maps onto the two
     * proxies between a pair: cutting {@code a -> b} drops {@code a}'s requests on (a, b)'s proxy and
     * {@code a}'s answers on (b, a)'s; both directions cut is a blackhole on both.
     */
    @Override
    public void cut(Set<Link> links, String description) {
        for (Link link : links) {
            requireMember(link.from());
            requireMember(link.to());
        }
        Map<Link, LinkMode> modes = new LinkedHashMap<>();
        for (Link link : proxies.keySet()) {
            boolean forward = links.contains(link);
            boolean backward = links.contains(new Link(link.to(), link.from()));
            modes.put(link, forward && backward ? LinkMode.BLACKHOLE
                    : forward ? LinkMode.DROP_FORWARD : backward ? LinkMode.DROP_BACKWARD : LinkMode.PASS);
        }
        apply(modes, description);
    }

    /** Every link back to PASS. */
    @Override
    public void heal() {
        Map<Link, LinkMode> modes = new LinkedHashMap<>();
        proxies.keySet().forEach(link -> modes.put(link, LinkMode.PASS));
        apply(modes, "heal");
    }

    /** Sets one directed link and leaves the others as they are: for asymmetric faults. */
    public void set(String from, String to, LinkMode mode) {
        proxy(from, to);
        apply(Map.of(new Link(from, to), mode), "link " + from + "->" + to);
    }

    public LinkMode mode(String from, String to) {
        return proxy(from, to).mode();
    }

    /** Links not in PASS. */
    public synchronized Map<Link, LinkMode> faults() {
        Map<Link, LinkMode> faults = new LinkedHashMap<>();
        proxies.forEach((link, proxy) -> {
            if (proxy.mode() != LinkMode.PASS) {
                faults.put(link, proxy.mode());
            }
        });
        return faults;
    }

    public Map<Link, FaultProxy.Stats> stats() {
        Map<Link, FaultProxy.Stats> stats = new LinkedHashMap<>();
        proxies.forEach((link, proxy) -> stats.put(link, proxy.stats()));
        return stats;
    }

    /** Every change so far, in order. */
    @Override
    public synchronized List<FaultEvent> timeline() {
        return List.copyOf(timeline);
    }

    private synchronized void apply(Map<Link, LinkMode> modes, String description) {
        List<CompletableFuture<Void>> changes = new ArrayList<>();
        modes.forEach((link, mode) -> changes.add(proxies.get(link).setModeAsync(mode)));
        RuntimeException failure = null;
        for (CompletableFuture<Void> change : changes) {
            try {
                FaultProxy.await(change);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        FaultEvent event = new FaultEvent(clock.instant(), description + "; faulty links: " + describe(faults()));
        timeline.add(event);
        log.info("nemesis: {}", event.description());
        if (failure != null) {
            throw failure;
        }
    }

    private static String describe(Map<Link, LinkMode> faults) {
        if (faults.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        faults.forEach((link, mode) -> parts.add(link + "=" + mode));
        return String.join(", ", parts);
    }

    private FaultProxy proxy(String from, String to) {
        FaultProxy proxy = proxies.get(new Link(from, to));
        if (proxy == null) {
            throw new IllegalArgumentException("no link " + from + "->" + to + " among " + memberIds);
        }
        return proxy;
    }

    private void requireMember(String memberId) {
        if (!memberIds.contains(memberId)) {
            throw new IllegalArgumentException("unknown member " + memberId + "; members are " + memberIds);
        }
    }

    @Override
    public void close() {
        proxies.values().forEach(FaultProxy::close);
    }
}
