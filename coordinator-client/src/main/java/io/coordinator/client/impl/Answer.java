package io.coordinator.client.impl;

import io.coordinator.client.Endpoint;
import io.coordinator.protocol.message.ServerMessage;

/** A successful answer and the member that gave it. Failures never get here: they are exceptions. */
public record Answer(Endpoint endpoint, ServerMessage message) {
}
