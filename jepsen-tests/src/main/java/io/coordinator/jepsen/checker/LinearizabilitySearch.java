package io.coordinator.jepsen.checker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Wing and Gong's search for a linearization of one history, with Lowe's memoisation, as in Knossos and
 * Porcupine. The history is a doubly linked list of call and return events in time order. Walking it
 * from the front, the search tries to take effect, at this point, the operation of each call it meets
 * (its model step must accept it, and the pair (set of operations taken effect, resulting state) must
 * be new: a pair seen before was already explored); on success the call and its return leave the list
 * and the walk starts over at the front. Meeting a return means that operation cannot be placed before
 * it returns: undo the last placement and try the next call after it. Undoing with nothing placed means
 * no linearization exists.
 *
 * <p>An operation with an unknown outcome has no return event: it may take effect anywhere after its
 * call, or never, and the model accepts it in every state, so the search is done as soon as every
 * operation with a known outcome is placed.
 *
 * <p>Iterative, with an explicit stack (at most one entry per operation). Bounded: it checks the clock
 * every {@value #CLOCK_EVERY} steps and answers {@link Verdict#UNKNOWN} past the deadline, and it
 * answers {@link Verdict#UNKNOWN} when the memo would exceed {@code memoWordsMax} 64-bit words.
 * {@link Verdict#VALID} only when a linearization was found.
 */
final class LinearizabilitySearch {
    static final int CLOCK_EVERY = 256;

    /** What one search found; {@code reason} says why it is unknown. */
    record Result(Verdict verdict, String reason, long steps, int memoEntries) {
    }

    private static final class Node {
        final int op;
        final boolean call;
        final long line;
        Node match;
        Node prev;
        Node next;

        Node(int op, boolean call, long line) {
            this.op = op;
            this.call = call;
            this.line = line;
        }
    }

    /** A set of placed operations and the state they lead to; the set's words are never changed after. */
    private record Memo(long[] placed, Object state, int hash) {
        static Memo of(long[] placed, Object state) {
            return new Memo(placed, state, 31 * Arrays.hashCode(placed) + state.hashCode());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Memo memo && memo.hash == hash && Arrays.equals(memo.placed, placed)
                    && memo.state.equals(state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private LinearizabilitySearch() {
    }

    /**
     * @param ops           one key's operations, every one of which {@link Model#constrains constrains}
     * @param deadlineNanos on {@code clock}'s scale
     */
    static <S> Result run(Model<S> model, List<Operation> ops, LongSupplier clock, long deadlineNanos, long memoWordsMax) {
        int n = ops.size();
        Node head = list(ops);
        int knownLeft = 0;
        for (Operation op : ops) {
            knownLeft += op.returnLine() == Operation.NEVER ? 0 : 1;
        }
        if (knownLeft == 0) {
            return new Result(Verdict.VALID, "", 0, 0);
        }
        int words = (n + 63) / 64;
        long memoWordsPerEntry = words + 8L; // the array, its header, the record and the set's node, roughly
        long[] placed = new long[words];
        Set<Memo> memo = new HashSet<>();
        Node[] stackNode = new Node[n];
        Object[] stackState = new Object[n];
        int depth = 0;
        S state = model.initialState();
        Node entry = head.next;
        long steps = 0;
        while (true) {
            steps++;
            if (steps % CLOCK_EVERY == 0 && clock.getAsLong() - deadlineNanos > 0) {
                return new Result(Verdict.UNKNOWN, "time limit reached after " + steps + " steps, " + memo.size()
                        + " memoised configurations, " + depth + " of " + n + " operations placed", steps, memo.size());
            }
            if (entry == null) {
                throw new IllegalStateException("the walk passed the last return event with " + knownLeft + " operations left");
            }
            if (entry.call) {
                Operation op = ops.get(entry.op);
                S next = model.step(state, op);
                if (next != null) {
                    placed[entry.op >>> 6] |= 1L << entry.op;
                    if (memo.add(Memo.of(placed.clone(), next))) {
                        if ((long) memo.size() * memoWordsPerEntry > memoWordsMax) {
                            return new Result(Verdict.UNKNOWN, "memory bound reached: " + memo.size() + " memoised configurations",
                                    steps, memo.size());
                        }
                        stackNode[depth] = entry;
                        stackState[depth] = state;
                        depth++;
                        state = next;
                        lift(entry);
                        if (entry.match != null && --knownLeft == 0) {
                            return new Result(Verdict.VALID, "", steps, memo.size());
                        }
                        entry = head.next;
                        continue;
                    }
                    placed[entry.op >>> 6] &= ~(1L << entry.op);
                }
                entry = entry.next;
            } else {
                if (depth == 0) {
                    return new Result(Verdict.INVALID, "", steps, memo.size());
                }
                depth--;
                Node undone = stackNode[depth];
                @SuppressWarnings("unchecked")
                S before = (S) stackState[depth];
                state = before;
                stackState[depth] = null;
                placed[undone.op >>> 6] &= ~(1L << undone.op);
                unlift(undone);
                if (undone.match != null) {
                    knownLeft++;
                }
                entry = undone.next;
            }
        }
    }

    /** The sentinel head of the list of every call and every known return, in line order. */
    private static Node list(List<Operation> ops) {
        List<Node> nodes = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            Node call = new Node(i, true, op.callLine());
            nodes.add(call);
            if (op.returnLine() != Operation.NEVER) {
                Node ret = new Node(i, false, op.returnLine());
                call.match = ret;
                nodes.add(ret);
            }
        }
        // Equal lines only in hand-built histories: a call before a return there, i.e. concurrent.
        nodes.sort((a, b) -> a.line != b.line ? Long.compare(a.line, b.line) : Boolean.compare(!a.call, !b.call));
        Node head = new Node(-1, true, Long.MIN_VALUE);
        Node last = head;
        for (Node node : nodes) {
            last.next = node;
            node.prev = last;
            last = node;
        }
        return head;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Node ret = call.match;
        if (ret != null) {
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }
    }

    /** Undoes {@link #lift}; undos come in the reverse order of lifts, so each node's links are still right. */
    private static void unlift(Node call) {
        Node ret = call.match;
        if (ret != null) {
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
