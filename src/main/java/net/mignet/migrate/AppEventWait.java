package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.app.AppConditions;
import net.mignet.app.LogLine;
import net.mignet.app.AppEvents;

/** Waits for events that built-in apps print, reading them from the apps' logs as they arrive. */
final class AppEventWait {
    /** How long one look at a second app may be delayed while waiting on the first. */
    private static final Duration SLICE = Duration.ofMillis(5);
    /** How late an app's exit may be noticed while waiting for its event. */
    private static final Duration EXIT_CHECK = Duration.ofMillis(50);

    private AppEventWait() {
    }

    /** The first event {@code name} that {@code app} printed at or after {@code since}, if any yet. */
    static Optional<AppEvents.Event> find(App app, String name, Instant since) {
        for (LogLine line : app.log().linesSince(since, LogLine.Stream.STDERR)) {
            AppEvents.Event e = AppEvents.parse(line.text());
            if (e != null && e.name().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Waits for {@code app} to print event {@code name} after {@code since}. Fails early, with the app's last
     * words, when the app exits first, or when {@code watched} prints {@code failure} after {@code since}.
     */
    static AppEvents.Event await(App app, String name, Instant since, Duration timeout, App watched, String failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<AppEvents.Event> found = find(app, name, since);
            if (found.isPresent()) {
                return found.get();
            }
            if (watched != null) {
                Optional<AppEvents.Event> failed = find(watched, failure, since);
                if (failed.isPresent()) {
                    throw new IllegalStateException(watched.name() + " on " + watched.host().name() + " reports "
                            + failure + " " + failed.get().fields() + "; its last lines: " + AppConditions.lastWords(watched));
                }
            }
            if (!app.isRunning() && app.awaitExit(Duration.ZERO)) {
                // Its last lines are in the log now (awaitExit waits for them): the event may be among them.
                Optional<AppEvents.Event> last = find(app, name, since);
                if (last.isPresent()) {
                    return last.get();
                }
                throw new IllegalStateException(app.name() + " on " + app.host().name() + " exited (status "
                        + app.exitStatus().orElse(-1) + ") before '" + name + "'; its last lines: " + AppConditions.lastWords(app));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(app.name() + " on " + app.host().name() + " did not report '" + name
                        + "' within " + timeout.toMillis() + " ms; its last lines: " + AppConditions.lastWords(app));
            }
            // In slices also with nobody watched: a log wait ends only on a matching line or its timeout, so a
            // successor that died at once (a memory limit, a bind error) held the migration for its whole timeout.
            Duration slice = watched == null ? EXIT_CHECK : SLICE;
            app.log().await(l -> isEvent(l, name), slice.compareTo(Duration.ofNanos(left)) < 0 ? slice
                    : Duration.ofNanos(left));
        }
    }

    private static boolean isEvent(LogLine line, String name) {
        AppEvents.Event e = AppEvents.parse(line.text());
        return e != null && e.name().equals(name);
    }
}
