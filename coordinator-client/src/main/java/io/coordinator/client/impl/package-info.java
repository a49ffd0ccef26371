/**
 * How the client works; not API.
 *
 * <ul>
 * <li>{@code Transport}: one Netty I/O thread for connections and every timer. Nothing blocking runs
 *     on it; results reach users through {@code ClientCore.deliver} (the callback executor).</li>
 * <li>{@code Connection}: one TCP connection; pipelined requests keyed by request id, answers in any
 *     order; losing the connection fails everything pending on it with "outcome unknown". One the
 *     client leaves closes only once nothing is pending on it ({@code closeWhenIdle}).</li>
 * <li>{@code Connector}: one current connection; moves round-robin to the next endpoint when a
 *     call reports the current one failed (each report names its {@code Slot}, so a failure seen by
 *     many calls moves the client once). Moving retires the old connection instead of cutting it:
 *     new calls and the session go to the next member at once, the calls in flight on the old one
 *     keep waiting for their answers there (up to their attempt timeouts), and its watches move
 *     when it closes.</li>
 * <li>{@code Invoker}: admission. At most {@code pendingRequestsMax} calls in flight, the rest wait
 *     in order; a session write waits too while its sequence would run ahead of the de-dup window.</li>
 * <li>{@code Call}: one request across attempts, with the retry rule (see its Javadoc) and the bounds
 *     (deadline, attempt count, attempt timeout, back-off).</li>
 * <li>{@code SessionKeeper}: opens, renews (every ttl/3), moves to another member after a lost
 *     connection, gives up (LOST) on the cluster's verdict or after a whole TTL without a renewal,
 *     closes. {@code StateTracker}: CONNECTED / SUSPENDED / RECONNECTED / LOST and the listeners.
 *     {@code SessionAttachments}: per connection, the sessions proven there (a member takes a
 *     session's calls only on such a connection); the first call of a session on a connection
 *     attaches it and the others wait for that.</li>
 * <li>{@code WatchRegistry}: the watches; each lives on one connection and resumes on the current
 *     one, from the revision after the last it received, when its connection closes.</li>
 * <li>{@code Backoff}: the one pause policy (capped exponential, jittered) of every retry loop.</li>
 * </ul>
 */
package io.coordinator.client.impl;
