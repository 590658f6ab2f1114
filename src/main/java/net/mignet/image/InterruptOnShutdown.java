package net.mignet.image;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, the JVM's shutdown (mignet ends on SIGTERM and SIGINT through its shutdown hooks) interrupts the
 * thread that opened it and waits, up to a grace period, until that thread has closed it: a build under way then
 * stops and removes its scratch directory before the JVM halts, instead of leaving hundreds of megabytes for the
 * next build to remove.
 */
final class InterruptOnShutdown implements AutoCloseable {
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    InterruptOnShutdown(Duration grace) {
        Thread worker = Thread.currentThread();
        hook = Thread.ofPlatform().name("stop " + worker.getName()).unstarted(() -> {
            worker.interrupt();
            try {
                closed.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down and the hook is running: it is waiting for the count-down above.
        }
    }
}
