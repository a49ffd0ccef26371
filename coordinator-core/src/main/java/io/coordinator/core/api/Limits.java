package io.coordinator.core.api;

/**
 * Bounds the state machine enforces. They are part of the replicated configuration: every member
 * must use the same values, or members could disagree on which writes fail.
 */
public record Limits(int dataBytesMax, int pathLengthMax, long sessionTtlMillisMin, long sessionTtlMillisMax,
                     int dedupWindowPerSession, int txnOpsMax) {

    public static final Limits DEFAULTS = new Limits(1024 * 1024, 4096, 2_000, 60_000, 1024, 128);

    public Limits {
        if (dataBytesMax <= 0 || pathLengthMax <= 1 || sessionTtlMillisMin <= 0
                || sessionTtlMillisMax < sessionTtlMillisMin || dedupWindowPerSession <= 0 || txnOpsMax <= 0) {
            throw new IllegalArgumentException("invalid limits: " + this);
        }
    }
}
