package io.coordinator.client.impl;

import io.coordinator.client.ClientConfig;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.fake.FakeMember;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.protocol.message.Consistency;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The bound on calls in flight, below the public API (where every call has the same timeout). */
class AdmissionTest {

    @Test
    void aCallThatFindsNoSlotBeforeItsDeadlineFailsWithOverloadedAndIsNeverSent() throws Exception {
        FakeMember m = FakeMember.start(r -> { });
        ClientConfig config = ClientConfig.builder().endpoints(List.of(m.endpoint())).shuffleEndpoints(false)
                .openSession(false).pendingRequestsMax(1).build();
        Transport transport = new Transport(config.frameBytesMax(), config.connectTimeoutMillis());
        Connector connector = new Connector(transport, config.endpoints(), 0, config.attemptTimeoutMillis(),
                new Connector.Listener() {
            @Override
            public void connected(Connection connection) {
            }

            @Override
            public void left(Connection connection) {
            }

            @Override
            public void closed(Connection connection) {
            }
        });
        Invoker invoker = new Invoker(config, transport, connector,
                new Backoff(config.retryBackoffMillis(), config.retryBackoffMillisMax(), new java.util.Random(1)));
        try {
            Command.ClientCommand get = new Command.Execute(new Op.Get("/a"));
            Call holding = invoker.create(get, Consistency.LINEARIZABLE, Call.Safety.IDEMPOTENT, 10_000);
            invoker.admit(holding);
            await().atMost(Duration.ofSeconds(5)).until(() -> m.received().size() == 1);

            Call waiting = invoker.create(get, Consistency.LINEARIZABLE, Call.Safety.IDEMPOTENT, 200);
            invoker.admit(waiting);
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.result.get(5, TimeUnit.SECONDS));
            assertEquals(ErrorCode.OVERLOADED, assertInstanceOf(CoordinatorException.class, e.getCause()).code());
            assertEquals(1, m.received().size());
            assertFalse(holding.isDone());
            assertEquals(1, invoker.runningCount());
        } finally {
            invoker.close();
            connector.close();
            transport.close();
            m.close();
        }
        assertEquals(0, invoker.runningCount(), "closing released every slot");
    }
}
