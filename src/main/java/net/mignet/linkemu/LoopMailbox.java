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
import java.util.function.Supplier;
import net.mignet.kernel.NativeCalls;

/**
 * How other threads talk to a single-threaded packet loop: they post commands, which the loop runs between
 * bursts, and wake it through an eventfd that the loop polls beside its sockets. So the loop's own state needs
 * no locks. Shared by the link engine's and the frame hold's loops.
 */
final class LoopMailbox implements AutoCloseable {
    private static final long ANSWER_SECONDS = 10;

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

    boolean isOpen() {
        return open;
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

    /** Asks the loop to stop: it sees {@link #isOpen()} false once woken. */
    void requestStop() {
        if (open) {
            open = false;
            wake();
        }
    }

    /**
     * On the loop thread, as it ends: records why (null for a requested stop) and answers commands that raced
     * with the stop, so no caller waits for its timeout.
     */
    void stopped(Throwable why) {
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
