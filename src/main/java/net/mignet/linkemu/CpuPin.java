package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Keeps the calling thread on the CPU it runs on now, and lets it go again. Frames a thread sends wait in the
 * backlog of its CPU until softirq work delivers them, which the kernel defers to ksoftirqd under load; a thread
 * that moves to another CPU in the middle of a burst can see later frames delivered before earlier ones (seen:
 * the last 50 of 2 000 released frames behind 20 later ones). Used by one thread only.
 */
final class CpuPin {
    private final MemorySegment allowed;
    private final MemorySegment one;
    private boolean pinned;

    CpuPin(Arena arena) {
        allowed = arena.allocate(Native.CPU_SET_BYTES, 8);
        one = arena.allocate(Native.CPU_SET_BYTES, 8);
    }

    /** Pins the calling thread to its current CPU, remembering where it was allowed to run; no-op if pinned. */
    void pin() {
        if (pinned) {
            return;
        }
        int cpu = Native.currentCpu();
        if (cpu < 0 || cpu >= Native.CPU_SET_BYTES * 8 || !Native.getAffinity(allowed)) {
            return; // unpinned is only less orderly under load, not wrong
        }
        one.fill((byte) 0);
        one.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
        pinned = Native.setAffinity(one);
    }

    /** Lets the thread run where it was allowed to before {@link #pin()}. */
    void release() {
        if (pinned) {
            Native.setAffinity(allowed);
            pinned = false;
        }
    }
}
