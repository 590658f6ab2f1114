package net.mignet.migrate;

import java.time.Duration;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.kernel.ProcessSockets;
import net.mignet.kernel.ProcessTree;

/**
 * Waits, after the switch started holding, until the old instance has answered everything that reached it:
 * the frames already past the switch have arrived, its sockets' receive queues are empty, and every thread of it
 * is asleep (none is in the middle of answering), twice in a row. Only then may its state be taken, or a request
 * answered after that would be counted again by the successor.
 *
 * <p>That the frames have arrived is known exactly where every way into the old host can be looked at
 * ({@link FramesOnTheWay}): as soon as nothing is on the way, whatever the links' delay. Elsewhere (netem) it is
 * assumed once the links' largest delay has passed.
 */
final class ServiceDrain {
    private static final Duration POLL = Duration.ofMillis(1);
    /**
     * Between two looks at the frames on the way: far longer than a softirq takes to carry a frame from one queue
     * to the next (microseconds), so a frame between two queues at one look is in one of them, or read, at the next.
     */
    private static final Duration SETTLE = Duration.ofNanos(500_000);

    /** How a drain ended: its length, and whether the frames' arrival was seen (not assumed after the delay). */
    record Drained(Duration took, boolean seen) {
    }

    private ServiceDrain() {
    }

    /**
     * Waits, knowing the frames' arrival from {@code way} where it can tell (null: it never can), else once
     * {@code inFlight} (how long a frame already past the switch can still travel to the old host) has passed. Once
     * {@code inFlight} has passed, a way that cannot see the kernel's queues empty (other emulations' traffic
     * keeps the machine-wide backlog busy) still waits for the link engine to hold nothing toward the old host.
     * With {@code readSuffices} it is enough that the receive queues are empty once the frames have arrived (the
     * old instance is then frozen whole, a request it is answering included).
     */
    static Drained await(App old, FramesOnTheWay way, Duration inFlight, Duration timeout, boolean readSuffices)
            throws InterruptedException {
        long start = System.nanoTime();
        long delayPassed = start + inFlight.toNanos();
        long deadline = start + timeout.toNanos();
        int quietLooks = 0;
        FramesOnTheWay.Look previous = null;
        while (true) {
            long now = System.nanoTime();
            boolean arrived;
            boolean seen = false;
            Optional<FramesOnTheWay.Look> look = way == null ? Optional.empty() : way.look();
            if (look.isPresent()) {
                seen = look.get().settledSince(previous);
                arrived = seen || now >= delayPassed && look.get().engineEmpty();
                previous = look.get();
            } else {
                arrived = now >= delayPassed;
                previous = null;
            }
            // Read after the look: a frame that had arrived by then is in a receive queue or read by now. (Only the
            // look that may end it needs this read where an empty queue suffices: it walks the app's descriptors.)
            boolean quiet = (arrived || !readSuffices) && ProcessSockets.unread(old.pid()) == 0
                    && (readSuffices || ProcessTree.asleep(old.pid()));
            quietLooks = quiet ? quietLooks + 1 : 0;
            if (arrived && quietLooks >= (readSuffices ? 1 : 2) || !old.isRunning()) {
                return new Drained(Duration.ofNanos(System.nanoTime() - start), seen);
            }
            if (now > deadline) {
                throw new IllegalStateException(old.name() + " on " + old.host().name() + " did not answer what"
                        + " reached it within " + timeout.toMillis() + " ms (" + ProcessSockets.unread(old.pid())
                        + " bytes still unread" + (arrived ? "" : ", frames still on their way to it")
                        + "); is it stuck?");
            }
            if (readSuffices && look.isPresent()) {
                // Only the settling pause between two looks, spent awake: a thread woken from a sleep waited
                // 3-28 ms here for a core, the link engine's threads polling beside it during a migration.
                long settled = System.nanoTime() + SETTLE.toNanos();
                while (System.nanoTime() < settled) {
                    Thread.onSpinWait();
                }
            } else {
                Thread.sleep(POLL);
            }
        }
    }
}
