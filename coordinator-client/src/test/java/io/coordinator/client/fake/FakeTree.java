package io.coordinator.client.fake;

import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.ClientMessage;
import io.coordinator.protocol.message.MemberStatus;
import io.coordinator.protocol.message.ServerMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A naive in-memory member for scripted tests: a sorted map of paths, a revision counter, sessions
 * that never expire. Just enough of the semantics for the client and ctl to have something real to
 * talk to; the true state machine lives in coordinator-core.
 */
public final class FakeTree implements FakeMember.Handler {
    private static final long CLOCK_MILLIS = 1_700_000_000_000L;

    private record Node(byte[] data, Stat stat) {
    }

    private final String memberId;
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final Map<String, Long> sequences = new TreeMap<>();
    private long revision;
    private long nextSessionId = 0x1000;
    /** Open sessions and their TTLs; every secret is 42. */
    private final Map<Long, Long> liveSessions = new TreeMap<>();

    public FakeTree(String memberId) {
        this.memberId = memberId;
        nodes.put("/", new Node(new byte[0], new Stat(0, 0, 0, 0, 0, 0, 0, CLOCK_MILLIS, CLOCK_MILLIS)));
    }

    @Override
    public synchronized void handle(FakeMember.Received r) {
        if (r.message() instanceof ClientMessage.StatusQuery) {
            r.reply(new ServerMessage.StatusReply(new MemberStatus(memberId, "LEADER", 2, memberId, revision + 10,
                    revision + 10, revision, r.member().address()), List.of(memberId)));
            return;
        }
        if (r.message() instanceof ClientMessage.AttachSession attach) {
            r.reply(revision, checkSession(attach.sessionId(), attach.secret()));
            return;
        }
        ClientMessage.Call call = (ClientMessage.Call) r.message();
        Response response = apply(call.request().command(), call.request().sessionId());
        r.reply(revision, response);
    }

    public synchronized long revision() {
        return revision;
    }

    private Response apply(Command command, long sessionId) {
        if (command instanceof Command.OpenSession open) {
            revision++;
            liveSessions.put(nextSessionId, open.ttlMillis());
            return new Response.SessionOpened(nextSessionId++, 42, open.ttlMillis());
        } else if (command instanceof Command.KeepAlive keepAlive) {
            return new Response.KeptAlive((int) keepAlive.sessionIds().stream().distinct()
                    .filter(liveSessions::containsKey).count());
        } else if (command instanceof Command.CloseSession close) {
            Response check = checkSession(close.sessionId(), close.secret());
            if (check instanceof Response.Failure) {
                return check;
            }
            revision++;
            liveSessions.remove(close.sessionId());
            return new Response.SessionClosed(close.sessionId());
        } else if (command instanceof Command.CheckSession check) {
            return checkSession(check.sessionId(), check.secret());
        } else if (command instanceof Command.Execute execute) {
            TreeMap<String, Node> before = new TreeMap<>(nodes);
            long revisionBefore = revision;
            Response response = apply(execute.op(), sessionId, revision + 1);
            if (response instanceof Response.Failure) {
                nodes.clear();
                nodes.putAll(before);
                revision = revisionBefore;
            } else if (execute.op().isWrite()) {
                revision++;
            }
            return response;
        } else if (command instanceof Command.Txn txn) {
            TreeMap<String, Node> before = new TreeMap<>(nodes);
            boolean holds = txn.compares().stream().allMatch(this::holds);
            List<Response> results = new ArrayList<>();
            for (Op op : holds ? txn.then() : txn.otherwise()) {
                Response response = apply(op, sessionId, revision + 1);
                if (response instanceof Response.Failure) {
                    nodes.clear();
                    nodes.putAll(before);
                    return response;
                }
                results.add(response);
            }
            if (txn.isWrite()) {
                revision++;
            }
            return new Response.TxnResult(holds, results);
        }
        return new Response.Failure(ErrorCode.BAD_ARGUMENTS, "not supported by the fake: " + command);
    }

    private Response checkSession(long sessionId, long secret) {
        Long ttl = liveSessions.get(sessionId);
        if (ttl == null) {
            return new Response.Failure(ErrorCode.SESSION_EXPIRED, "session " + sessionId + " is not alive");
        }
        return secret == 42 ? new Response.SessionChecked(sessionId, ttl)
                : new Response.Failure(ErrorCode.UNAUTHORIZED, "wrong secret for session " + sessionId);
    }

    private boolean holds(Compare c) {
        Node node = nodes.get(c.path());
        if (c.target() == Compare.Target.EXISTS) {
            return (node != null) == (c.number() == 1);
        }
        if (c.target() == Compare.Target.SESSION_ALIVE) {
            return true;
        }
        if (node == null) {
            return c.op() == Compare.Operator.NOT_EQUAL;
        }
        int cmp = switch (c.target()) {
            case VERSION -> Long.compare(node.stat().version(), c.number());
            case MOD_REVISION -> Long.compare(node.stat().modRevision(), c.number());
            case CREATE_REVISION -> Long.compare(node.stat().createRevision(), c.number());
            case VALUE -> Arrays.compareUnsigned(node.data(), c.value());
            default -> 0;
        };
        return switch (c.op()) {
            case EQUAL -> cmp == 0;
            case NOT_EQUAL -> cmp != 0;
            case LESS -> cmp < 0;
            case GREATER -> cmp > 0;
        };
    }

    private Response apply(Op op, long sessionId, long rev) {
        String path = op.path();
        if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
            return new Response.Failure(ErrorCode.INVALID_PATH, path);
        }
        Node node = nodes.get(path);
        if (op instanceof Op.Get) {
            return node == null ? new Response.Failure(ErrorCode.NO_NODE, path) : new Response.Data(node.data(), node.stat());
        } else if (op instanceof Op.Exists) {
            return new Response.ExistsResult(node == null ? null : node.stat());
        } else if (op instanceof Op.Children children) {
            if (node == null) {
                return new Response.Failure(ErrorCode.NO_NODE, path);
            }
            List<String> names = new ArrayList<>();
            List<Stat> stats = new ArrayList<>();
            for (String child : childPaths(path)) {
                names.add(child.substring(child.lastIndexOf('/') + 1));
                stats.add(nodes.get(child).stat());
            }
            return new Response.ChildrenResult(names, children.withStats() ? stats : List.of(), node.stat());
        } else if (op instanceof Op.Create create) {
            String parent = parentOf(path);
            Node parentNode = nodes.get(parent);
            if (parentNode == null) {
                return new Response.Failure(ErrorCode.NO_NODE, parent);
            }
            String created = path;
            if (create.mode().sequential()) {
                long n = sequences.merge(parent, 1L, Long::sum) - 1;
                created = path + String.format("%010d", n);
            }
            if (nodes.containsKey(created)) {
                return new Response.Failure(ErrorCode.NODE_EXISTS, created);
            }
            if (create.mode().ephemeral() && sessionId == 0) {
                return new Response.Failure(ErrorCode.SESSION_EXPIRED, "an ephemeral needs a session");
            }
            Stat stat = new Stat(rev, rev, 0, 0, create.mode().ephemeral() ? sessionId : 0, create.data().length, 0,
                    CLOCK_MILLIS, CLOCK_MILLIS);
            nodes.put(created, new Node(create.data(), stat));
            touchParent(parent, +1);
            return new Response.Created(created, stat);
        } else if (op instanceof Op.SetData set) {
            if (node == null) {
                return new Response.Failure(ErrorCode.NO_NODE, path);
            }
            Stat s = node.stat();
            if (set.expectedVersion() != -1 && set.expectedVersion() != s.version()) {
                return new Response.Failure(ErrorCode.BAD_VERSION, path + " is at version " + s.version());
            }
            Stat stat = new Stat(s.createRevision(), rev, s.version() + 1, s.cversion(), s.ephemeralOwner(),
                    set.data().length, s.numChildren(), s.ctimeMillis(), CLOCK_MILLIS);
            nodes.put(path, new Node(set.data(), stat));
            return new Response.Updated(stat);
        } else if (op instanceof Op.Delete delete) {
            if (node == null) {
                return new Response.Failure(ErrorCode.NO_NODE, path);
            }
            if (delete.expectedVersion() != -1 && delete.expectedVersion() != node.stat().version()) {
                return new Response.Failure(ErrorCode.BAD_VERSION, path);
            }
            List<String> subtree = nodes.keySet().stream()
                    .filter(p -> p.equals(path) || p.startsWith(path.equals("/") ? "/" : path + "/"))
                    .filter(p -> !p.equals("/")).toList();
            if (subtree.size() > 1 && !delete.recursive()) {
                return new Response.Failure(ErrorCode.NOT_EMPTY, path);
            }
            subtree.forEach(nodes::remove);
            touchParent(parentOf(path), -1);
            return new Response.Deleted(path, subtree.size());
        }
        return new Response.Failure(ErrorCode.BAD_ARGUMENTS, "unknown op " + op);
    }

    private List<String> childPaths(String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        return nodes.keySet().stream()
                .filter(p -> p.startsWith(prefix) && !p.equals(path) && p.indexOf('/', prefix.length()) < 0)
                .toList();
    }

    private void touchParent(String parent, int delta) {
        Node p = nodes.get(parent);
        if (p == null) {
            return;
        }
        Stat s = p.stat();
        nodes.put(parent, new Node(p.data(), new Stat(s.createRevision(), s.modRevision(), s.version(),
                s.cversion() + 1, s.ephemeralOwner(), s.dataLength(), s.numChildren() + delta, s.ctimeMillis(),
                s.mtimeMillis())));
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
