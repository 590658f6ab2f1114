package net.mignet.apps;

import java.time.Duration;

/**
 * A retransmission timeout computed from measured round trips as TCP does (RFC 6298: smoothed RTT plus four
 * times its variation), bounded, and doubled on each timeout until a fresh sample arrives.
 */
final class RetryTimer {
    private final long minNanos;
    private final long maxNanos;
    private double srtt = -1;
    private double rttvar;
    private long timeoutNanos;

    RetryTimer(Duration min, Duration max, Duration initial) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.timeoutNanos = initial.toNanos();
    }

    /** A round trip measured on a request answered at its first try (Karn's rule: never on a retry). */
    void sample(Duration rtt) {
        double r = rtt.toNanos();
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
        timeoutNanos = clamp((long) (srtt + 4 * rttvar));
    }

    void backOff() {
        timeoutNanos = clamp(timeoutNanos * 2);
    }

    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    private long clamp(long nanos) {
        return Math.max(minNanos, Math.min(maxNanos, nanos));
    }
}
