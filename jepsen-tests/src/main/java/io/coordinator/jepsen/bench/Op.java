package io.coordinator.jepsen.bench;

/**
 * What the driver asks of a system. Each system maps these onto its closest equivalents, so that a
 * row compares like with like; see each {@link BenchTarget} for the mapping.
 */
enum Op {
    /** Overwrite an existing key, unconditionally. */
    WRITE("write"),
    /** A read that sees every write acknowledged before it began (linearizable, or the closest there is). */
    READ("read"),
    /** A read the contacted member answers from its own state: possibly stale, no round to the others. */
    READ_LOCAL("read-local");

    final String label;

    Op(String label) {
        this.label = label;
    }

    static Op fromLabel(String label) {
        for (Op op : values()) {
            if (op.label.equals(label)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown op '" + label + "'");
    }
}
