package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.cluster.NetworkFaults.Link;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shapes of network partition the nemesis draws from, after Jepsen's partition nemeses, each as
 * the set of directed links it cuts. Pure: which members, and who leads now, in; links out.
 */
final class PartitionShapes {
    /** One shape. */
    enum Shape {
        /** The leader alone on one side: the classic minority leader. */
        ISOLATE_LEADER,
        /** A random member alone: usually a follower, which must not stall the majority. */
        ISOLATE_MEMBER,
        /** A random minority against the rest (with 3 members, one member: as ISOLATE_MEMBER). */
        MAJORITY_MINORITY,
        /**
         * Two halves that cannot reach each other, and one member (not the leader) that reaches both:
         * every member sees a majority through it, but the halves do not agree on one.
         */
        BRIDGE,
        /** The leader's messages to the others are dropped; it still hears them (an asymmetric link). */
        LEADER_CANNOT_SEND,
        /** The others' messages to the leader are dropped; it still reaches them. */
        LEADER_CANNOT_HEAR,
        /**
         * Jepsen's majorities ring (5 members or more): each member reaches only its neighbours on a
         * ring, so each sees a majority with itself, and no two see the same one.
         */
        MAJORITIES_RING;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A drawn partition: what it is called and the links it cuts. */
    record Cut(Shape shape, String description, Set<Link> links) {
    }

    private PartitionShapes() {
    }

    /** The shapes that make sense for {@code members} members (the ring needs 5). */
    static List<Shape> available(int members) {
        List<Shape> shapes = new ArrayList<>(List.of(Shape.values()));
        if (members < 5) {
            shapes.remove(Shape.MAJORITIES_RING);
            shapes.remove(Shape.MAJORITY_MINORITY); // with 3 members it is ISOLATE_MEMBER again
        }
        return shapes;
    }

    /** Draws a shape among {@link #available} and builds it; {@code leader} may be any member. */
    static Cut draw(Random random, List<String> members, String leader) {
        List<Shape> shapes = available(members.size());
        return build(shapes.get(random.nextInt(shapes.size())), random, members, leader);
    }

    static Cut build(Shape shape, Random random, List<String> members, String leader) {
        if (!members.contains(leader)) {
            throw new IllegalArgumentException("leader " + leader + " is not among " + members);
        }
        List<String> others = new ArrayList<>(members);
        others.remove(leader);
        return switch (shape) {
            case ISOLATE_LEADER -> split(shape, Set.of(leader), members, " (leader)");
            case ISOLATE_MEMBER -> {
                String member = members.get(random.nextInt(members.size()));
                yield split(shape, Set.of(member), members, member.equals(leader) ? " (leader)" : "");
            }
            case MAJORITY_MINORITY -> {
                List<String> shuffled = new ArrayList<>(members);
                Collections.shuffle(shuffled, random);
                yield split(shape, new TreeSet<>(shuffled.subList(0, (members.size() - 1) / 2)), members, "");
            }
            case BRIDGE -> bridge(random, members, others);
            case LEADER_CANNOT_SEND -> new Cut(shape, "one-way: " + leader + " (leader) -> " + others + " dropped",
                    links(Set.of(leader), new TreeSet<>(others)));
            case LEADER_CANNOT_HEAR -> new Cut(shape, "one-way: " + others + " -> " + leader + " (leader) dropped",
                    links(new TreeSet<>(others), Set.of(leader)));
            case MAJORITIES_RING -> ring(random, members);
        };
    }

    private static Cut split(Shape shape, Set<String> minority, List<String> members, String note) {
        Set<String> rest = new TreeSet<>(members);
        rest.removeAll(minority);
        Set<Link> links = new LinkedHashSet<>(links(minority, rest));
        links.addAll(links(rest, minority));
        return new Cut(shape, shape.word() + ": " + new TreeSet<>(minority) + note + " | " + rest, links);
    }

    /** The bridge is a follower, so that the leader sits in one half and the other half must follow it or elect. */
    private static Cut bridge(Random random, List<String> members, List<String> followers) {
        String bridge = followers.get(random.nextInt(followers.size()));
        List<String> rest = new ArrayList<>(members);
        rest.remove(bridge);
        Collections.shuffle(rest, random);
        Set<String> half1 = new TreeSet<>(rest.subList(0, rest.size() / 2));
        Set<String> half2 = new TreeSet<>(rest.subList(rest.size() / 2, rest.size()));
        Set<Link> links = new LinkedHashSet<>(links(half1, half2));
        links.addAll(links(half2, half1));
        return new Cut(Shape.BRIDGE, "bridge: " + half1 + " | " + half2 + ", " + bridge + " reaches both", links);
    }

    private static Cut ring(Random random, List<String> members) {
        List<String> order = new ArrayList<>(members);
        Collections.shuffle(order, random);
        int n = order.size();
        Set<Link> links = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                if (i != j && distance > 1) {
                    links.add(new Link(order.get(i), order.get(j)));
                }
            }
        }
        return new Cut(Shape.MAJORITIES_RING, "majorities ring: " + String.join("-", order) + "-" + order.get(0)
                + ", each reaches only its neighbours", links);
    }

    private static Set<Link> links(Set<String> senders, Set<String> receivers) {
        Set<Link> links = new LinkedHashSet<>();
        for (String from : senders) {
            for (String to : receivers) {
                if (!from.equals(to)) {
                    links.add(new Link(from, to));
                }
            }
        }
        return links;
    }
}
