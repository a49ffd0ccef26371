package io.coordinator.client.recipes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An example of a resource outside Coordinator that protects itself with fencing tokens, as a
 * storage service, a queue or a database table would: every write carries the writer's token, and
 * the resource refuses a token lower than the highest it has accepted. A holder that paused past the
 * end of its grant comes back with an old token after a newer holder has written with a higher one,
 * and is refused; the resource never interleaves the writes of two holders.
 *
 * <p>The check must happen in the resource, atomically with the write (here: one lock). Tokens come
 * from {@link Lease#token()}. Equal tokens are accepted: one holder writes several times. In memory,
 * for tests and as a model; see {@code RECIPES.md} for doing the same in a real store.
 */
public final class FencedResource<T> {
    /** A write the resource accepted. */
    public record Write<T>(long token, T value) {
    }

    private final String name;
    private final List<Write<T>> accepted = new ArrayList<>();
    private long highestToken;

    public FencedResource(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Applies the write if {@code token} is at least the highest token seen.
     *
     * @throws FencingException when a higher token was seen (nothing applied)
     */
    public synchronized void write(long token, T value) {
        if (token < highestToken) {
            throw new FencingException(name, token, highestToken);
        }
        highestToken = token;
        accepted.add(new Write<>(token, value));
    }

    public synchronized long highestToken() {
        return highestToken;
    }

    /** Every accepted write, in the order accepted. */
    public synchronized List<Write<T>> accepted() {
        return List.copyOf(accepted);
    }
}
