package net.mignet.linkemu;

import java.util.Arrays;

/**
 * How long before a release an engine thread stops sleeping and polls instead: as long as its timed sleeps have
 * lately ended late, and a margin. A sleep on a VM ends late because the vCPU halted (seen: 90-170 us on a quiet
 * 2-core VM, milliseconds now and then on a busy one); a window shorter than that makes the frame late by the
 * difference, a longer one burns the rest in polling. So the window follows the latest {@link #SAMPLES} sleeps'
 * lateness (their 90th percentile plus {@link #MARGIN_NANOS}), between a floor and a cap derived from the
 * configured window. Not their maximum: on a busy machine (load 4-5 on 2 cores) the odd preempted sleep held the
 * window at its cap, and the thread's CPU in sparse traffic doubled for no gain in the median. Used by one loop
 * thread only.
 */
final class SpinWindow {
    static final int SAMPLES = 32;
    static final long MARGIN_NANOS = 30_000;
    private final long floorNanos;
    private final long capNanos;
    private final long[] lateness = new long[SAMPLES];
    private final long[] sorted = new long[SAMPLES];
    private int count;
    private int next;
    private long windowNanos;

    /**
     * @param configuredNanos the starting window; the window stays between a sixth of it and twice it, and
     *                        is always 0 when this is (no polling before releases)
     */
    SpinWindow(long configuredNanos) {
        this.floorNanos = configuredNanos / 6;
        this.capNanos = configuredNanos * 2;
        this.windowNanos = configuredNanos;
    }

    long nanos() {
        return windowNanos;
    }

    /** A timed sleep ended {@code lateNanos} after the time it was asked to end at (negative: early). */
    void sleptLate(long lateNanos) {
        if (capNanos == 0) {
            return;
        }
        lateness[next] = Math.max(0, lateNanos);
        next = (next + 1) % SAMPLES;
        count = Math.min(SAMPLES, count + 1);
        System.arraycopy(lateness, 0, sorted, 0, count);
        Arrays.sort(sorted, 0, count);
        long p90 = sorted[(count * 9 + 9) / 10 - 1];
        windowNanos = Math.max(floorNanos, Math.min(capNanos, p90 + MARGIN_NANOS));
    }
}
