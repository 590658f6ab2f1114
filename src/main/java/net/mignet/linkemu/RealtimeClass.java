package net.mignet.linkemu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.mignet.kernel.NativeCalls;
import net.mignet.kernel.ThreadScheduling;

/**
 * Puts an engine thread in the real-time class ({@code SCHED_FIFO}, priority 1) as its {@link EnginePriority}
 * says: never ({@link EnginePriority#NICE}: it stays at nice -10), always, or while its traffic is sparse
 * ({@link EnginePriority#REALTIME_WHILE_SPARSE}, opt-in). In that last mode it runs at nice -10 in the ordinary
 * class from the moment it forwards a flood ({@link FloodMode}: busy for 2 ms without sleeping) until it has slept
 * {@link #SPARSE_AGAIN_NANOS} in one go. At nice -10 a frame that wakes the thread on the sender's CPU waited for
 * the sender to block (12 us at p50, traced with {@code perf sched}); a real-time thread takes the CPU at once. A
 * real-time thread forwarding a flood would hold its core against the hosts that make and take it (seen: 64-byte
 * UDP at 0.53 of the plain path). The way back takes a long sleep because a flooded thread also sleeps briefly
 * whenever its sender is preempted: back in the real-time class after each such pause, two floods on two threads
 * fell from 0.82-1.05 of the plain path to 0.57-0.86 (0.77-1.15 with the long sleep). Used by one loop thread
 * only.
 */
final class RealtimeClass {
    /** Longer than a scheduler's slice or two, during which a flood's sender may wait for its CPU. */
    static final long SPARSE_AGAIN_NANOS = 20_000_000;
    /** Whether a thread has said that the real-time class was refused: once per process, not per thread. */
    private static final AtomicBoolean REFUSAL_TOLD = new AtomicBoolean();

    private final EnginePriority priority;
    private final boolean whileSparse;
    private final Consumer<String> log;
    private boolean realtime;
    private boolean refused;

    RealtimeClass(EnginePriority priority, Consumer<String> log) {
        this.priority = priority;
        this.whileSparse = priority == EnginePriority.REALTIME_WHILE_SPARSE;
        this.log = log;
    }

    /** At the thread's start: real-time unless the priority is {@link EnginePriority#NICE}; nothing floods it yet. */
    void start() {
        if (priority != EnginePriority.NICE) {
            enter();
        }
    }

    /** The thread is forwarding a flood, or not ({@link FloodMode#isFlooded}). */
    void flooded(boolean flooded) {
        if (whileSparse && flooded && realtime) {
            ThreadScheduling.setCurrentThread(ThreadScheduling.SCHED_OTHER, 0);
            Native.setThreadNice(LoopMailbox.LOOP_NICE);
            realtime = false;
        }
    }

    /** The thread has just waited {@code nanos} for frames. */
    void waited(long nanos) {
        if (whileSparse && !realtime && nanos >= SPARSE_AGAIN_NANOS) {
            enter();
        }
    }

    /** Whether the kernel refused the real-time class (then the thread keeps its class). */
    boolean refused() {
        return refused;
    }

    private void enter() {
        if (refused) {
            return;
        }
        int rc = ThreadScheduling.setCurrentThread(ThreadScheduling.SCHED_FIFO, 1);
        if (rc < 0) {
            refused = true;
            if (!REFUSAL_TOLD.getAndSet(true)) {
                log.accept("!!! link engine: cannot run its threads as SCHED_FIFO (" + NativeCalls.strerror(-rc)
                        + "); they run at nice -10, and frames that wake them wait for the CPU a little longer");
            }
            return;
        }
        realtime = true;
    }
}
