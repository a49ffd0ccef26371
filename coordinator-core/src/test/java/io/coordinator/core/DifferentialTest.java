package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Request;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Random command sequences against the state machine and {@link NaiveModel}: every response, every
 * event, every local read and the final tree must agree. Each sequence restores the machine from
 * its own snapshot halfway and carries on with the restored one.
 */
class DifferentialTest {

    private static final int SEQUENCES = 800;
    private static final int COMMANDS_PER_SEQUENCE = 150;
    /** Small bounds, so that limits are hit often. */
    private static final Limits LIMITS = new Limits(8, 26, 100, 1_000, 4, 5);

    private static final String[] NAMES = {"a", "b", "c"};
    private static final String[] BROKEN_PATHS = {"", "a", "/a/", "//", "/a//b", "/./a", "/a/..", "/a\u0000",
            "/\ud800", "/" + "x".repeat(30)};
    private static final CreateMode[] MODES = CreateMode.values();

    @Test
    void theMachineAgreesWithTheNaiveModelOnThousandsOfRandomCommands() throws IOException {
        int commands = 0;
        for (int seed = 0; seed < SEQUENCES; seed++) {
            commands += runSequence(seed);
        }
        assertEquals(SEQUENCES * COMMANDS_PER_SEQUENCE, commands);
    }

    private int runSequence(long seed) throws IOException {
        Random random = new Random(seed);
        Generator gen = new Generator(random);
        CoordinatorStateMachine machine = new CoordinatorStateMachine(LIMITS);
        NaiveModel model = new NaiveModel(LIMITS);
        gen.model = model;
        long index = 0;
        long now = 0;
        int restoreAt = COMMANDS_PER_SEQUENCE / 2 + random.nextInt(10);
        for (int step = 0; step < COMMANDS_PER_SEQUENCE; step++) {
            String where = "seed " + seed + " step " + step;
            if (step == restoreAt) {
                byte[] snapshot = Harness.snapshotOf(machine);
                machine = Harness.restore(snapshot, LIMITS);
                assertArrayEquals(snapshot, Harness.snapshotOf(machine), where + ": snapshot round trip");
            }
            now += random.nextInt(20) == 0 ? random.nextInt(1_200) : random.nextInt(25);
            if (random.nextInt(5) > 0) {
                index++;
            }
            Proposal proposal = gen.proposal();
            Applied expected = model.apply(proposal, now);
            Applied actual = machine.apply(proposal, index, now);
            assertEquals(Describe.applied(expected, false), Describe.applied(actual, false),
                    where + ": " + proposal);
            gen.observe(actual.response());
            Command.ClientCommand read = gen.readOnly();
            assertEquals(Describe.applied(model.read(read), false), Describe.applied(machine.read(read), false),
                    where + ": read " + read);
            machine.verifyInvariants();
        }
        assertEquals(model.revision, machine.revision());
        assertEquals(model.leaderTerm, machine.leaderTerm());
        assertEquals(model.dump(), dump(machine), "seed " + seed + ": final tree");
        for (long id = 0; id <= model.nextSession; id++) {
            NaiveModel.S session = model.sessions.get(id);
            assertEquals(session != null, machine.sessionAlive(id));
            assertEquals(session != null, session != null && machine.sessionMatches(id, session.secret));
        }
        return COMMANDS_PER_SEQUENCE;
    }

    /** The machine's tree as the model dumps its own, through the public read API only. */
    private static List<String> dump(CoordinatorStateMachine machine) {
        List<String> out = new ArrayList<>();
        List<String> pending = new ArrayList<>(List.of("/"));
        while (!pending.isEmpty()) {
            String path = pending.remove(pending.size() - 1);
            Response.Data data = assertInstanceOf(Response.Data.class,
                    machine.read(new Command.Execute(new Op.Get(path))).response());
            out.add(path + " " + Arrays.toString(data.data()) + " " + data.stat());
            Response.ChildrenResult children = assertInstanceOf(Response.ChildrenResult.class,
                    machine.read(new Command.Execute(new Op.Children(path, true))).response());
            for (int i = 0; i < children.names().size(); i++) {
                String child = (path.equals("/") ? "/" : path + "/") + children.names().get(i);
                Stat listed = children.stats().get(i);
                assertEquals(listed, ((Response.Data) machine.read(new Command.Execute(new Op.Get(child))).response()).stat());
                pending.add(child);
            }
        }
        Collections.sort(out);
        return out;
    }

    /** Draws commands that hit existing nodes, live sessions and recent sequences often enough to matter. */
    private static final class Generator {
        private final Random random;
        NaiveModel model;
        private final List<Long> openedSessions = new ArrayList<>();
        private final Map<Long, Long> lastSequence = new HashMap<>();

        Generator(Random random) {
            this.random = random;
        }

        void observe(Response response) {
            if (response instanceof Response.SessionOpened opened) {
                openedSessions.add(opened.sessionId());
            }
        }

        /**
         * Client commands as clients send them; internal ones as the leader's duties propose them,
         * but now and then forged: with a client's origin or with a session, which must change nothing.
         */
        Proposal proposal() {
            Command command = command();
            if (command instanceof Command.InternalCommand internal) {
                int roll = random.nextInt(20);
                if (roll == 0) {
                    return new Proposal(Proposal.Origin.CLIENT, pickSession(), random.nextInt(3), internal);
                }
                return roll == 1 ? new Proposal(Proposal.Origin.LEADER_DUTIES, pickSession(), 1, internal)
                        : Proposal.duty(internal);
            }
            Command.ClientCommand clientCommand = (Command.ClientCommand) command;
            if (random.nextInt(50) == 0) {
                return new Proposal(Proposal.Origin.LEADER_DUTIES, 0, 0, clientCommand);
            }
            return Proposal.of(request(clientCommand));
        }

        private Request request(Command.ClientCommand command) {
            long session = pickSession();
            long sequence = 0;
            if (session != 0 && random.nextInt(10) < 6) {
                long last = lastSequence.getOrDefault(session, 0L);
                int roll = random.nextInt(10);
                if (roll < 2 && last > 0) {
                    sequence = Math.max(1, last - random.nextInt(6)); // a retry, maybe beyond the window
                } else {
                    sequence = last + 1 + (roll == 9 ? random.nextInt(3) : 0);
                    lastSequence.put(session, sequence);
                }
            }
            return new Request(session, sequence, command);
        }

        private long pickSession() {
            int roll = random.nextInt(10);
            List<Long> live = new ArrayList<>(model.sessions.keySet());
            Collections.sort(live);
            if (roll < 3 || (live.isEmpty() && roll < 8)) {
                return roll == 0 && random.nextBoolean() ? 1 + random.nextInt(4) : 0;
            }
            if (roll < 9 && !live.isEmpty()) {
                return live.get(random.nextInt(live.size()));
            }
            return openedSessions.isEmpty() ? 0 : openedSessions.get(random.nextInt(openedSessions.size()));
        }

        private Command command() {
            int roll = random.nextInt(100);
            if (roll < 45) {
                return new Command.Execute(writeOp());
            }
            if (roll < 50) {
                return new Command.Execute(readOp());
            }
            if (roll < 65) {
                return txn(true);
            }
            if (roll < 73) {
                long ttl = random.nextInt(8) == 0 ? random.nextInt(2_000) : 100 + random.nextInt(900);
                return new Command.OpenSession(ttl, random.nextInt(3));
            }
            if (roll < 80) {
                List<Long> ids = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    ids.add(pickSession());
                }
                return new Command.KeepAlive(ids);
            }
            if (roll < 85) {
                long id = pickSession();
                NaiveModel.S s = model.sessions.get(id);
                long secret = s != null && random.nextInt(5) > 0 ? s.secret : random.nextInt(3);
                return new Command.CloseSession(id, secret);
            }
            if (roll < 88) {
                return new Command.LeaderChanged(model.leaderTerm + random.nextInt(3) - 1);
            }
            return new Command.Tick(random.nextInt(6) == 0 ? model.leaderTerm + 1 : model.leaderTerm);
        }

        Command.ClientCommand readOnly() {
            if (random.nextInt(8) == 0) {
                long id = pickSession();
                NaiveModel.S s = model.sessions.get(id);
                return new Command.CheckSession(id, s != null && random.nextBoolean() ? s.secret : random.nextInt(3));
            }
            return random.nextInt(4) == 0 ? txn(false) : new Command.Execute(readOp());
        }

        private Command.Txn txn(boolean writes) {
            List<Compare> compares = new ArrayList<>();
            for (int i = random.nextInt(3); i > 0; i--) {
                compares.add(compare());
            }
            return new Command.Txn(compares, ops(writes, random.nextInt(4)), ops(writes, random.nextInt(3)));
        }

        private List<Op> ops(boolean writes, int count) {
            List<Op> ops = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ops.add(writes && random.nextInt(3) > 0 ? writeOp() : readOp());
            }
            return ops;
        }

        private Compare compare() {
            Compare.Operator op = Compare.Operator.values()[random.nextInt(4)];
            String path = path();
            return switch (random.nextInt(6)) {
                case 0 -> Compare.version(path, op, random.nextInt(3) - 1);
                case 1 -> Compare.modRevision(path, op, model.revision - random.nextInt(4));
                case 2 -> Compare.createRevision(path, op, model.revision - random.nextInt(6));
                case 3 -> Compare.value(path, op, data());
                case 4 -> new Compare(Compare.Target.EXISTS, path, op, random.nextInt(3), null);
                default -> new Compare(Compare.Target.SESSION_ALIVE, "/", op, pickSession(), null);
            };
        }

        private Op writeOp() {
            int roll = random.nextInt(10);
            if (roll < 5) {
                CreateMode mode = MODES[random.nextInt(MODES.length)];
                long ttl = mode.hasTtl() ? (random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(400))
                        : (random.nextInt(15) == 0 ? 50 : 0);
                String path = mode.sequential() && random.nextBoolean() ? parentish() + (random.nextBoolean() ? "s" : "")
                        : path();
                return new Op.Create(path, data(), mode, ttl);
            }
            if (roll < 8) {
                return new Op.SetData(path(), data(), version());
            }
            return new Op.Delete(path(), version(), random.nextBoolean());
        }

        private Op readOp() {
            return switch (random.nextInt(3)) {
                case 0 -> new Op.Get(path());
                case 1 -> new Op.Exists(path());
                default -> new Op.Children(path(), random.nextBoolean());
            };
        }

        private int version() {
            int roll = random.nextInt(10);
            return roll < 6 ? -1 : roll < 9 ? random.nextInt(3) : -2;
        }

        /** A parent prefix for a sequential create, like "/a/" or "/". */
        private String parentish() {
            String parent = existingPath();
            return parent.equals("/") ? "/" : parent + "/";
        }

        private String path() {
            int roll = random.nextInt(20);
            if (roll == 0) {
                return BROKEN_PATHS[random.nextInt(BROKEN_PATHS.length)];
            }
            if (roll < 8) {
                return existingPath();
            }
            if (roll < 15) {
                return parentish() + NAMES[random.nextInt(NAMES.length)];
            }
            StringBuilder path = new StringBuilder();
            for (int depth = 1 + random.nextInt(3); depth > 0; depth--) {
                path.append('/').append(NAMES[random.nextInt(NAMES.length)]);
            }
            return path.toString();
        }

        private String existingPath() {
            List<String> paths = new ArrayList<>(model.nodes.keySet());
            Collections.sort(paths);
            return paths.get(random.nextInt(paths.size()));
        }

        private byte[] data() {
            byte[] data = new byte[random.nextInt(12) == 0 ? 9 : random.nextInt(3)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (random.nextInt(3) == 0 ? 0x80 + random.nextInt(2) : random.nextInt(2));
            }
            return data;
        }
    }
}
