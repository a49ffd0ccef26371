package io.coordinator.server.cli;

import java.util.TimeZone;

/**
 * Makes this process's log times UTC. slf4j-simple (configured by {@code simplelogger.properties})
 * formats each line's time with a {@code SimpleDateFormat} that takes the JVM's default time zone
 * when the first logger is made, i.e. whatever {@code TZ} or {@code /etc/localtime} says on that
 * host. Members on hosts in different zones, or a log read in another zone, would then disagree on
 * when a role change happened. So every entry point calls {@link #useUtc()} before anything logs;
 * the launchers also start the JVM with {@code -Duser.timezone=UTC}, which covers the time before
 * {@code main}. Nothing in the project formats local times, so changing the default zone changes
 * only the logs.
 */
public final class LogTimeZone {
    private LogTimeZone() {
    }

    /** Call first thing in {@code main}: a logger made before this keeps the zone it was made with. */
    public static void useUtc() {
        System.setProperty("user.timezone", "UTC");
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    }
}
