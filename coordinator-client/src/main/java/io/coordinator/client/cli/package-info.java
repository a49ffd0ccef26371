/** The {@code ctl} command: {@link io.coordinator.client.cli.Ctl}. */
package io.coordinator.client.cli;
