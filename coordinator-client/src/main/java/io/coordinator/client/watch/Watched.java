package io.coordinator.client.watch;

/**
 * A read and the watch that continues from it: the watch covers every revision after the read's,
 * so no change between the two is missed.
 */
public record Watched<T>(T result, Watch watch) {
}
