package net.mignet.cli;

/**
 * Ctrl-C for a built-in command that may end early ({@code pingall}): it interrupts the thread running the command,
 * whose waits then end (a program it waits for is killed, see {@code Command.run}) and which reports what it has.
 * The interrupt was meant for that command only: when it ends, the thread's interrupt flag is cleared again, so
 * that the next command does not find it.
 */
final class ThreadInterruption implements InterruptRouter.Stoppable, AutoCloseable {
    private final InterruptRouter router;
    private final Thread thread;
    private volatile boolean stopped;

    private ThreadInterruption(InterruptRouter router, Thread thread) {
        this.router = router;
        this.thread = thread;
    }

    /** From now until {@link #close}, Ctrl-C through {@code router} interrupts the calling thread. */
    static ThreadInterruption ofCurrentThread(InterruptRouter router) {
        ThreadInterruption interruption = new ThreadInterruption(router, Thread.currentThread());
        router.running(interruption);
        return interruption;
    }

    @Override
    public void stop() {
        stopped = true;
        thread.interrupt();
    }

    /** On the thread it interrupts, when the command has ended. */
    @Override
    public void close() {
        // The router calls stop under the lock that done takes: after done, no stop is under way or still to come.
        router.done(this);
        if (stopped) {
            Thread.interrupted();
        }
    }
}
