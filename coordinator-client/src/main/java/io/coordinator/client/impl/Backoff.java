package io.coordinator.client.impl;

import java.util.random.RandomGenerator;

/**
 * The client's one pause policy between retries: calls (and so session keep-alives, opens and
 * attaches, which are calls), reconnects (a call's next attempt is what reconnects) and watch
 * resumption all use it.
 *
 * <p>Capped exponential with jitter: before retry {@code n} (0 for the first) the ceiling is
 * {@code min(maxMillis, baseMillis * 2^n)}, and the pause is drawn uniformly from
 * {@code [ceiling / 2, ceiling]}. The lower half keeps retries from bunching up right after a failure;
 * the random upper half spreads many clients that lost the same member, so that they do not all
 * come back in step.
 *
 * <p>Thread-safe when its generator is ({@link java.util.Random} is); tests pass a seeded one.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final RandomGenerator random;

    Backoff(long baseMillis, long maxMillis, RandomGenerator random) {
        if (baseMillis <= 0) {
            throw new IllegalArgumentException("baseMillis must be positive, not " + baseMillis);
        }
        if (maxMillis < baseMillis) {
            throw new IllegalArgumentException("maxMillis (" + maxMillis + ") must be at least baseMillis (" + baseMillis + ")");
        }
        if (random == null) {
            throw new IllegalArgumentException("random is required");
        }
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.random = random;
    }

    /** The most the pause before retry {@code retry} (0 for the first) may be. */
    long ceilingMillis(int retry) {
        if (retry < 0) {
            throw new IllegalArgumentException("retry must be 0 or more, not " + retry);
        }
        long ceiling = baseMillis;
        for (int i = 0; i < retry && ceiling < maxMillis; i++) {
            ceiling = ceiling > maxMillis / 2 ? maxMillis : ceiling * 2;
        }
        return Math.min(ceiling, maxMillis);
    }

    /** The pause before retry {@code retry} (0 for the first): in [ceiling / 2, ceiling], at least 1 ms. */
    long delayMillis(int retry) {
        long ceiling = ceilingMillis(retry);
        long floor = Math.max(1, ceiling / 2);
        if (floor >= ceiling) {
            return ceiling;
        }
        return floor + random.nextLong(ceiling - floor + 1);
    }
}
