package net.mignet.cli;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * What Ctrl-C (SIGINT) means at each moment of an interactive session, outside the prompt (where JLine clears the
 * line): during a command run on a host (or on the machine, {@code sh}) it stops that command; during a built-in
 * command it says the command cannot be interrupted, unless the command is one that Ctrl-C may stop
 * ({@code pingall}); during teardown it says so, and pressed twice within a second, what teardown waits for.
 * It never ends the JVM, which would leave the network behind.
 *
 * <p>What Ctrl-C stops may nest: a file run by {@code source} runs a host command; Ctrl-C stops both, the command
 * and the file's remaining lines.
 */
final class InterruptRouter {
    /** Something running that Ctrl-C can stop. */
    interface Stoppable {
        void stop();
    }

    private static final long TWICE_NANOS = 1_000_000_000L;
    private final PrintStream err;
    private final Thread worker;
    /** Innermost first. */
    private final Deque<Stoppable> running = new ArrayDeque<>();
    private volatile String busyWith;
    private volatile boolean tearingDown;
    private long lastPress = Long.MIN_VALUE / 2;

    /** {@code worker} is the thread that runs commands and then the teardown. */
    InterruptRouter(Thread worker, PrintStream err) {
        this.worker = worker;
        this.err = err;
    }

    synchronized void running(Stoppable command) {
        running.push(command);
    }

    synchronized void done(Stoppable command) {
        running.remove(command);
    }

    /** A built-in command that Ctrl-C cannot stop runs (null: none); returns the one it replaces, to restore. */
    String busyWith(String verb) {
        String before = busyWith;
        busyWith = verb;
        return before;
    }

    void tearingDown() {
        tearingDown = true;
    }

    /** Called for each SIGINT, on the signal's thread. */
    synchronized void interrupt() {
        long now = System.nanoTime();
        boolean twice = now - lastPress < TWICE_NANOS;
        lastPress = now;
        List<Stoppable> stopping = List.copyOf(running);
        stopping.forEach(Stoppable::stop);
        if (tearingDown && stopping.isEmpty()) {
            err.println(twice ? "mignet: still tearing down; waiting for " + WaitDescription.of(worker)
                    : "mignet: tearing the network down, please wait (Ctrl-C twice shows what it waits for)");
        } else if (busyWith != null) {
            err.println(twice ? "mignet: '" + busyWith + "' is waiting for " + WaitDescription.of(worker)
                    : "mignet: '" + busyWith + "' cannot be interrupted; the prompt returns when it ends (Ctrl-C"
                            + " twice shows what it waits for)");
        }
        err.flush();
    }
}
