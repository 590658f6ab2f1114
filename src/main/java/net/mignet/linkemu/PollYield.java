package net.mignet.linkemu;

import java.util.function.LongSupplier;

/**
 * The yield between empty polls after a frame ({@code sched_yield}), and whether to poll at all. A frame the engine
 * sends wakes its receiver, and the kernel places that process on the sender's CPU, expecting the sender to sleep; a
 * poll that only spun there kept it waiting, at nice -10, until the poll ended. Measured through a 0 ms link (300 UDP
 * echo probes, quiet machine): the responder's turn took 131 us at p50 behind a spinning poll against 36 us on the
 * plain path, and 19-29 us with a yield between looks; added RTT p50 0.203 -> 0.059 ms. Its reply then finds the thread
 * still polling, and needs no wake-up. (Not while a release is near, {@link EngineLoop}: a yield there handed the CPU
 * to whatever else was runnable for its whole slice, and frames through 1-20 ms links left 0.7-1.9 ms late at p99,
 * against 0.03-0.11 ms spinning.) A yield returns in microseconds when nothing else wants the CPU, and after the other
 * process's turn (20-30 us for an echo) when one did.
 * <p>
 * A yield that took longer than {@link #LONG_YIELD_NANOS}, after which no frame had come, handed the CPU to a
 * process that wanted a whole slice and sent nothing through this thread: a CPU-bound program, not a woken
 * receiver or a flow's sender. Yielding to such a program costs the thread its place: EEVDF moves a yielding
 * thread's virtual runtime to its deadline, so it woke for its next release "owing" CPU and could not preempt the
 * program until the next tick. Measured with two {@code sha256sum /dev/zero} at nice 0 on 2 cores: a 1 ms link's
 * frames left 1.0-2.7 ms late at p50 (RTT error 1.995-3.687 ms, three runs). So for {@link #SKIP_POLLS_NANOS}
 * after such a yield the thread does not poll after a frame that came alone (see EngineLoop): it sleeps until the
 * frame's release, as a thread without polls does; then 1 ms links' error p50 was 0.001-0.005 ms. Spinning
 * through those polls instead of yielding was tried: it kept the frames on time too, but a flood's processes then
 * waited behind the spin (two 64-byte floods on two threads 0.57-0.70 of plain instead of 0.86-0.94), as did
 * skipping the polls after every frame (0.51-0.54).
 * <p>
 * Long yields while flooded count for nothing: then the CPU-bound programs are the flood's senders and receivers,
 * whose turns the yields are there for. Used by one loop thread only.
 */
final class PollYield {
    /** Longer than a woken receiver's turn, shorter than the base slice of a CPU-bound nice-0 process (0.75 ms+). */
    static final long LONG_YIELD_NANOS = 300_000;
    /** How long a CPU-bound program seen by one yield is assumed still there. */
    static final long SKIP_POLLS_NANOS = 1_000_000_000;

    private final LongSupplier clock;
    private final Runnable yielder;
    /** Far enough in the past that no CPU-bound program counts as seen until a yield finds one. */
    private long hogSeenAt = Long.MIN_VALUE / 2;
    private long longYieldEndedAt;
    private boolean longYieldPending;

    PollYield(LongSupplier clock, Runnable yielder) {
        this.clock = clock;
        this.yielder = yielder;
    }

    static PollYield ofThread() {
        return new PollYield(System::nanoTime, Thread::yield);
    }

    /** Yields once, between two empty looks at the rings; {@code flooded} by {@link FloodMode}. */
    void betweenPolls(boolean flooded) {
        long before = clock.getAsLong();
        yielder.run();
        long after = clock.getAsLong();
        longYieldPending = !flooded && after - before > LONG_YIELD_NANOS;
        longYieldEndedAt = after;
    }

    /** After each look at the rings: a long yield that no frame followed gave the CPU to a program outside the flow. */
    void looked(boolean found) {
        if (longYieldPending && !found) {
            hogSeenAt = longYieldEndedAt;
        }
        longYieldPending = false;
    }

    /** Whether, at {@code now}, the thread sleeps right after a frame that came alone instead of polling for more. */
    boolean skipsPolls(boolean flooded, long now) {
        return !flooded && now - hogSeenAt < SKIP_POLLS_NANOS;
    }
}
