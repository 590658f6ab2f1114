package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.app.LogLine;
import net.mignet.kernel.ProcessSockets;
import net.mignet.topo.MigrationRecipe.Condition;

/** Waits for a recipe's {@code ready} or {@code done} condition. */
final class RecipeConditions {
    private static final Duration POLL = Duration.ofMillis(2);

    private RecipeConditions() {
    }

    /**
     * Waits until {@code condition} holds for the successor (lines counted from {@code since}); fails early when
     * the successor exits, and with what was awaited when the timeout passes.
     */
    static void await(String key, Condition condition, App old, App successor, Instant since, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        switch (condition) {
            case Condition.Immediately _ -> {
            }
            case Condition.After a -> Thread.sleep(a.duration());
            case Condition.Exited _ -> {
                if (!old.awaitExit(timeout)) {
                    throw new IllegalStateException(key + ": " + old.name() + " on " + old.host().name()
                            + " did not exit within " + timeout.toMillis() + " ms");
                }
            }
            case Condition.PortBound p -> {
                while (!ProcessSockets.bound(successor.pid(), p.protocol(), p.port())) {
                    checkAlive(key, condition, successor);
                    if (System.nanoTime() > deadline) {
                        throw timedOut(key, condition, successor, timeout);
                    }
                    Thread.sleep(POLL);
                }
            }
            case Condition.LogMatch m -> {
                while (true) {
                    long left = deadline - System.nanoTime();
                    Optional<LogLine> line = successor.log().await(l -> !l.time().isBefore(since)
                            && m.regex().matcher(l.text()).find(), Duration.ofNanos(Math.max(0,
                                    Math.min(left, Duration.ofMillis(100).toNanos()))));
                    if (line.isPresent()) {
                        break;
                    }
                    checkAlive(key, condition, successor);
                    if (System.nanoTime() > deadline) {
                        throw timedOut(key, condition, successor, timeout);
                    }
                }
            }
        }
    }

    private static void checkAlive(String key, Condition condition, App successor) {
        if (!successor.isRunning()) {
            throw new IllegalStateException("the successor " + successor.name() + " on " + successor.host().name()
                    + " exited (status " + successor.exitStatus().orElse(-1) + ") before " + key + " (" + condition
                    + "); its last lines: " + lastWords(successor));
        }
    }

    private static IllegalStateException timedOut(String key, Condition condition, App successor, Duration timeout) {
        return new IllegalStateException(key + " (" + condition + ") did not hold within " + timeout.toMillis()
                + " ms; the successor's last lines: " + lastWords(successor));
    }

    static String lastWords(App app) {
        List<LogLine> lines = app.log().lines();
        return lines.isEmpty() ? "(none)" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 6),
                lines.size()).stream().map(LogLine::text).toList());
    }
}
