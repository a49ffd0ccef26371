package io.coordinator.jepsen.harness;

import io.coordinator.client.recipes.FencedResource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lock workload's second check: what a resource guarded by fencing tokens accepted. Each grant of
 * the lock writes {@code begin} and then {@code end} with its token; the resource accepted two holders
 * at once exactly when another grant's write lies between a grant's {@code begin} and a later write of
 * that grant. Checked over the accepted writes, in the order accepted:
 * <ul>
 *   <li>tokens never decrease;</li>
 *   <li>a grant's writes are contiguous (no interleaving with another grant's), {@code begin} first;</li>
 *   <li>a grant writes with one token, and no two grants share a token.</li>
 * </ul>
 * A grant whose {@code end} was refused (a later holder had written) is fine: that is the fence working.
 * Pure: the workload hands over {@link FencedResource#accepted()}.
 */
public final class FencedResourceCheck {
    /** What a grant writes: its number (unique per run) and {@code begin} or {@code end}. */
    public record Mark(long grant, String what) {
        public static final String BEGIN = "begin";
        public static final String END = "end";

        @Override
        public String toString() {
            return what + " of grant " + grant;
        }
    }

    /** @param violations empty when the resource never accepted two holders; people-readable lines */
    public record Result(int writes, int grants, List<String> violations) {
        public Result {
            violations = List.copyOf(violations);
        }

        public boolean valid() {
            return violations.isEmpty();
        }
    }

    private FencedResourceCheck() {
    }

    public static Result check(List<FencedResource.Write<Mark>> accepted) {
        List<String> violations = new ArrayList<>();
        Map<Long, Long> tokenOfGrant = new HashMap<>();
        Map<Long, Long> grantOfToken = new HashMap<>();
        Set<Long> finished = new HashSet<>();
        Long current = null;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < accepted.size(); i++) {
            FencedResource.Write<Mark> write = accepted.get(i);
            long token = write.token();
            Mark mark = write.value();
            String where = "write " + i + " (" + mark + ", token " + token + ")";
            if (token < highest) {
                violations.add(where + ": token below " + highest + ", accepted earlier");
            }
            highest = Math.max(highest, token);
            Long known = tokenOfGrant.putIfAbsent(mark.grant(), token);
            if (known != null && known != token) {
                violations.add(where + ": grant " + mark.grant() + " wrote with token " + known + " before");
            }
            Long owner = grantOfToken.putIfAbsent(token, mark.grant());
            if (owner != null && owner != mark.grant()) {
                violations.add(where + ": token " + token + " is also grant " + owner + "'s: two holders with one token");
            }
            if (current == null || current != mark.grant()) {
                if (current != null) {
                    finished.add(current);
                }
                if (finished.contains(mark.grant())) {
                    violations.add(where + ": grant " + mark.grant() + " writes again after another grant's write: two holders interleaved");
                }
                if (!mark.what().equals(Mark.BEGIN)) {
                    violations.add(where + ": the grant's first accepted write is not its begin");
                }
                current = mark.grant();
            } else if (mark.what().equals(Mark.BEGIN)) {
                violations.add(where + ": a second begin of the same grant");
            }
        }
        return new Result(accepted.size(), tokenOfGrant.size(), violations);
    }
}
