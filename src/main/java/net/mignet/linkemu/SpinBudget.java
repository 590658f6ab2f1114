package net.mignet.linkemu;

/**
 * How much an engine thread may poll without finding work: a token bucket filled at {@code percent} of wall
 * time, holding at most {@code capNanos}. Polling before a release and just after a frame keeps sparse traffic
 * exact (a sleeping thread on a VM wakes 0.1-0.2 ms late: its vCPU halts), but during a flood with frames due
 * every few microseconds it would never sleep, and an empty poll at nice -10 takes its core from the hosts that
 * make the traffic (seen: 64-byte UDP through a 1 ms link at 0.40 of the plain path while polling, 0.50 without).
 * Time spent receiving is work, not charged. Used by one loop thread only.
 */
final class SpinBudget {
    private static final long NONE = Long.MIN_VALUE;
    /**
     * The most one empty poll is charged: a longer gap since the previous one means the thread was preempted
     * (on a busy machine, for milliseconds), which is not polling and would empty the budget when it is needed.
     */
    static final long MAX_CHARGE_NANOS = 20_000;
    private final long percent;
    private final long capNanos;
    private long tokens;
    private long refilledAt;
    /** Start of the current run of empty polls, or {@link #NONE}. */
    private long emptySince = NONE;

    /**
     * @param percent  share of wall time that may go to empty polls, 0-100 (100: always allowed)
     * @param capNanos the most it may save up while sleeping or working
     */
    SpinBudget(int percent, long capNanos, long now) {
        this.percent = percent;
        this.capNanos = capNanos;
        this.tokens = capNanos;
        this.refilledAt = now;
    }

    /** Whether the thread may poll now, rather than sleep until its next frame or release. */
    boolean allows(long now) {
        if (percent >= 100) {
            return true;
        }
        long elapsed = now - refilledAt;
        refilledAt = now;
        tokens = Math.min(capNanos, tokens + elapsed * percent / 100);
        return tokens > 0;
    }

    /** A poll found nothing: the time since the previous empty poll in a row is charged. */
    void empty(long now) {
        if (emptySince != NONE) {
            tokens -= Math.min(MAX_CHARGE_NANOS, now - emptySince);
        }
        emptySince = now;
    }

    /** A poll found work, or the thread is about to sleep: the run of empty polls ends. */
    void endRun() {
        emptySince = NONE;
    }
}
