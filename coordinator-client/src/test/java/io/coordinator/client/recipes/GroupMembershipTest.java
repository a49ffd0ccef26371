package io.coordinator.client.recipes;

import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.support.CuttableProxy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.coordinator.client.recipes.RecipeCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GroupMembership} on three real members in this JVM; each test has a group of its own. */
class GroupMembershipTest extends RecipeTestBase {

    private static void assertInRevisionOrder(List<GroupView> views) {
        for (int i = 1; i < views.size(); i++) {
            assertTrue(views.get(i).revision() > views.get(i - 1).revision(), "views out of order: " + views);
            assertFalse(views.get(i).sameMembers(views.get(i - 1)), "a view repeated: " + views);
        }
    }

    @Test
    void joinReadLeaveAndAListenerHearsEveryChangeInOrder() throws Exception {
        String path = "/groups/workers";
        Coordinator admin = cluster.client();
        List<GroupView> views = new CopyOnWriteArrayList<>();
        Subscription listening = cluster.keep(new GroupMembership(admin, path).listen(views::add));
        assertEquals(Set.of(), views.get(0).members().keySet());

        GroupMember a = new GroupMembership(cluster.client(), path).join("a", utf8("10.0.0.1"));
        await().atMost(WAIT).until(() -> views.get(views.size() - 1).members().keySet().equals(Set.of("a")));
        Coordinator bClient = cluster.client();
        GroupMember b = new GroupMembership(bClient, path).join("b", utf8("10.0.0.2"));
        assertTrue(a.isMember() && b.isMember());
        assertThrows(CoordinatorException.NodeExistsException.class,
                () -> new GroupMembership(cluster.client(), path).join("a", utf8("impostor")));
        assertThrows(IllegalArgumentException.class, () -> new GroupMembership(admin, path).join("x/y", new byte[0]));

        GroupView both = new GroupMembership(admin, path).members();
        assertEquals(List.of("a", "b"), List.copyOf(both.members().keySet()));
        assertEquals("10.0.0.2", new String(both.members().get("b"), StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> views.get(views.size() - 1).sameMembers(both));

        b.leave();
        b.leave();
        assertEquals(GroupMember.Reason.LEFT, b.ended().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        a.leave();
        await().atMost(WAIT).until(() -> views.get(views.size() - 1).members().isEmpty());
        assertInRevisionOrder(views);
        // Each change is heard (joins and leaves spaced by the awaits above could only merge at the end).
        assertTrue(views.stream().anyMatch(v -> v.members().keySet().equals(Set.of("a", "b"))), views.toString());
        listening.close();
        new GroupMembership(cluster.client(), path).join("c", new byte[0]);
        assertTrue(views.stream().noneMatch(v -> v.members().containsKey("c")), "nothing heard after close");
    }

    @Test
    void aMemberWhoseSessionIsLostLeavesTheGroupAndMayJoinAgain() throws Exception {
        String path = "/groups/lossy";
        Coordinator admin = cluster.client();
        List<GroupView> views = new CopyOnWriteArrayList<>();
        cluster.keep(new GroupMembership(admin, path).listen(views::add));
        CuttableProxy proxy = cluster.keep(new CuttableProxy(cluster.cluster.endpoint(0)));
        Coordinator cutClient = cluster.client(proxy.endpoint(), 2_000);
        GroupMembership group = new GroupMembership(cutClient, path);
        GroupMember member = group.join("flaky", utf8("v1"));
        await().atMost(WAIT).until(() -> views.get(views.size() - 1).members().containsKey("flaky"));

        proxy.cut();
        assertEquals(GroupMember.Reason.SESSION_LOST, member.ended().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertFalse(member.isMember());
        await().atMost(WAIT).until(() -> !views.get(views.size() - 1).members().containsKey("flaky"));
        assertFalse(new GroupMembership(admin, path).members().members().containsKey("flaky"));

        // Back on the network, the client joins with a new session (NODE_EXISTS only until the old one ended).
        proxy.heal();
        GroupMember again = await().atMost(WAIT).ignoreExceptions().until(() -> group.join("flaky", utf8("v2")), m -> true);
        assertTrue(again.sessionId() != member.sessionId());
        await().atMost(WAIT).until(() -> "v2".equals(data(views.get(views.size() - 1), "flaky")));
        assertInRevisionOrder(views);
        again.leave();
    }

    private static String data(GroupView view, String id) {
        byte[] data = view.members().get(id);
        return data == null ? null : new String(data, StandardCharsets.UTF_8);
    }
}
