package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.mignet.kernel.NativeCalls;

/**
 * How other threads talk to a single-threaded packet loop: they post commands, which the loop runs between
 * bursts, and wake it through an eventfd that the loop polls beside its sockets. So the loop's own state needs
 * no locks. Shared by the link engine's and the frame hold's loops.
 */
final class LoopMailbox implements AutoCloseable {
    private static final long ANSWER_SECONDS = 10;
    /** The loop threads' nice value (see {@link #serve}). */
    static final int LOOP_NICE = -10;
    private static final long STOP_SECONDS = 5;

    private final String owner;
    private final int wakeFd;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment wakeBuffer = arena.allocate(8, 8);
    private final MemorySegment drainBuffer = arena.allocate(8, 8);
    private volatile boolean open = true;
    private volatile Throwable failure;

    /** @param owner what the loop is, for error messages: "the userspace link engine" */
    LoopMailbox(String owner) {
        this.owner = owner;
        this.wakeFd = Native.eventfd();
    }

    /** The descriptor the loop polls for readability: posted commands are waiting. */
    int fd() {
        return wakeFd;
    }

    /** Runs {@code action} on the loop thread and returns its result; its exceptions are rethrown here. */
    <T> T call(Supplier<T> action) {
        Throwable failed = failure;
        if (failed != null || !open) {
            throw new IllegalStateException(owner + " has stopped" + (failed == null ? "" : ": " + failed), failed);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.add(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        wake();
        try {
            return result.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(owner + " did not answer within " + ANSWER_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + owner, e);
        }
    }

    /**
     * The loop thread's body: until asked to stop, runs the posted commands and then one {@code turn} of the loop
     * (which ends waiting, in a {@link PollSet}). A failure ends the loop: it is logged, and later calls fail
     * with it.
     */
    void serve(Runnable turn, Consumer<String> log) {
        // Both loops time frames: the default 50 us timer slack would show as delay error (1 us costs nothing
        // measurable; 1 ns asks for none at all), and netem runs in softirq context, ahead of every process, so a raised priority keeps
        // the loop's wake-ups prompt on a busy machine. Without the right (not root) it runs at normal
        // priority, a little less exact.
        Native.setTimerSlack(1);
        Native.setThreadNice(LOOP_NICE);
        Throwable failure = null;
        try {
            while (open) {
                runCommands(false);
                turn.run();
            }
        } catch (Throwable t) {
            failure = t;
            log.accept("!!! " + owner + " stopped: " + t);
        } finally {
            stopped(failure);
        }
    }

    /**
     * Asks the loop to stop and waits a while for {@code loopThread} to end. False (logged) when it did not: its
     * resources must then stay open, since it may still use them.
     */
    boolean stopAndJoin(Thread loopThread, Consumer<String> log) {
        requestStop();
        try {
            loopThread.join(TimeUnit.SECONDS.toMillis(STOP_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loopThread.isAlive()) {
            log.accept("!!! " + owner + " thread did not stop within " + STOP_SECONDS + " s");
            return false;
        }
        return true;
    }

    /** On the loop thread: reads the wake-up and runs the posted commands. */
    void runCommands(boolean woken) {
        if (woken) {
            Native.read(wakeFd, drainBuffer, 8);
        }
        Runnable c;
        while ((c = commands.poll()) != null) {
            c.run();
        }
    }

    /**
     * On the loop thread: makes its next wait return for the mailbox without posting a command, so that a warm-up
     * runs the branch a command's wake-up takes.
     */
    void nudge() {
        wake();
    }

    /** Whether commands wait: a loop that polls without sleeping checks this instead of its eventfd. */
    boolean hasCommands() {
        return !commands.isEmpty();
    }

    /** Asks the loop to stop: {@link #serve} returns once woken. */
    private void requestStop() {
        if (open) {
            open = false;
            wake();
        }
    }

    /**
     * On the loop thread, as it ends: records why (null for a requested stop) and answers commands that raced
     * with the stop, so no caller waits for its timeout.
     */
    private void stopped(Throwable why) {
        failure = why;
        open = false;
        runCommands(false);
    }

    private void wake() {
        synchronized (wakeBuffer) {
            wakeBuffer.set(ValueLayout.JAVA_LONG, 0, 1);
            Native.write(wakeFd, wakeBuffer, 8);
        }
    }

    /** After the loop thread has ended. */
    @Override
    public void close() {
        NativeCalls.close(wakeFd);
        arena.close();
    }
}
