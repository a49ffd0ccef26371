package io.coordinator.jepsen.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Histories of real linearizable registers (one true value per key, each operation taking effect at
 * one instant between its invocation and its completion), with concurrent processes, compare-and-sets
 * over a small set of values so that many succeed, and crashed clients: an operation that ends
 * {@code info} took effect or not, and its process is replaced by a new one, as in Jepsen.
 */
final class SimulatedRegisters {
    private enum Phase { IDLE, INVOKED, APPLIED }

    private static final class Client {
        int process;
        Phase phase = Phase.IDLE;
        String f;
        String key;
        String value;
        String result;
        boolean ok;
    }

    private SimulatedRegisters() {
    }

    /** Events in {@link Histories}'s terse form. */
    static String history(long seed, int operations, int clients, int keys, double crashProbability) {
        Random random = new Random(seed);
        Map<String, Long> registers = new HashMap<>();
        List<Client> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Client client = new Client();
            client.process = i;
            all.add(client);
        }
        int nextProcess = clients;
        int invoked = 0;
        StringBuilder out = new StringBuilder();
        while (true) {
            boolean busy = all.stream().anyMatch(c -> c.phase != Phase.IDLE);
            if (invoked >= operations && !busy) {
                return out.toString();
            }
            Client c = all.get(random.nextInt(all.size()));
            switch (c.phase) {
                case IDLE -> {
                    if (invoked >= operations) {
                        continue;
                    }
                    invoked++;
                    c.key = "k" + random.nextInt(keys);
                    int kind = random.nextInt(3);
                    c.f = kind == 0 ? "read" : kind == 1 ? "write" : "cas";
                    c.value = switch (c.f) {
                        case "read" -> "null";
                        case "write" -> Integer.toString(random.nextInt(5));
                        default -> "[" + random.nextInt(5) + "," + random.nextInt(5) + "]";
                    };
                    out.append(c.process).append(" invoke ").append(c.f).append(' ').append(c.value).append(' ').append(c.key).append('\n');
                    c.phase = Phase.INVOKED;
                }
                case INVOKED -> {
                    if (random.nextDouble() < crashProbability) {
                        crash(c, out, nextProcess++); // before it took effect
                        continue;
                    }
                    Long current = registers.get(c.key);
                    c.ok = true;
                    switch (c.f) {
                        case "read" -> c.result = current == null ? "null" : current.toString();
                        case "write" -> {
                            registers.put(c.key, Long.parseLong(c.value));
                            c.result = c.value;
                        }
                        default -> {
                            String[] pair = c.value.substring(1, c.value.length() - 1).split(",");
                            c.ok = current != null && current == Long.parseLong(pair[0]);
                            if (c.ok) {
                                registers.put(c.key, Long.parseLong(pair[1]));
                            }
                            c.result = c.value;
                        }
                    }
                    c.phase = Phase.APPLIED;
                }
                case APPLIED -> {
                    if (random.nextDouble() < crashProbability) {
                        crash(c, out, nextProcess++); // after it took effect
                        continue;
                    }
                    out.append(c.process).append(c.ok ? " ok " : " fail ").append(c.f).append(' ').append(c.result).append(' ')
                            .append(c.key).append('\n');
                    c.phase = Phase.IDLE;
                }
            }
        }
    }

    private static void crash(Client c, StringBuilder out, int newProcess) {
        out.append(c.process).append(" info ").append(c.f).append(' ').append(c.value).append(' ').append(c.key).append('\n');
        c.process = newProcess;
        c.phase = Phase.IDLE;
    }
}
