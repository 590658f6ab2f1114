package net.mignet.linkemu;

import java.util.Arrays;

/**
 * How long an engine thread keeps polling after it sent frames in one direction, for a reply in the other: a
 * request/response exchange (an echo, a TCP segment and its ACK) sends the reply within tens or hundreds of
 * microseconds, and a thread asleep by then needs a wake-up, which on a VM whose vCPU has halted takes 60-80 us
 * (an IPI to a halted vCPU) and counts twice in a round trip. The window is the {@link #PERCENTILE}th percentile
 * of the last {@link #SAMPLES} send-to-reply gaps plus {@link #MARGIN_NANOS}, at most {@code capNanos}; it is 0
 * (no polling after a send) while fewer than half of the recent sends were answered within the cap, so one-way
 * traffic costs nothing. Used by one loop thread only.
 */
final class ReplyWindow {
    static final int SAMPLES = 16;
    static final int PERCENTILE = 90;
    static final long MARGIN_NANOS = 20_000;
    /** A gap recorded for a send that got no reply within the cap. */
    private static final long UNANSWERED = Long.MAX_VALUE;
    private final long capNanos;
    private final long[] gaps = new long[SAMPLES];
    private final long[] sorted = new long[SAMPLES];
    private int count;
    private int next;
    private long windowNanos;

    /** @param capNanos the longest window (0: never poll after a send) */
    ReplyWindow(long capNanos) {
        this.capNanos = capNanos;
        this.windowNanos = capNanos; // the first exchange is polled for: no history says it is not one
    }

    long nanos() {
        return windowNanos;
    }

    long capNanos() {
        return capNanos;
    }

    /** A frame came back {@code gapNanos} after the last send in the other direction. */
    void answered(long gapNanos) {
        record(Math.max(0, gapNanos));
    }

    /** Nothing came back within {@link #capNanos()} of a send. */
    void unanswered() {
        record(UNANSWERED);
    }

    private void record(long gap) {
        if (capNanos == 0) {
            return;
        }
        gaps[next] = gap;
        next = (next + 1) % SAMPLES;
        count = Math.min(SAMPLES, count + 1);
        System.arraycopy(gaps, 0, sorted, 0, count);
        Arrays.sort(sorted, 0, count);
        long answered = Arrays.stream(sorted, 0, count).filter(g -> g != UNANSWERED).count();
        if (answered * 2 < count) {
            windowNanos = 0;
            return;
        }
        // The percentile of the answered gaps only: an unanswered send says nothing of how long replies take.
        long p = sorted[(int) Math.max(0, (answered * PERCENTILE + 99) / 100 - 1)];
        windowNanos = Math.min(capNanos, p + MARGIN_NANOS);
    }
}
