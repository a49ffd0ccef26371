package io.coordinator.core.api;

import java.util.Objects;

/**
 * One guard of a transaction, like etcd's compare: {@code target(path) op operand}.
 *
 * <p>For {@link Target#EXISTS} the operand is 1 (exists) or 0 (absent). For {@link Target#VALUE} the
 * byte operand is compared lexicographically (unsigned). For {@link Target#SESSION_ALIVE} the path
 * is ignored and the operand is a session id: the compare holds when {@code EQUAL} and the session
 * is alive. A compare on a missing node sees version, revisions and value as absent: only
 * {@code EXISTS} and {@code NOT_EQUAL} on it can hold.
 */
public record Compare(Target target, String path, Operator op, long number, byte[] value) {

    public enum Target { VERSION, MOD_REVISION, CREATE_REVISION, VALUE, EXISTS, SESSION_ALIVE }

    public enum Operator { EQUAL, NOT_EQUAL, LESS, GREATER }

    public Compare {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(op, "op");
        value = value == null ? new byte[0] : value;
    }

    public static Compare version(String path, Operator op, long version) {
        return new Compare(Target.VERSION, path, op, version, null);
    }

    public static Compare modRevision(String path, Operator op, long revision) {
        return new Compare(Target.MOD_REVISION, path, op, revision, null);
    }

    public static Compare createRevision(String path, Operator op, long revision) {
        return new Compare(Target.CREATE_REVISION, path, op, revision, null);
    }

    public static Compare value(String path, Operator op, byte[] value) {
        return new Compare(Target.VALUE, path, op, 0, value);
    }

    public static Compare exists(String path, boolean exists) {
        return new Compare(Target.EXISTS, path, Operator.EQUAL, exists ? 1 : 0, null);
    }

    public static Compare sessionAlive(long sessionId) {
        return new Compare(Target.SESSION_ALIVE, "/", Operator.EQUAL, sessionId, null);
    }
}
