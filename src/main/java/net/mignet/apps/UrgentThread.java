package net.mignet.apps;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import net.mignet.kernel.ThreadScheduling;

/**
 * Makes the calling thread run ahead of ordinary ones for a short, bounded stretch: the key-value service's
 * handover, from the freeze to the acknowledgement, where each side mostly waits for the other's frame. On a
 * busy machine a thread woken by a frame otherwise waits milliseconds for a core (the successor's own start-up
 * compiler threads among the competitors), and the service is paused all that time. The thread is put in the
 * real-time class at its lowest priority (SCHED_FIFO 1) for the stretch: a woken real-time thread takes a core
 * from any ordinary thread at once. Where that is refused (no CAP_SYS_NICE, or a cgroup without real-time
 * time), it gets nice -20 instead, the best an ordinary thread can have. {@link #close} puts it back as it was.
 *
 * <p>Only for stretches that block on I/O and are bounded in time: a real-time thread that computes for long
 * would take a core from everything else, the link engine that carries its frames included (see
 * {@link #SMALL_CONTENT_BYTES}).
 */
final class UrgentThread implements AutoCloseable {
    /**
     * Content up to this size (one batch) is sent or installed by an urgent thread. Beyond it the copying is CPU
     * work of milliseconds, and a real-time thread doing it would take a core from the link engine that carries the
     * very frames it writes (the engine's threads are ordinary ones): the first frames then waited 7 ms in a 1 MB
     * transfer. So the threads are urgent only for the frames around the bulk: the old instance for the final
     * frame and the acknowledgement, the successor for the first and the last batch and the final frame (and a 1 MB
     * transfer installed by a real-time successor lost a frame in the engine, which cost a 10 ms retransmission).
     */
    static final long SMALL_CONTENT_BYTES = KvBatch.TARGET_BYTES;
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle SCHED_GETSCHEDULER = downcall("sched_getscheduler",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPRIORITY = downcall("getpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETPRIORITY = downcall("setpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** {@code MIGNET_KV_URGENT=false} in mignet's environment (which apps inherit) leaves the threads as they are. */
    private static final boolean ENABLED = !"false".equals(System.getenv("MIGNET_KV_URGENT"));

    private final Thread owner = Thread.currentThread();
    private final boolean realtime;
    private final boolean changed;
    private final int nice;

    private UrgentThread(boolean realtime, boolean changed, int nice) {
        this.realtime = realtime;
        this.changed = changed;
        this.nice = nice;
    }

    /** The calling thread, urgent until {@link #close} (which the same thread must call). */
    static UrgentThread raise() {
        if (!ENABLED) {
            return new UrgentThread(false, false, 0);
        }
        try {
            // Already real-time (set by whoever started the process): nothing to change or undo.
            if ((int) SCHED_GETSCHEDULER.invokeExact(callState(), 0) != ThreadScheduling.SCHED_OTHER) {
                return new UrgentThread(false, false, 0);
            }
            int nice = (int) GETPRIORITY.invokeExact(callState(), PRIO_PROCESS, 0);
            if (ThreadScheduling.setCurrentThread(ThreadScheduling.SCHED_FIFO, 1) == 0) {
                return new UrgentThread(true, true, nice);
            }
            // On Linux the "process" of setpriority with who 0 is the calling thread only.
            boolean reniced = (int) SETPRIORITY.invokeExact(callState(), PRIO_PROCESS, 0, -20) == 0;
            return new UrgentThread(false, reniced, nice);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the thread runs in the real-time class (otherwise at nice -20, or unchanged). */
    boolean realtime() {
        return realtime;
    }

    /** How urgent the thread is, for events: realtime, nice or none. */
    String kind() {
        return realtime ? "realtime" : changed ? "nice" : "none";
    }

    @Override
    public void close() {
        if (!changed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("an urgent thread must be put back by itself");
        }
        try {
            if (realtime) {
                ThreadScheduling.setCurrentThread(ThreadScheduling.SCHED_OTHER, 0);
            }
            int ignored = (int) SETPRIORITY.invokeExact(callState(), PRIO_PROCESS, 0, nice);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
