package io.coordinator.server.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Every log line of a member process carries its time in ISO-8601 UTC with milliseconds, whatever
 * the host's time zone", and "a role change and a session expiry are each one line with member,
 * term and revision". One real member process, started through {@link ServerMain} as a launcher
 * would, but with {@code TZ=Asia/Kolkata} (UTC+05:30) and no {@code -Duser.timezone}: a local time
 * passed off as UTC would be five and a half hours off.
 */
class MemberProcessLogTest {
    private static final String HOST = "127.0.0.1";
    private static final String FOREIGN_ZONE = "Asia/Kolkata";
    /** slf4j-simple's line: time, [thread], level, logger, " - ", message. */
    private static final Pattern LOG_LINE = Pattern.compile("^(\\S+) \\[[^\\]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) .*");
    private static final Pattern UTC_MILLIS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final Duration START_WAIT = Duration.ofSeconds(60);

    private static Path dir;
    private static Path logFile;
    private static Process member;
    private static int httpPort;
    private static Instant startedAt;

    @BeforeAll
    static void startMember() throws IOException {
        dir = Files.createTempDirectory("member-process-log");
        logFile = dir.resolve("m1.log");
        int clientPort = freePort();
        int raftPort = freePort();
        httpPort = freePort();
        Path config = dir.resolve("m1.yaml");
        Files.writeString(config, String.join("\n",
                "member-id: m1",
                "data-dir: data",
                "members:",
                "  - {id: m1, host: " + HOST + ", client-port: " + clientPort + ", raft-port: " + raftPort
                        + ", http-port: " + httpPort + "}",
                ""));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String open : List.of("java.base/java.util.concurrent.atomic", "java.base/java.util", "java.base/java.lang",
                "java.base/java.nio", "java.base/sun.nio.ch")) {
            command.add("--add-opens");
            command.add(open + "=ALL-UNNAMED");
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ServerMain.class.getName(), "server", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put("TZ", FOREIGN_ZONE);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        startedAt = Instant.now();
        member = builder.start();
    }

    @AfterAll
    static void stopMember() throws IOException, InterruptedException {
        if (member != null) {
            member.destroyForcibly();
            member.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void everyLineOfAMemberProcessStartsWithItsUtcTimeInMilliseconds() {
        String leaderLine = awaitLine("became leader");
        Instant now = Instant.now();
        List<String> lines = lines();
        int logLines = 0;
        for (String line : lines) {
            Matcher matcher = LOG_LINE.matcher(line);
            if (!matcher.matches()) {
                // A stack trace's continuation lines, or output that is not a log line.
                assertFalse(line.matches(".*\\] (INFO|WARN|ERROR) .*"), "a log line without a leading time: " + line);
                continue;
            }
            logLines++;
            String time = matcher.group(1);
            assertTrue(UTC_MILLIS.matcher(time).matches(), "not ISO-8601 UTC with milliseconds: " + line);
            Instant at = Instant.parse(time);
            // Read as UTC, the time lies between the start of the process and now (give or take a
            // second of clock granularity); a local time labelled Z would be 5:30 h ahead.
            assertFalse(at.isBefore(startedAt.minusSeconds(1)), at + " is before the process started, " + startedAt);
            assertFalse(at.isAfter(now.plusSeconds(1)), at + " is after " + now);
        }
        assertTrue(logLines > 0, "no log line in " + lines);
        assertTrue(LOG_LINE.matcher(leaderLine).matches(), leaderLine);
    }

    @Test
    void becomingLeaderIsOneLineWithMemberTermAndRevision() {
        String line = awaitLine("became leader");
        assertTrue(line.matches(".* member=m1 term=[1-9]\\d* revision=\\d+ became leader.*"), line);
        awaitLine("joined the cluster"); // logged once the log sessions are open, well after the election
        assertEquals(1, lines().stream().filter(l -> l.contains("became leader")).count(), String.join("\n", lines()));
    }

    @Test
    void aSessionExpiryIsOneLineWithMemberTermAndRevision() throws Exception {
        awaitLine("became leader");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // The default bounds: 2 s is the shortest TTL a member grants.
        HttpRequest grant = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + httpPort + "/v1/sessions?ttl-ms=2000"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build();
        String[] session = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            HttpResponse<String> answer = http.send(grant, HttpResponse.BodyHandlers.ofString());
            Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"?(\\d+)").matcher(answer.body());
            if (answer.statusCode() == 201 && id.find()) {
                session[0] = id.group(1);
                return true;
            }
            return false;
        });
        String line = awaitLine("session " + session[0] + " expired");
        assertTrue(line.matches(".* member=m1 term=[1-9]\\d* revision=\\d+ session " + session[0] + " expired.*"), line);
        assertEquals(1, lines().stream().filter(l -> l.contains("session " + session[0] + " expired")).count());
    }

    private static String awaitLine(String containing) {
        String[] found = new String[1];
        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(member.isAlive() || lines().stream().anyMatch(l -> l.contains(containing)),
                    "the member exited:\n" + String.join("\n", lines()));
            for (String line : lines()) {
                if (line.contains(containing)) {
                    found[0] = line;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static List<String> lines() {
        try {
            return Files.readAllLines(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + logFile, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
    }
}
