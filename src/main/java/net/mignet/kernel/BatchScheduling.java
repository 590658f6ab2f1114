package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Linux's SCHED_BATCH for the calling thread: the same share of the CPU as any other thread, but its wake-ups do not
 * preempt the thread running on the CPU. A helper thread woken by a busy thread (as the committer of a burst's flow
 * changes is by the thread decoding them) then runs on a free core or after the busy thread's time slice instead
 * of pushing it off its core.
 */
final class BatchScheduling {
    private static final int SCHED_BATCH = 3;
    private static final MethodHandle SCHED_SETSCHEDULER = NativeCalls.downcall("sched_setscheduler",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private BatchScheduling() {
    }

    /** Makes the calling thread SCHED_BATCH; returns false (changing nothing) when the kernel refuses. */
    static boolean applyToCurrentThread() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(JAVA_INT);
            param.set(JAVA_INT, 0, 0);
            return (int) SCHED_SETSCHEDULER.invokeExact(NativeCalls.callState(), 0, SCHED_BATCH, param) == 0;
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
