package io.coordinator.core.ops;

import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Response;
import io.coordinator.core.tree.Paths;

/** Failure values with uniform messages. */
public final class Failures {

    private Failures() {
    }

    public static Response.Failure of(ErrorCode code, String message) {
        return new Response.Failure(code, message);
    }

    static Response.Failure noNode(String path) {
        return of(ErrorCode.NO_NODE, "no node " + Paths.describe(path));
    }

    static Response.Failure badVersion(String path, int expected, int actual) {
        return of(ErrorCode.BAD_VERSION,
                "version of " + Paths.describe(path) + " is " + actual + ", not " + expected);
    }

    /** The failure of step {@code index} of a transaction, as the whole transaction's answer. */
    static Response.Failure atStep(String kind, int index, Response.Failure cause) {
        return of(cause.code(), kind + " " + index + ": " + cause.message());
    }
}
