package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The calling thread's Linux scheduling class ({@code sched_setscheduler(2)} with pid 0: this thread only). */
public final class ThreadScheduling {
    /** The ordinary class. */
    public static final int SCHED_OTHER = 0;
    /** Real-time, first in first out: a woken thread takes a core from any ordinary thread at once. */
    public static final int SCHED_FIFO = 1;
    /**
     * The same share of the CPU as an ordinary thread, but its wake-ups do not preempt the thread running on the
     * CPU: a helper woken by a busy thread then runs on a free core or after the busy thread's time slice.
     */
    public static final int SCHED_BATCH = 3;
    private static final MethodHandle SCHED_SETSCHEDULER = NativeCalls.downcall("sched_setscheduler",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private ThreadScheduling() {
    }

    /**
     * Puts the calling thread in class {@code policy} at {@code priority} (0 but for the real-time classes);
     * returns 0, or -errno when the kernel refuses (EPERM for real-time without CAP_SYS_NICE).
     */
    public static int setCurrentThread(int policy, int priority) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(JAVA_INT);
            param.set(JAVA_INT, 0, priority);
            int rc = (int) SCHED_SETSCHEDULER.invokeExact(NativeCalls.callState(), 0, policy, param);
            return rc < 0 ? -NativeCalls.errno() : 0;
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
