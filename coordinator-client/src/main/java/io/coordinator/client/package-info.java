/**
 * The Java client of a Coordinator cluster.
 *
 * <p>{@link io.coordinator.client.Coordinator} is the entry point: blocking methods on it, the same
 * operations returning futures on {@link io.coordinator.client.Coordinator#async()}. Results are
 * records ({@link io.coordinator.client.CreateResult}, {@link io.coordinator.client.GetResult}, ...);
 * failures are {@link io.coordinator.client.CoordinatorException}s carrying the protocol's error code.
 * {@link io.coordinator.client.ClientConfig} holds every bound (timeouts, attempts, pending requests).
 *
 * <p>The machinery lives in {@code io.coordinator.client.impl} and is not API. The {@code ctl}
 * command is {@link io.coordinator.client.cli.Ctl}.
 */
package io.coordinator.client;
