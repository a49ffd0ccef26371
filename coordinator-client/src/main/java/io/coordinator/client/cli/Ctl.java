package io.coordinator.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.coordinator.client.ChildrenResult;
import io.coordinator.client.ClientConfig;
import io.coordinator.client.Coordinator;
import io.coordinator.client.CoordinatorException;
import io.coordinator.client.CreateResult;
import io.coordinator.client.DeleteResult;
import io.coordinator.client.Endpoint;
import io.coordinator.client.GetResult;
import io.coordinator.client.MemberInfo;
import io.coordinator.client.TxnResult;
import io.coordinator.core.api.Command;
import io.coordinator.core.api.Compare;
import io.coordinator.core.api.CreateMode;
import io.coordinator.core.api.ErrorCode;
import io.coordinator.core.api.Op;
import io.coordinator.core.api.Response;
import io.coordinator.core.api.Stat;
import io.coordinator.protocol.message.Codec;
import io.coordinator.protocol.message.Consistency;
import io.coordinator.protocol.message.MemberStatus;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;

/**
 * {@code ctl}: the command line client. Run it with {@link #main}, or from another main as
 * {@code new CommandLine(new Ctl()).execute(args)}; it prints to the CommandLine's out and err writers
 * and returns one of the {@code EXIT_*} codes.
 */
@CommandLine.Command(name = "ctl", mixinStandardHelpOptions = true, version = "coordinator ctl 0.1.0",
        description = "Reads and writes a Coordinator cluster.",
        subcommands = {Ctl.Create.class, Ctl.Get.class, Ctl.Set.class, Ctl.Delete.class, Ctl.Ls.class,
                Ctl.StatCommand.class, Ctl.Txn.class, Ctl.Status.class, WatchCommand.class,
                SessionCommand.class, LockCommand.class, ElectCommand.class, CounterCommand.class,
                MembersCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok; 1 unexpected failure; 2 usage; 3 NO_NODE; 4 conflict (NODE_EXISTS, BAD_VERSION,"
                + " NOT_EMPTY, NO_CHILDREN_FOR_EPHEMERALS, COMPACTED); 5 invalid request (INVALID_PATH, TOO_LARGE,"
                + " MALFORMED, BAD_ARGUMENTS); 6 unavailable (UNAVAILABLE, OVERLOADED); 7 outcome unknown (TIMEOUT);"
                + " 8 session or permission (SESSION_EXPIRED, UNAUTHORIZED); 9 the lock or leadership was lost while"
                + " held (lock, elect, members --join); 127 lock's command could not be started;"
                + " otherwise lock exits with its command's code."})
public final class Ctl implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NOT_FOUND = 3;
    public static final int EXIT_CONFLICT = 4;
    public static final int EXIT_INVALID = 5;
    public static final int EXIT_UNAVAILABLE = 6;
    public static final int EXIT_UNKNOWN_OUTCOME = 7;
    public static final int EXIT_SESSION = 8;
    /** A lock, a term of leadership or a group membership ended while held (session lost, node deleted). */
    public static final int EXIT_LOST = 9;
    /** {@code ctl lock}: the command could not be started (as a shell says for a missing command). */
    public static final int EXIT_NOT_STARTED = 127;

    @Option(names = "--endpoints", paramLabel = "H:P[,H:P...]",
            defaultValue = "${env:COORDINATOR_ENDPOINTS:-127.0.0.1:7001}",
            description = "Members to talk to (default: $COORDINATOR_ENDPOINTS, else ${DEFAULT-VALUE}).")
    String endpoints;

    @Option(names = "--json", description = "Print results as JSON, one document per command.")
    boolean json;

    @Option(names = "--timeout-ms", defaultValue = "10000", paramLabel = "N",
            description = "Overall deadline of a request, retries included (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(names = "--serializable",
            description = "Serve reads from the member's local state: faster, possibly stale.")
    boolean serializable;

    @Spec
    CommandSpec spec;

    /**
     * Where the command that {@code ctl lock} runs writes: false (the default) lets it inherit this
     * process's stdout and stderr; true copies them, as text, into this CommandLine's out and err
     * writers (for tests, which capture those).
     */
    boolean pipeChildOutput;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Ctl()).execute(args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    /** The exit code of a failure class. */
    public static int exitCode(ErrorCode code) {
        return switch (code) {
            case NO_NODE -> EXIT_NOT_FOUND;
            case NODE_EXISTS, BAD_VERSION, NOT_EMPTY, NO_CHILDREN_FOR_EPHEMERALS, COMPACTED -> EXIT_CONFLICT;
            case INVALID_PATH, TOO_LARGE, MALFORMED, BAD_ARGUMENTS -> EXIT_INVALID;
            case UNAVAILABLE, OVERLOADED -> EXIT_UNAVAILABLE;
            case TIMEOUT -> EXIT_UNKNOWN_OUTCOME;
            case SESSION_EXPIRED, UNAUTHORIZED -> EXIT_SESSION;
        };
    }

    ClientConfig config(boolean openSession) {
        return ClientConfig.builder()
                .endpoints(endpoints)
                .requestTimeoutMillis(timeoutMillis)
                .openSession(openSession)
                .build();
    }

    Consistency readConsistency() {
        return serializable ? Consistency.SERIALIZABLE : Consistency.LINEARIZABLE;
    }

    /** What every subcommand shares: connecting, error reporting, output. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** Writes want a session: their retries are then de-duplicated. Reads do not need one. */
        boolean needsSession() {
            return false;
        }

        /** Checks and parses arguments before any connection is made. */
        void prepare() throws IOException {
        }

        abstract int run(Coordinator client);

        /** The client's configuration; a subcommand may change it (the recipes set the session TTL). */
        ClientConfig config() {
            return ctl.config(needsSession());
        }

        @Override
        public final Integer call() {
            try {
                prepare();
                try (Coordinator client = Coordinator.connect(config())) {
                    return run(client);
                }
            } catch (CoordinatorException e) {
                return error(e.code().name(), e.detail(), exitCode(e.code()));
            } catch (IllegalArgumentException e) {
                return error(ErrorCode.BAD_ARGUMENTS.name(), e.getMessage(), EXIT_USAGE);
            } catch (IOException e) {
                return error(ErrorCode.BAD_ARGUMENTS.name(), e.toString(), EXIT_INVALID);
            } finally {
                out().flush();
                err().flush();
            }
        }

        int error(String code, String message, int exit) {
            err().println("error: " + code + ": " + message);
            return exit;
        }

        void json(Object value) {
            try {
                out().println(Codec.json().mapper().writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot print JSON", e);
            }
        }
    }

    /** A subcommand that takes node data as an argument or from a file. */
    abstract static class WithData extends Sub {
        @Option(names = "--data-file", paramLabel = "FILE", description = "Read the data from FILE instead.")
        Path dataFile;

        byte[] data(String inline, boolean required) throws IOException {
            if (dataFile != null && inline != null) {
                throw new IllegalArgumentException("give the data or --data-file, not both");
            }
            if (dataFile != null) {
                return Files.readAllBytes(dataFile);
            }
            if (inline == null && required) {
                throw new IllegalArgumentException("no data: give it as an argument or with --data-file");
            }
            return inline == null ? new byte[0] : inline.getBytes(StandardCharsets.UTF_8);
        }
    }

    @CommandLine.Command(name = "create", description = "Create a node; prints the created path.")
    static final class Create extends WithData {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DATA", description = "UTF-8 data (default: empty).")
        String inline;

        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "persistent",
                description = "One of " + Modes.NAMES + " (default: ${DEFAULT-VALUE}).")
        String modeName;

        @Option(names = "--ttl-ms", paramLabel = "N", description = "TTL of a ttl or ttl-sequential node.")
        long ttlMillis;

        @Option(names = {"-p", "--parents"}, description = "Also create missing ancestors (persistent, empty), as mkdir -p.")
        boolean parents;

        private byte[] data;
        private CreateMode mode;

        @Override
        boolean needsSession() {
            return true;
        }

        @Override
        void prepare() throws IOException {
            data = data(inline, false);
            mode = Modes.parse(modeName);
            if (mode.hasTtl() && ttlMillis <= 0) {
                throw new IllegalArgumentException("mode " + modeName + " needs --ttl-ms");
            }
            if (!mode.hasTtl() && ttlMillis != 0) {
                throw new IllegalArgumentException("--ttl-ms is only for the ttl modes");
            }
        }

        @Override
        int run(Coordinator client) {
            CreateResult created = parents ? client.createWithParents(path, data, mode, ttlMillis)
                    : client.create(path, data, mode, ttlMillis);
            if (ctl.json) {
                json(created);
            } else {
                out().println(created.path());
            }
            if (mode.ephemeral()) {
                err().println("note: an ephemeral node lives as long as its session; ctl's ends as it exits");
            }
            return EXIT_OK;
        }
    }

    @CommandLine.Command(name = "get", description = "Print a node's data.")
    static final class Get extends Sub {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Option(names = {"-s", "--stat"}, description = "Also print the node's stat.")
        boolean withStat;

        @Override
        int run(Coordinator client) {
            GetResult got = client.get(path, ctl.readConsistency());
            if (ctl.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("path", path);
                doc.put("data", got.dataUtf8());
                doc.put("stat", got.stat());
                doc.put("revision", got.revision());
                json(doc);
            } else {
                out().println(got.dataUtf8());
                if (withStat) {
                    printStat(out(), path, got.stat());
                }
            }
            return EXIT_OK;
        }
    }

    @CommandLine.Command(name = "set", description = "Replace a node's data.")
    static final class Set extends WithData {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DATA")
        String inline;

        @Option(names = "--version", paramLabel = "N", defaultValue = "-1",
                description = "Only if the node's version is N (default: any).")
        int version;

        private byte[] data;

        @Override
        boolean needsSession() {
            return true;
        }

        @Override
        void prepare() throws IOException {
            data = data(inline, true);
        }

        @Override
        int run(Coordinator client) {
            Stat stat = client.set(path, data, version);
            if (ctl.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("path", path);
                doc.put("stat", stat);
                json(doc);
            } else {
                out().println("OK version " + stat.version() + " (revision " + stat.modRevision() + ")");
            }
            return EXIT_OK;
        }
    }

    @CommandLine.Command(name = "delete", description = "Delete a node (and with --recursive its subtree).")
    static final class Delete extends Sub {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Option(names = "--version", paramLabel = "N", defaultValue = "-1",
                description = "Only if the node's version is N (default: any).")
        int version;

        @Option(names = {"-r", "--recursive"}, description = "Delete the whole subtree.")
        boolean recursive;

        @Override
        boolean needsSession() {
            return true;
        }

        @Override
        int run(Coordinator client) {
            DeleteResult deleted = client.delete(path, version, recursive);
            if (ctl.json) {
                json(deleted);
            } else {
                out().println("deleted " + deleted.count() + (deleted.count() == 1 ? " node" : " nodes"));
            }
            return EXIT_OK;
        }
    }

    @CommandLine.Command(name = "ls", description = "List a node's children, sorted.")
    static final class Ls extends Sub {
        @Parameters(index = "0", paramLabel = "PATH", defaultValue = "/")
        String path;

        @Option(names = "-l", description = "Long listing: one line of stat per child.")
        boolean longListing;

        @Override
        int run(Coordinator client) {
            ChildrenResult children = client.children(path, longListing, ctl.readConsistency());
            if (ctl.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("path", path);
                if (longListing) {
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (int i = 0; i < children.names().size(); i++) {
                        Map<String, Object> child = new LinkedHashMap<>();
                        child.put("name", children.names().get(i));
                        child.put("stat", children.stats().get(i));
                        list.add(child);
                    }
                    doc.put("children", list);
                } else {
                    doc.put("children", children.names());
                }
                doc.put("revision", children.revision());
                json(doc);
            } else if (longListing) {
                Table table = new Table("VERSION", "CHILDREN", "BYTES", "OWNER", "MOD_REVISION", "MTIME", "NAME");
                for (int i = 0; i < children.names().size(); i++) {
                    Stat s = children.stats().get(i);
                    table.row(s.version(), s.numChildren(), s.dataLength(), owner(s), s.modRevision(),
                            Instant.ofEpochMilli(s.mtimeMillis()), children.names().get(i));
                }
                table.print(out());
            } else {
                children.names().forEach(out()::println);
            }
            return EXIT_OK;
        }
    }

    @CommandLine.Command(name = "stat", description = "Print a node's stat.")
    static final class StatCommand extends Sub {
        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Override
        int run(Coordinator client) {
            Optional<Stat> stat = client.exists(path, ctl.readConsistency());
            if (stat.isEmpty()) {
                throw CoordinatorException.of(ErrorCode.NO_NODE, path);
            }
            if (ctl.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("path", path);
                doc.put("stat", stat.get());
                json(doc);
            } else {
                printStat(out(), path, stat.get());
            }
            return EXIT_OK;
        }
    }

    @CommandLine.Command(name = "txn", description = {
            "If every --if holds, run the --then ops, else the --else ops; atomically, at one revision.",
            "Prints SUCCESS or FAILURE (the branch taken), then one line per op result.",
            "Example: ctl txn --if 'version /cfg = 3' --then 'set /cfg \"new value\" 3' --else 'get /cfg'"})
    static final class Txn extends Sub {
        @Option(names = "--if", paramLabel = "COMPARE", description = "A compare: " + TxnSyntax.COMPARE_HELP + ".")
        List<String> compares = new ArrayList<>();

        @Option(names = "--then", paramLabel = "OP", description = "An op if all compares hold: " + TxnSyntax.OP_HELP + ".")
        List<String> thenOps = new ArrayList<>();

        @Option(names = "--else", paramLabel = "OP", description = "An op otherwise.")
        List<String> elseOps = new ArrayList<>();

        private Command.Txn txn;

        @Override
        void prepare() {
            List<Compare> c = compares.stream().map(TxnSyntax::parseCompare).toList();
            List<Op> t = thenOps.stream().map(TxnSyntax::parseOp).toList();
            List<Op> e = elseOps.stream().map(TxnSyntax::parseOp).toList();
            if (t.isEmpty() && e.isEmpty()) {
                throw new IllegalArgumentException("a txn needs at least one --then or --else op");
            }
            txn = new Command.Txn(c, t, e);
        }

        @Override
        boolean needsSession() {
            return txn.isWrite();
        }

        @Override
        int run(Coordinator client) {
            TxnResult result = client.txn().compare(txn.compares().toArray(Compare[]::new))
                    .then(txn.then().toArray(Op[]::new))
                    .orElse(txn.otherwise().toArray(Op[]::new))
                    .consistency(ctl.readConsistency())
                    .commit();
            List<Op> ops = result.succeeded() ? txn.then() : txn.otherwise();
            if (ctl.json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("succeeded", result.succeeded());
                doc.put("revision", result.revision());
                List<Map<String, Object>> list = new ArrayList<>();
                for (int i = 0; i < result.results().size(); i++) {
                    list.add(jsonResult(i < ops.size() ? ops.get(i).path() : null, result.results().get(i)));
                }
                doc.put("results", list);
                json(doc);
            } else {
                out().println(result.succeeded() ? "SUCCESS" : "FAILURE");
                for (int i = 0; i < result.results().size(); i++) {
                    out().println(describe(i < ops.size() ? ops.get(i).path() : "?", result.results().get(i)));
                }
            }
            return EXIT_OK;
        }

        private static Map<String, Object> jsonResult(String path, Response response) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("path", path);
            if (response instanceof Response.Data data) {
                doc.put("type", "get");
                doc.put("data", new String(data.data(), StandardCharsets.UTF_8));
                doc.put("stat", data.stat());
            } else {
                doc.put("type", response.getClass().getSimpleName());
                doc.put("result", response);
            }
            return doc;
        }

        private static String describe(String path, Response response) {
            if (response instanceof Response.Created r) {
                return "created " + r.path();
            } else if (response instanceof Response.Updated r) {
                return "set " + path + " version " + r.stat().version();
            } else if (response instanceof Response.Deleted r) {
                return "deleted " + r.path() + " (" + r.count() + (r.count() == 1 ? " node)" : " nodes)");
            } else if (response instanceof Response.Data r) {
                return path + " = " + new String(r.data(), StandardCharsets.UTF_8);
            } else if (response instanceof Response.ExistsResult r) {
                return path + (r.exists() ? " exists (version " + r.stat().version() + ")" : " does not exist");
            } else if (response instanceof Response.ChildrenResult r) {
                return path + " children: " + String.join(" ", r.names());
            } else if (response instanceof Response.Failure r) {
                return "failed " + path + ": " + r.code() + ": " + r.message();
            }
            return String.valueOf(response);
        }
    }

    @CommandLine.Command(name = "status", description = {
            "Ask every given endpoint for its status; prints one row per endpoint.",
            "Exits 6 if any endpoint did not answer."})
    static final class Status extends Sub {
        @Override
        int run(Coordinator client) {
            List<Endpoint> endpoints = client.config().endpoints();
            List<CompletableFuture<MemberInfo>> asked = endpoints.stream().map(e -> client.async().status(e)).toList();
            List<Map<String, Object>> docs = new ArrayList<>();
            Table table = new Table("ENDPOINT", "MEMBER", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED", "REVISION", "ERROR");
            boolean allAnswered = true;
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint endpoint = endpoints.get(i);
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("endpoint", endpoint.toString());
                try {
                    MemberInfo info = asked.get(i).join();
                    MemberStatus s = info.self();
                    doc.put("status", s);
                    doc.put("members", info.members());
                    table.row(endpoint, s.memberId(), s.role(), s.term(), s.leaderId() == null ? "-" : s.leaderId(),
                            s.commitIndex(), s.lastApplied(), s.revision());
                } catch (RuntimeException e) {
                    allAnswered = false;
                    CoordinatorException failure = unwrap(e);
                    Map<String, Object> error = new LinkedHashMap<>();
                    error.put("code", failure.code().name());
                    error.put("message", failure.detail());
                    doc.put("error", error);
                    table.row(endpoint, "-", "unreachable", "-", "-", "-", "-", "-", failure.code() + ": " + failure.detail());
                }
                docs.add(doc);
            }
            if (ctl.json) {
                json(docs);
            } else {
                table.print(out());
            }
            return allAnswered ? EXIT_OK : EXIT_UNAVAILABLE;
        }

        private static CoordinatorException unwrap(Throwable e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof CoordinatorException)) {
                cause = cause.getCause();
            }
            return cause instanceof CoordinatorException ce ? ce
                    : new CoordinatorException(ErrorCode.UNAVAILABLE, String.valueOf(e.getMessage()));
        }
    }

    static void printStat(PrintWriter out, String path, Stat s) {
        Table table = new Table("path", path);
        table.row("createRevision", s.createRevision())
                .row("modRevision", s.modRevision())
                .row("version", s.version())
                .row("cversion", s.cversion())
                .row("ephemeralOwner", owner(s))
                .row("dataLength", s.dataLength())
                .row("numChildren", s.numChildren())
                .row("ctime", Instant.ofEpochMilli(s.ctimeMillis()))
                .row("mtime", Instant.ofEpochMilli(s.mtimeMillis()));
        table.print(out);
    }

    private static String owner(Stat s) {
        return s.ephemeralOwner() == 0 ? "-" : "0x" + Long.toHexString(s.ephemeralOwner());
    }
}
