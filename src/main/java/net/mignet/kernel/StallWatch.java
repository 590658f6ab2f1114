package net.mignet.kernel;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ends a blocking transfer that makes no progress: a blocking socket's connect and write have no timeout of their
 * own, and over a cut or very lossy link (30 % loss put TCP's retransmission timeout at 14 s) a checkpoint's image
 * transfer blocked for minutes with the app frozen. While armed, {@code onStall} runs (e.g. closing the socket, which
 * ends the blocked call with an exception) once no progress was reported for {@code limit}.
 */
final class StallWatch implements AutoCloseable {
    private static final Duration LOOK = Duration.ofMillis(250);
    private final Duration limit;
    private final Runnable onStall;
    private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    private final Thread watcher;
    private volatile boolean armed;
    private volatile boolean stalled;
    private volatile boolean closed;

    StallWatch(Duration limit, Runnable onStall) {
        this.limit = limit;
        this.onStall = onStall;
        this.watcher = Thread.ofVirtual().name("stall-watch").start(this::watch);
    }

    /** From now on a stall counts (a blocking call is about to start). */
    void arm() {
        lastProgress.set(System.nanoTime());
        armed = true;
    }

    /** The blocking calls are done for now: waiting between them is no stall. */
    void disarm() {
        armed = false;
    }

    void progress() {
        lastProgress.set(System.nanoTime());
    }

    /** Whether {@code onStall} ran: an exception of the blocked call is then the stall's doing. */
    boolean stalled() {
        return stalled;
    }

    Duration limit() {
        return limit;
    }

    private void watch() {
        try {
            while (!closed) {
                Thread.sleep(LOOK); // polled: a blocked write reports nothing until it returns
                if (armed && System.nanoTime() - lastProgress.get() > limit.toNanos()) {
                    stalled = true;
                    onStall.run();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
    }
}
