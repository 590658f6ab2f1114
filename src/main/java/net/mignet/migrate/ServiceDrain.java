package net.mignet.migrate;

import java.time.Duration;
import net.mignet.app.App;
import net.mignet.kernel.ProcessSockets;
import net.mignet.kernel.ProcessTree;

/**
 * Waits, after the switch started holding, until the old instance has answered everything that reached it:
 * the frames already past the switch have arrived, its sockets' receive queues are empty, and every thread of it
 * is asleep (none is in the middle of answering), twice in a row. Only then may its state be taken, or a request
 * answered after that would be counted again by the successor.
 */
final class ServiceDrain {
    private static final Duration POLL = Duration.ofMillis(1);

    private ServiceDrain() {
    }

    /**
     * @param inFlight how long a frame already past the switch can still travel to the old host
     * @return how long it took
     */
    static Duration await(App old, Duration inFlight, Duration timeout) throws InterruptedException {
        return await(old, inFlight, timeout, false);
    }

    /**
     * As {@link #await(App, Duration, Duration)}; with {@code readSuffices} it is enough that the receive queues
     * are empty once the frames past the switch have arrived (the old instance is then frozen whole, a request it
     * is answering included).
     */
    static Duration await(App old, Duration inFlight, Duration timeout, boolean readSuffices)
            throws InterruptedException {
        long start = System.nanoTime();
        long arrived = start + inFlight.toNanos();
        long deadline = start + timeout.toNanos();
        int quietLooks = 0;
        while (true) {
            long now = System.nanoTime();
            boolean quiet = ProcessSockets.unread(old.pid()) == 0 && (readSuffices || ProcessTree.asleep(old.pid()));
            quietLooks = quiet ? quietLooks + 1 : 0;
            if (now >= arrived && quietLooks >= (readSuffices ? 1 : 2) || !old.isRunning()) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (now > deadline) {
                throw new IllegalStateException(old.name() + " on " + old.host().name() + " did not answer what"
                        + " reached it within " + timeout.toMillis() + " ms (" + ProcessSockets.unread(old.pid())
                        + " bytes still unread); is it stuck?");
            }
            Thread.sleep(POLL);
        }
    }
}
