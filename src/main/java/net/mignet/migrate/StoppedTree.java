package net.mignet.migrate;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.mignet.app.App;
import net.mignet.kernel.OrphanReaper;
import net.mignet.kernel.Signals;

/**
 * The process tree of an app that criu dumped and left stopped ({@code --leave-stopped}): killed at once, and
 * reaped in the background, so its dying (criu would wait for it: 4-53 ms measured for an 8 MB Python process)
 * overlaps the images' transfer. Its pids must be free again before a copy is restored with the same pids:
 * {@link #awaitGone}.
 */
final class StoppedTree {
    private static final int SIGKILL = 9;

    private final App app;
    private final CompletableFuture<Boolean> gone;

    private StoppedTree(App app, CompletableFuture<Boolean> gone) {
        this.app = app;
        this.gone = gone;
    }

    /** Kills the processes {@code pids} of {@code app} (its root among them) and starts waiting for them. */
    static StoppedTree kill(App app, Set<Long> pids, Duration timeout) {
        for (long pid : pids) {
            Signals.send(pid, SIGKILL);
        }
        CompletableFuture<Boolean> gone = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("reap-" + app.name()).start(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            // The root is the JVM's child (or adopted as such): the app reaps it and takes its exit status.
            boolean all = app.awaitExit(timeout);
            // Its children were reparented to mignet (OrphanReaper) when the root died: reaped here at once.
            all &= OrphanReaper.reapKilled(pids, app.pid(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            gone.complete(all);
        });
        return new StoppedTree(app, gone);
    }

    /** Waits until every process of the tree is gone; throws when one is not within {@code timeout}. */
    void awaitGone(Duration timeout) {
        try {
            if (!gone.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(app.name() + " still runs after criu dumped it and mignet killed"
                        + " it (pid " + app.pid() + " or one of its children)");
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException(app.name() + " (pid " + app.pid() + ") did not end within "
                    + timeout.toMillis() + " ms of being killed after its dump");
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for " + app.name() + " to end failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + app.name() + " to end", e);
        }
    }
}
