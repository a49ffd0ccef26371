package io.coordinator.core;

import io.coordinator.core.api.Applied;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Limits;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Proposal;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.core.api.WatchEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A deliberately dumb executable specification: a flat map of paths, linear scans for children,
 * a full copy of the tree before every command for all-or-nothing. Slow and obviously right.
 */
final class NaiveModel {

    static final class N {
        byte[] data;
        long createRev;
        long modRev;
        int version;
        int cversion;
        long owner;
        long ctime;
        long mtime;
        char kind; // P persistent, E ephemeral, C container, T ttl
        long ttl;
        long nextSeq;

        N copy() {
            N n = new N();
            n.data = data;
            n.createRev = createRev;
            n.modRev = modRev;
            n.version = version;
            n.cversion = cversion;
            n.owner = owner;
            n.ctime = ctime;
            n.mtime = mtime;
            n.kind = kind;
            n.ttl = ttl;
            n.nextSeq = nextSeq;
            return n;
        }
    }

    static final class S {
        long id;
        long secret;
        long ttl;
        long deadline;
        final Map<Long, Applied> window = new HashMap<>();
    }

    final Limits limits;
    Map<String, N> nodes = new HashMap<>();
    final Map<Long, S> sessions = new HashMap<>();
    long nextSession = 1;
    long revision;
    long leaderTerm;

    private long now;
    private List<WatchEvent> events = new ArrayList<>();
    private boolean dirty;

    NaiveModel(Limits limits) {
        this.limits = limits;
        N root = new N();
        root.data = new byte[0];
        root.kind = 'P';
        nodes.put("/", root);
    }

    // ---- entry points ----

    Applied apply(Proposal proposal, long nowMillis) {
        Command command = proposal.command();
        boolean internal = command instanceof Command.InternalCommand;
        boolean duties = proposal.origin() == Proposal.Origin.LEADER_DUTIES;
        if (internal != duties) {
            return unchanged(fail(internal ? ErrorCode.UNAUTHORIZED : ErrorCode.MALFORMED));
        }
        if (duties && (proposal.sessionId() != 0 || proposal.sequence() != 0)) {
            return unchanged(fail(ErrorCode.MALFORMED));
        }
        if (!command.isWrite()) {
            return read(command);
        }
        long sid = proposal.sessionId();
        long seq = proposal.sequence();
        if (sid == 0 || seq == 0) {
            return execute(command, sid, nowMillis);
        }
        S session = sessions.get(sid);
        if (session == null) {
            return unchanged(fail(ErrorCode.SESSION_EXPIRED));
        }
        Applied remembered = session.window.get(seq);
        if (remembered != null) {
            return new Applied(remembered.revision(), remembered.response(), List.of());
        }
        if (session.window.size() >= limits.dedupWindowPerSession() && seq < Collections.min(session.window.keySet())) {
            return unchanged(fail(ErrorCode.BAD_ARGUMENTS));
        }
        Applied applied = execute(command, sid, nowMillis);
        S after = sessions.get(sid);
        if (after != null) {
            after.window.put(seq, new Applied(applied.revision(), applied.response(), List.of()));
            while (after.window.size() > limits.dedupWindowPerSession()) {
                after.window.remove(Collections.min(after.window.keySet()));
            }
        }
        return applied;
    }

    Applied read(Command command) {
        if (command instanceof Command.CheckSession c) {
            S s = sessions.get(c.sessionId());
            if (s == null) {
                return unchanged(fail(ErrorCode.SESSION_EXPIRED));
            }
            return unchanged(s.secret != c.secret() ? fail(ErrorCode.UNAUTHORIZED)
                    : new Response.SessionChecked(s.id, s.ttl));
        }
        if (command.isWrite() || !(command instanceof Command.Execute || command instanceof Command.Txn)) {
            return unchanged(fail(ErrorCode.BAD_ARGUMENTS));
        }
        Map<String, N> before = copyTree();
        events = new ArrayList<>();
        Response response = command instanceof Command.Execute e ? op(e.op(), 0) : txn((Command.Txn) command, 0);
        if (!before.keySet().equals(nodes.keySet()) || !events.isEmpty()) {
            throw new AssertionError("the model changed on a read");
        }
        return unchanged(response);
    }

    private Applied execute(Command command, long sid, long nowMillis) {
        if (command instanceof Command.Execute e) {
            return treeCommand(nowMillis, () -> op(e.op(), sid));
        }
        if (command instanceof Command.Txn t) {
            return treeCommand(nowMillis, () -> txn(t, sid));
        }
        if (command instanceof Command.OpenSession o) {
            if (o.ttlMillis() < limits.sessionTtlMillisMin() || o.ttlMillis() > limits.sessionTtlMillisMax()) {
                return unchanged(fail(ErrorCode.BAD_ARGUMENTS));
            }
            S s = new S();
            s.id = nextSession++;
            s.secret = o.secret();
            s.ttl = o.ttlMillis();
            s.deadline = nowMillis + s.ttl;
            sessions.put(s.id, s);
            return unchanged(new Response.SessionOpened(s.id, s.secret, s.ttl));
        }
        if (command instanceof Command.KeepAlive k) {
            HashSet<Long> renewed = new HashSet<>();
            for (Long id : k.sessionIds()) {
                S s = sessions.get(id);
                if (s != null) {
                    s.deadline = nowMillis + s.ttl;
                    renewed.add(id);
                }
            }
            return unchanged(new Response.KeptAlive(renewed.size()));
        }
        if (command instanceof Command.CloseSession c) {
            S s = sessions.get(c.sessionId());
            if (s == null) {
                return unchanged(fail(ErrorCode.SESSION_EXPIRED));
            }
            if (s.secret != c.secret()) {
                return unchanged(fail(ErrorCode.UNAUTHORIZED));
            }
            Applied applied = treeCommand(nowMillis, () -> {
                deleteEphemerals(c.sessionId());
                return new Response.SessionClosed(c.sessionId());
            });
            sessions.remove(c.sessionId());
            return applied;
        }
        if (command instanceof Command.LeaderChanged l) {
            leaderTerm = Math.max(leaderTerm, l.term());
            for (S s : sessions.values()) {
                s.deadline = nowMillis + s.ttl;
            }
            return unchanged(new Response.Done());
        }
        if (command instanceof Command.Tick t) {
            if (t.term() != leaderTerm) {
                return unchanged(new Response.Done());
            }
            List<Long> expired = new ArrayList<>();
            for (S s : sessions.values()) {
                if (s.deadline <= nowMillis) {
                    expired.add(s.id);
                }
            }
            Collections.sort(expired);
            Applied applied = treeCommand(nowMillis, () -> {
                for (long id : expired) {
                    deleteEphemerals(id);
                }
                expireTtlNodes();
                return new Response.Done();
            });
            expired.forEach(sessions::remove);
            return applied;
        }
        throw new AssertionError(command);
    }

    private Applied treeCommand(long nowMillis, Supplier<Response> body) {
        Map<String, N> saved = copyTree();
        now = nowMillis;
        events = new ArrayList<>();
        dirty = false;
        Response response = body.get();
        if (response instanceof Response.Failure) {
            nodes = saved;
            return unchanged(response);
        }
        if (!dirty) {
            return unchanged(response);
        }
        revision++;
        return new Applied(revision, response, events);
    }

    private Applied unchanged(Response response) {
        return new Applied(revision, response, List.of());
    }

    private Map<String, N> copyTree() {
        Map<String, N> copy = new HashMap<>();
        nodes.forEach((path, node) -> copy.put(path, node.copy()));
        return copy;
    }

    // ---- tree ----

    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    List<String> childrenOf(String path) {
        List<String> names = new ArrayList<>();
        for (String key : nodes.keySet()) {
            if (!key.equals("/") && parentOf(key).equals(path)) {
                names.add(key.substring(key.lastIndexOf('/') + 1));
            }
        }
        Collections.sort(names);
        return names;
    }

    Stat stat(String path) {
        N n = nodes.get(path);
        return new Stat(n.createRev, n.modRev, n.version, n.cversion, n.owner, n.data.length, childrenOf(path).size(),
                n.ctime, n.mtime);
    }

    private long pending() {
        return revision + 1;
    }

    private Response op(Op op, long sid) {
        if (op instanceof Op.Create c) {
            return create(c, sid);
        }
        Response.Failure bad = pathProblem(op.path());
        if (bad != null) {
            return bad;
        }
        String path = op.path();
        N n = nodes.get(path);
        if (op instanceof Op.SetData s) {
            if (s.data().length > limits.dataBytesMax()) {
                return fail(ErrorCode.TOO_LARGE);
            }
            if (n == null) {
                return fail(ErrorCode.NO_NODE);
            }
            if (s.expectedVersion() != -1 && s.expectedVersion() != n.version) {
                return fail(ErrorCode.BAD_VERSION);
            }
            n.data = s.data().clone();
            n.version++;
            n.modRev = pending();
            n.mtime = now;
            dirty = true;
            events.add(new WatchEvent(WatchEvent.Type.DATA_CHANGED, path, pending(), stat(path), n.data.clone()));
            return new Response.Updated(stat(path));
        }
        if (op instanceof Op.Delete d) {
            if (path.equals("/")) {
                return fail(ErrorCode.INVALID_PATH);
            }
            if (n == null) {
                return fail(ErrorCode.NO_NODE);
            }
            if (d.expectedVersion() != -1 && d.expectedVersion() != n.version) {
                return fail(ErrorCode.BAD_VERSION);
            }
            if (!childrenOf(path).isEmpty() && !d.recursive()) {
                return fail(ErrorCode.NOT_EMPTY);
            }
            List<String> doomed = new ArrayList<>();
            for (String key : nodes.keySet()) {
                if (key.equals(path) || key.startsWith(path + "/")) {
                    doomed.add(key);
                }
            }
            doomed.sort(NaiveModel::childrenFirst);
            for (String each : doomed) {
                removeNode(each);
            }
            cascade(parentOf(path));
            return new Response.Deleted(path, doomed.size());
        }
        if (op instanceof Op.Get) {
            return n == null ? fail(ErrorCode.NO_NODE) : new Response.Data(n.data.clone(), stat(path));
        }
        if (op instanceof Op.Exists) {
            return new Response.ExistsResult(n == null ? null : stat(path));
        }
        if (op instanceof Op.Children c) {
            if (n == null) {
                return fail(ErrorCode.NO_NODE);
            }
            List<String> names = childrenOf(path);
            List<Stat> stats = new ArrayList<>();
            if (c.withStats()) {
                for (String name : names) {
                    stats.add(stat(path.equals("/") ? "/" + name : path + "/" + name));
                }
            }
            return new Response.ChildrenResult(names, stats, stat(path));
        }
        throw new AssertionError(op);
    }

    /** Siblings by name, a node after all of its descendants. */
    private static int childrenFirst(String a, String b) {
        String[] x = a.substring(1).split("/");
        String[] y = b.substring(1).split("/");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int order = x[i].compareTo(y[i]);
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(y.length, x.length);
    }

    private Response create(Op.Create c, long sid) {
        CreateMode mode = c.mode();
        String checked = mode.sequential() ? c.path() + "0000000000000000000" : c.path();
        Response.Failure bad = pathProblem(checked);
        if (bad != null) {
            return bad;
        }
        if (checked.equals("/")) {
            return fail(ErrorCode.INVALID_PATH);
        }
        if (c.data().length > limits.dataBytesMax()) {
            return fail(ErrorCode.TOO_LARGE);
        }
        boolean ttlMode = mode == CreateMode.PERSISTENT_WITH_TTL || mode == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
        if (ttlMode ? c.ttlMillis() <= 0 : c.ttlMillis() != 0) {
            return fail(ErrorCode.BAD_ARGUMENTS);
        }
        boolean ephemeral = mode == CreateMode.EPHEMERAL || mode == CreateMode.EPHEMERAL_SEQUENTIAL;
        if (ephemeral && sid == 0) {
            return fail(ErrorCode.BAD_ARGUMENTS);
        }
        if (ephemeral && !sessions.containsKey(sid)) {
            return fail(ErrorCode.SESSION_EXPIRED);
        }
        String parent = parentOf(checked);
        N p = nodes.get(parent);
        if (p == null) {
            return fail(ErrorCode.NO_NODE);
        }
        if (p.kind == 'E') {
            return fail(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS);
        }
        String path = mode.sequential() ? c.path() + String.format(java.util.Locale.ROOT, "%019d", p.nextSeq) : c.path();
        if (nodes.containsKey(path)) {
            return fail(ErrorCode.NODE_EXISTS);
        }
        if (mode.sequential()) {
            p.nextSeq++;
        }
        N n = new N();
        n.data = c.data().clone();
        n.createRev = pending();
        n.modRev = pending();
        n.ctime = now;
        n.mtime = now;
        n.owner = ephemeral ? sid : 0;
        n.kind = ephemeral ? 'E' : ttlMode ? 'T' : mode == CreateMode.CONTAINER ? 'C' : 'P';
        n.ttl = ttlMode ? c.ttlMillis() : 0;
        nodes.put(path, n);
        p.cversion++;
        dirty = true;
        events.add(new WatchEvent(WatchEvent.Type.CREATED, path, pending(), stat(path), n.data.clone()));
        events.add(new WatchEvent(WatchEvent.Type.CHILDREN_CHANGED, parent, pending(), stat(parent), null));
        return new Response.Created(path, stat(path));
    }

    private void removeNode(String path) {
        Stat before = stat(path);
        nodes.remove(path);
        String parent = parentOf(path);
        nodes.get(parent).cversion++;
        dirty = true;
        events.add(new WatchEvent(WatchEvent.Type.DELETED, path, pending(), before, null));
        events.add(new WatchEvent(WatchEvent.Type.CHILDREN_CHANGED, parent, pending(), stat(parent), null));
    }

    private void cascade(String path) {
        while (!path.equals("/") && nodes.containsKey(path) && nodes.get(path).kind == 'C' && childrenOf(path).isEmpty()) {
            String up = parentOf(path);
            removeNode(path);
            path = up;
        }
    }

    private void deleteEphemerals(long owner) {
        List<String> owned = new ArrayList<>();
        nodes.forEach((path, n) -> {
            if (n.owner == owner) {
                owned.add(path);
            }
        });
        Collections.sort(owned);
        for (String path : owned) {
            removeNode(path);
            cascade(parentOf(path));
        }
    }

    private boolean ttlExpired(String path) {
        N n = nodes.get(path);
        return n != null && n.kind == 'T' && childrenOf(path).isEmpty() && n.mtime + n.ttl <= now;
    }

    private void expireTtlNodes() {
        List<String> ttls = new ArrayList<>();
        nodes.forEach((path, n) -> {
            if (n.kind == 'T') {
                ttls.add(path);
            }
        });
        ttls.sort(Comparator.reverseOrder());
        for (String path : ttls) {
            if (ttlExpired(path)) {
                removeNode(path);
                cascade(parentOf(path));
            }
        }
        for (String path : nodes.keySet()) {
            if (ttlExpired(path)) {
                throw new AssertionError("one descending pass left an expired TTL node: " + path);
            }
        }
    }

    // ---- txn ----

    private Response txn(Command.Txn t, long sid) {
        if (t.compares().size() + t.then().size() + t.otherwise().size() > limits.txnOpsMax()) {
            return fail(ErrorCode.TOO_LARGE);
        }
        boolean all = true;
        for (int i = 0; i < t.compares().size(); i++) {
            Compare c = t.compares().get(i);
            Response.Failure bad;
            if (c.target() == Compare.Target.SESSION_ALIVE) {
                boolean ok = c.op() == Compare.Operator.EQUAL || c.op() == Compare.Operator.NOT_EQUAL;
                bad = ok ? null : fail(ErrorCode.BAD_ARGUMENTS);
            } else {
                bad = pathProblem(c.path());
            }
            if (bad != null) {
                return new Response.Failure(bad.code(), "compare " + i + ": " + bad.message());
            }
            all &= holds(c);
        }
        List<Op> branch = all ? t.then() : t.otherwise();
        List<Response> results = new ArrayList<>();
        for (int i = 0; i < branch.size(); i++) {
            Response r = op(branch.get(i), sid);
            if (r instanceof Response.Failure f) {
                return new Response.Failure(f.code(), "op " + i + ": " + f.message());
            }
            results.add(r);
        }
        return new Response.TxnResult(all, results);
    }

    private boolean holds(Compare c) {
        Compare.Operator op = c.op();
        if (c.target() == Compare.Target.SESSION_ALIVE) {
            boolean alive = sessions.containsKey(c.number());
            return op == Compare.Operator.EQUAL ? alive : !alive;
        }
        N n = nodes.get(c.path());
        if (c.target() == Compare.Target.EXISTS) {
            return order(Long.compare(n == null ? 0 : 1, c.number()), op);
        }
        if (n == null) {
            return op == Compare.Operator.NOT_EQUAL;
        }
        switch (c.target()) {
            case VERSION:
                return order(Long.compare(n.version, c.number()), op);
            case MOD_REVISION:
                return order(Long.compare(n.modRev, c.number()), op);
            case CREATE_REVISION:
                return order(Long.compare(n.createRev, c.number()), op);
            default:
                return order(unsigned(n.data, c.value()), op);
        }
    }

    private static int unsigned(byte[] a, byte[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            int x = a[i] & 0xff;
            int y = b[i] & 0xff;
            if (x != y) {
                return x - y;
            }
        }
        return a.length - b.length;
    }

    private static boolean order(int c, Compare.Operator op) {
        switch (op) {
            case EQUAL:
                return c == 0;
            case NOT_EQUAL:
                return c != 0;
            case LESS:
                return c < 0;
            default:
                return c > 0;
        }
    }

    // ---- paths ----

    private Response.Failure pathProblem(String path) {
        if (!path.startsWith("/")) {
            return fail(ErrorCode.INVALID_PATH);
        }
        if (!path.equals("/")) {
            if (path.endsWith("/")) {
                return fail(ErrorCode.INVALID_PATH);
            }
            for (String segment : path.substring(1).split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    return fail(ErrorCode.INVALID_PATH);
                }
            }
        }
        for (char ch : path.toCharArray()) {
            if (ch < 0x20 || (ch >= 0x7f && ch <= 0x9f)) {
                return fail(ErrorCode.INVALID_PATH);
            }
        }
        byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
        if (!new String(utf8, StandardCharsets.UTF_8).equals(path)) {
            return fail(ErrorCode.INVALID_PATH);
        }
        return utf8.length > limits.pathLengthMax() ? fail(ErrorCode.TOO_LARGE) : null;
    }

    private static Response.Failure fail(ErrorCode code) {
        return new Response.Failure(code, code.name());
    }

    /** Every node as "path data stat", sorted. */
    List<String> dump() {
        List<String> out = new ArrayList<>();
        for (String path : nodes.keySet()) {
            out.add(path + " " + Arrays.toString(nodes.get(path).data) + " " + stat(path));
        }
        Collections.sort(out);
        return out;
    }
}
