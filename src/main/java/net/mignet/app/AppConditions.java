package net.mignet.app;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.mignet.kernel.ProcessSockets;
import net.mignet.topo.MigrationRecipe.Condition;

/**
 * Waits until an app is in a described condition: its own processes bound a port, it printed a matching line, or
 * a fixed time passed. Used for a recipe's {@code ready} and {@code done}, and for the {@code wait} of an app in
 * the topology file.
 */
public final class AppConditions {
    private static final Duration POLL = Duration.ofMillis(2);

    private AppConditions() {
    }

    /**
     * Waits until {@code condition} holds for {@code app} (lines counted from {@code since}); fails early when the
     * app exits, and says what was awaited when the timeout passes. {@link Condition.Exited} is not about one app's
     * own state and is refused.
     *
     * @param what how messages call the wait, e.g. {@code ready}
     */
    public static void await(String what, Condition condition, App app, Instant since, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        switch (condition) {
            case Condition.Immediately _ -> {
            }
            case Condition.After a -> Thread.sleep(a.duration());
            case Condition.Exited _ -> throw new IllegalArgumentException(what + ": 'exit' is not a condition of"
                    + " one app");
            case Condition.PortBound p -> {
                while (!ProcessSockets.bound(app.pid(), p.protocol(), p.port())) {
                    checkAlive(what, condition, app);
                    if (System.nanoTime() > deadline) {
                        throw timedOut(what, condition, app, timeout);
                    }
                    Thread.sleep(POLL);
                }
            }
            case Condition.LogMatch m -> {
                while (true) {
                    long left = deadline - System.nanoTime();
                    Optional<LogLine> line = app.log().await(l -> !l.time().isBefore(since)
                            && m.regex().matcher(l.text()).find(), Duration.ofNanos(Math.max(0,
                                    Math.min(left, Duration.ofMillis(100).toNanos()))));
                    if (line.isPresent()) {
                        break;
                    }
                    checkAlive(what, condition, app);
                    if (System.nanoTime() > deadline) {
                        throw timedOut(what, condition, app, timeout);
                    }
                }
            }
        }
    }

    private static void checkAlive(String what, Condition condition, App app) {
        if (!app.isRunning()) {
            throw new IllegalStateException(app.name() + " on " + app.host().name() + " exited (status "
                    + app.exitStatus().orElse(-1) + ") before " + what + " (" + condition + "); its last lines: "
                    + lastWords(app));
        }
    }

    private static IllegalStateException timedOut(String what, Condition condition, App app, Duration timeout) {
        return new IllegalStateException(what + " (" + condition + ") did not hold for " + app.name() + " within "
                + timeout.toMillis() + " ms; its last lines: " + lastWords(app));
    }

    /** The app's last few output lines, for messages. */
    public static String lastWords(App app) {
        List<LogLine> lines = app.log().tail(6);
        return lines.isEmpty() ? "(none)" : String.join(" | ", lines.stream().map(LogLine::text).toList());
    }
}
