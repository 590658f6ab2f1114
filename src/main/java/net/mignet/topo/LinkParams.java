package net.mignet.topo;

import java.time.Duration;

/**
 * What a link does to traffic. Every field may be null, meaning "not limited".
 *
 * @param bandwidthMbit rate limit in Mbit/s, applied with tc (tbf)
 * @param delay         one-way delay added in each direction
 * @param jitter        delay variation in each direction
 * @param lossPercent   random loss in each direction, 0..100
 */
public record LinkParams(Double bandwidthMbit, Duration delay, Duration jitter, Double lossPercent) {

    public static final LinkParams NONE = new LinkParams(null, null, null, null);

    public LinkParams {
        if (bandwidthMbit != null && !(bandwidthMbit > 0)) {
            throw new IllegalArgumentException("bw must be above 0 Mbit/s, was " + bandwidthMbit);
        }
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        if (jitter != null && jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must not be negative, was " + jitter);
        }
        if (lossPercent != null && !(lossPercent >= 0 && lossPercent <= 100)) {
            throw new IllegalArgumentException("loss must be within 0..100 %, was " + lossPercent);
        }
    }

    public LinkParams withBandwidth(Double mbit) {
        return new LinkParams(mbit, delay, jitter, lossPercent);
    }

    public LinkParams withDelay(Duration d) {
        return new LinkParams(bandwidthMbit, d, jitter, lossPercent);
    }

    public LinkParams withJitter(Duration j) {
        return new LinkParams(bandwidthMbit, delay, j, lossPercent);
    }

    public LinkParams withLoss(Double percent) {
        return new LinkParams(bandwidthMbit, delay, jitter, percent);
    }

    /** Delay, jitter or loss: the impairments that need netem or the userspace link engine. */
    public boolean hasImpairments() {
        return (delay != null && !delay.isZero()) || (jitter != null && !jitter.isZero())
                || (lossPercent != null && lossPercent > 0);
    }

    public boolean isEmpty() {
        return bandwidthMbit == null && !hasImpairments();
    }

    /** Parses durations as written in topology files and the shell: {@code 5ms}, {@code 1.5ms}, {@code 200us}, {@code 1s}. */
    public static Duration parseDuration(String text) {
        String t = text.trim();
        long nanosPerUnit;
        String number;
        if (t.endsWith("ms")) {
            nanosPerUnit = 1_000_000L;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us")) {
            nanosPerUnit = 1_000L;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            nanosPerUnit = 1_000_000_000L;
            number = t.substring(0, t.length() - 1);
        } else {
            throw new IllegalArgumentException("'" + text + "' has no unit (write it like 5ms, 200us or 1s)");
        }
        try {
            double value = Double.parseDouble(number.trim());
            if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("'" + text + "' must be a non-negative duration");
            }
            return Duration.ofNanos(Math.round(value * nanosPerUnit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write it like 5ms, 200us or 1s)");
        }
    }

    /** Parses a loss written as {@code 10%} or {@code 10}. */
    public static double parsePercent(String text) {
        String t = text.trim();
        if (t.endsWith("%")) {
            t = t.substring(0, t.length() - 1).trim();
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a percentage (write it like 10%)");
        }
    }

    public static String formatDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0 && nanos != 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return String.format(java.util.Locale.ROOT, "%.6fms", nanos / 1e6);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (bandwidthMbit != null) {
            sb.append("bw=").append(bandwidthMbit % 1 == 0 ? String.valueOf(bandwidthMbit.longValue()) : bandwidthMbit).append("Mbit ");
        }
        if (delay != null) {
            sb.append("delay=").append(formatDuration(delay)).append(' ');
        }
        if (jitter != null) {
            sb.append("jitter=").append(formatDuration(jitter)).append(' ');
        }
        if (lossPercent != null) {
            sb.append("loss=").append(lossPercent).append("% ");
        }
        return sb.isEmpty() ? "-" : sb.toString().trim();
    }
}
