package io.coordinator.client.recipes;

/** A listener's registration with a recipe; closing it stops the notifications. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
