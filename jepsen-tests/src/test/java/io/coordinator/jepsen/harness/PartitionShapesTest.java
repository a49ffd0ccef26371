package io.coordinator.jepsen.harness;

import io.coordinator.jepsen.cluster.NetworkFaults.Link;
import io.coordinator.jepsen.harness.PartitionShapes.Cut;
import io.coordinator.jepsen.harness.PartitionShapes.Shape;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each shape cuts exactly the links its name promises, seen as who can still send to whom. */
class PartitionShapesTest {
    private static final List<String> THREE = List.of("m1", "m2", "m3");
    private static final List<String> FIVE = List.of("m1", "m2", "m3", "m4", "m5");

    /** Members {@code from} can still send to. */
    private static Map<String, Set<String>> reach(List<String> members, Cut cut) {
        Map<String, Set<String>> reach = new HashMap<>();
        for (String from : members) {
            Set<String> to = new TreeSet<>();
            for (String other : members) {
                if (!other.equals(from) && !cut.links().contains(new Link(from, other))) {
                    to.add(other);
                }
            }
            reach.put(from, to);
        }
        return reach;
    }

    @Test
    void isolatingTheLeaderCutsItBothWaysAndNothingElse() {
        Cut cut = PartitionShapes.build(Shape.ISOLATE_LEADER, new Random(1), THREE, "m2");
        Map<String, Set<String>> reach = reach(THREE, cut);
        assertEquals(Set.of(), reach.get("m2"));
        assertEquals(Set.of("m3"), reach.get("m1"));
        assertEquals(Set.of("m1"), reach.get("m3"));
        assertEquals(4, cut.links().size());
    }

    @Test
    void aBridgeKeepsOneFollowerInTouchWithBothHalvesThatCannotTalk() {
        for (long seed = 0; seed < 20; seed++) {
            Cut cut = PartitionShapes.build(Shape.BRIDGE, new Random(seed), FIVE, "m1");
            Map<String, Set<String>> reach = reach(FIVE, cut);
            List<String> bridges = FIVE.stream().filter(m -> reach.get(m).size() == 4).toList();
            assertEquals(1, bridges.size(), cut.description());
            assertFalse(bridges.contains("m1"), "the leader is never the bridge: " + cut.description());
            for (String member : FIVE) {
                if (!bridges.contains(member)) {
                    assertEquals(2, reach.get(member).size(), member + " reaches its half and the bridge: " + cut.description());
                }
            }
        }
        Map<String, Set<String>> three = reach(THREE, PartitionShapes.build(Shape.BRIDGE, new Random(3), THREE, "m1"));
        assertEquals(1, three.values().stream().filter(to -> to.size() == 2).count());
    }

    @Test
    void oneWayCutsDropOnlyOneDirection() {
        Map<String, Set<String>> cannotSend = reach(THREE, PartitionShapes.build(Shape.LEADER_CANNOT_SEND, new Random(1), THREE, "m3"));
        assertEquals(Set.of(), cannotSend.get("m3"));
        assertTrue(cannotSend.get("m1").contains("m3") && cannotSend.get("m2").contains("m3"));

        Map<String, Set<String>> cannotHear = reach(THREE, PartitionShapes.build(Shape.LEADER_CANNOT_HEAR, new Random(1), THREE, "m3"));
        assertEquals(Set.of("m1", "m2"), cannotHear.get("m3"));
        assertFalse(cannotHear.get("m1").contains("m3"));
        assertFalse(cannotHear.get("m2").contains("m3"));
    }

    @Test
    void inAMajoritiesRingEachMemberReachesTwoNeighboursAndNoTwoShareAMajority() {
        Cut cut = PartitionShapes.build(Shape.MAJORITIES_RING, new Random(9), FIVE, "m4");
        Map<String, Set<String>> reach = reach(FIVE, cut);
        Set<Set<String>> majorities = new java.util.HashSet<>();
        for (String member : FIVE) {
            assertEquals(2, reach.get(member).size(), cut.description());
            Set<String> majority = new TreeSet<>(reach.get(member));
            majority.add(member);
            majorities.add(majority);
            for (String neighbour : reach.get(member)) {
                assertTrue(reach.get(neighbour).contains(member), "ring links are cut both ways or not at all");
            }
        }
        assertEquals(5, majorities.size(), "every member sees a different majority");
    }

    @Test
    void aMinorityOfFiveIsTwoMembersCutFromThree() {
        Cut cut = PartitionShapes.build(Shape.MAJORITY_MINORITY, new Random(4), FIVE, "m1");
        Map<String, Set<String>> reach = reach(FIVE, cut);
        assertEquals(2, FIVE.stream().filter(m -> reach.get(m).size() == 1).count(), cut.description());
        assertEquals(3, FIVE.stream().filter(m -> reach.get(m).size() == 2).count(), cut.description());
    }

    @Test
    void threeMembersDrawNeitherTheRingNorASplitThatIsAnIsolationAgain() {
        Set<Shape> drawn = EnumSet.noneOf(Shape.class);
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            drawn.add(PartitionShapes.draw(random, THREE, "m1").shape());
        }
        assertEquals(EnumSet.of(Shape.ISOLATE_LEADER, Shape.ISOLATE_MEMBER, Shape.BRIDGE, Shape.LEADER_CANNOT_SEND,
                Shape.LEADER_CANNOT_HEAR), drawn);
        Set<Shape> drawnOfFive = EnumSet.noneOf(Shape.class);
        for (int i = 0; i < 500; i++) {
            drawnOfFive.add(PartitionShapes.draw(random, FIVE, "m1").shape());
        }
        assertEquals(EnumSet.allOf(Shape.class), drawnOfFive);
    }
}
