/**
 * Watches: {@link io.coordinator.client.watch.Watch} handles, their
 * {@link io.coordinator.client.watch.WatchListener}s and what those hear. Start one with
 * {@code Coordinator.watch(path, kind, fromRevision, listener)}, or read and watch in one go with
 * {@code getAndWatch}, {@code existsAndWatch}, {@code childrenAndWatch}.
 */
package io.coordinator.client.watch;
