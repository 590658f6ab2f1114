package net.mignet.cli;

import java.io.PrintStream;
import net.mignet.app.AppManager;
import net.mignet.experiment.TimelineResult;
import net.mignet.experiment.TimelineRunner;
import net.mignet.topo.Lab;

/**
 * A file's timeline running beside the interactive shell, so the user can watch and type while it runs; the
 * shell's end stops it.
 */
final class BackgroundTimeline implements AutoCloseable {
    private final Thread thread;

    private BackgroundTimeline(Thread thread) {
        this.thread = thread;
    }

    static BackgroundTimeline start(AppManager apps, Lab lab, PrintStream out) {
        if (lab.timeline().isEmpty()) {
            return new BackgroundTimeline(null);
        }
        Thread t = Thread.ofPlatform().name("timeline").daemon().start(() -> {
            try {
                TimelineResult result = new TimelineRunner(apps, lab, out).run();
                out.println(result.failure().map(f -> "*** timeline stopped: " + f)
                        .orElse("*** timeline done: " + result.steps().size() + " steps"));
            } catch (InterruptedException e) {
                out.println("*** timeline stopped" + (e.getMessage() == null ? " with the shell" : ": " + e.getMessage()));
            }
        });
        return new BackgroundTimeline(t);
    }

    @Override
    public void close() throws InterruptedException {
        if (thread != null) {
            thread.interrupt();
            thread.join();
        }
    }
}
