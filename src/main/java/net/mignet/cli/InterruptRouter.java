package net.mignet.cli;

import java.io.PrintStream;

/**
 * What Ctrl-C (SIGINT) means at each moment of an interactive session, outside the prompt (where JLine clears the
 * line): during a command run on a host it stops that command; during a built-in command it says the command
 * cannot be interrupted; during teardown it says so, and pressed twice within a second, what teardown waits for.
 * It never ends the JVM, which would leave the network behind.
 */
final class InterruptRouter {
    /** Something running that Ctrl-C can stop. */
    interface Stoppable {
        void stop();
    }

    private static final long TWICE_NANOS = 1_000_000_000L;
    private final PrintStream err;
    private final Thread worker;
    private volatile Stoppable running;
    private volatile String busyWith;
    private volatile boolean tearingDown;
    private long lastPress = Long.MIN_VALUE / 2;

    /** {@code worker} is the thread that runs commands and then the teardown. */
    InterruptRouter(Thread worker, PrintStream err) {
        this.worker = worker;
        this.err = err;
    }

    void running(Stoppable command) {
        running = command;
    }

    void done(Stoppable command) {
        if (running == command) {
            running = null;
        }
    }

    /** A built-in command runs (null: none). */
    void busyWith(String verb) {
        busyWith = verb;
    }

    void tearingDown() {
        tearingDown = true;
    }

    /** Called for each SIGINT, on the signal's thread. */
    synchronized void interrupt() {
        long now = System.nanoTime();
        boolean twice = now - lastPress < TWICE_NANOS;
        lastPress = now;
        Stoppable command = running;
        if (command != null) {
            command.stop();
            return;
        }
        if (tearingDown) {
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
