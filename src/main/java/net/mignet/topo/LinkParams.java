package net.mignet.topo;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a link does to the traffic of one direction. Every field may be null, meaning "not limited" (or the
 * default). The same keys name the fields in topology files, the Java builder and the shell's
 * {@code link a b set key=value}: see {@link #KEYS} and {@link #with(String, String)}.
 *
 * @param bandwidthMbit      rate limit in Mbit/s, applied with tc (tbf)
 * @param delay              one-way delay
 * @param jitter             delay variation (see {@code jitterDistribution})
 * @param lossPercent        random (Bernoulli) loss, 0..100; exclusive with {@code gilbertElliott}
 * @param jitterDistribution how jitter spreads; null means uniform
 * @param reorderPercent     share of frames sent at once, overtaking delayed ones, 0..100 (as netem's reorder);
 *                           when above 0, jitter may also reorder; when null or 0 frames leave in arrival order
 * @param gilbertElliott     burst loss model; exclusive with {@code lossPercent}
 * @param duplicatePercent   share of frames sent twice, 0..100
 * @param corruptPercent     share of frames with one bit flipped, 0..100
 * @param queueLimit         frames held at most by the delay queue; more are dropped (tail drop); null: 1000
 */
public record LinkParams(Double bandwidthMbit, Duration delay, Duration jitter, Double lossPercent,
        JitterDistribution jitterDistribution, Double reorderPercent, GilbertElliott gilbertElliott,
        Double duplicatePercent, Double corruptPercent, Integer queueLimit) {

    public static final LinkParams NONE = new LinkParams(null, null, null, null);
    /** The queue limit when none is given, netem's default. */
    public static final int DEFAULT_QUEUE_LIMIT = 1000;
    /** The keys of {@link #with(String, String)}, as written in files and the shell. */
    public static final List<String> KEYS = List.of("bw", "delay", "jitter", "distribution", "loss", "reorder",
            "duplicate", "corrupt", "limit");

    /** tc tbf's rate is set in kbit/s, so 1 kbit/s is the least; above 100 Gbit/s its burst and queue overflow. */
    public static final double MIN_BANDWIDTH_MBIT = 0.001;
    public static final double MAX_BANDWIDTH_MBIT = 100_000;
    /** Longer delays are no network's; the bound keeps them from being clamped silently somewhere below. */
    public static final Duration MAX_DELAY = Duration.ofHours(1);

    public LinkParams {
        if (bandwidthMbit != null && !(bandwidthMbit >= MIN_BANDWIDTH_MBIT && bandwidthMbit <= MAX_BANDWIDTH_MBIT)) {
            throw new IllegalArgumentException("bw must be within " + formatNumber(MIN_BANDWIDTH_MBIT) + ".."
                    + formatNumber(MAX_BANDWIDTH_MBIT) + " Mbit/s (tc tbf's range), was " + bandwidthMbit);
        }
        checkDuration("delay", delay);
        checkDuration("jitter", jitter);
        checkPercent("loss", lossPercent);
        checkPercent("reorder", reorderPercent);
        checkPercent("duplicate", duplicatePercent);
        checkPercent("corrupt", corruptPercent);
        if (lossPercent != null && gilbertElliott != null) {
            throw new IllegalArgumentException("loss is given both as a percentage and as a gemodel; keep one");
        }
        if (queueLimit != null && queueLimit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 frame, was " + queueLimit);
        }
    }

    /** The four parameters mignet had first: rate, delay, jitter and random loss. */
    public LinkParams(Double bandwidthMbit, Duration delay, Duration jitter, Double lossPercent) {
        this(bandwidthMbit, delay, jitter, lossPercent, null, null, null, null, null, null);
    }

    private static void checkDuration(String name, Duration d) {
        if (d != null && (d.isNegative() || d.compareTo(MAX_DELAY) > 0)) {
            throw new IllegalArgumentException(name + " must be within 0..1h (3600s), was " + formatDuration(d));
        }
    }

    private static void checkPercent(String name, Double v) {
        if (v != null && !(v >= 0 && v <= 100)) {
            throw new IllegalArgumentException(name + " must be within 0..100 %, was " + v);
        }
    }

    public LinkParams withBandwidth(Double mbit) {
        return new LinkParams(mbit, delay, jitter, lossPercent, jitterDistribution, reorderPercent, gilbertElliott,
                duplicatePercent, corruptPercent, queueLimit);
    }

    public LinkParams withDelay(Duration d) {
        return new LinkParams(bandwidthMbit, d, jitter, lossPercent, jitterDistribution, reorderPercent,
                gilbertElliott, duplicatePercent, corruptPercent, queueLimit);
    }

    public LinkParams withJitter(Duration j) {
        return new LinkParams(bandwidthMbit, delay, j, lossPercent, jitterDistribution, reorderPercent,
                gilbertElliott, duplicatePercent, corruptPercent, queueLimit);
    }

    /** Random loss; replaces a Gilbert-Elliott model. */
    public LinkParams withLoss(Double percent) {
        return new LinkParams(bandwidthMbit, delay, jitter, percent, jitterDistribution, reorderPercent, null,
                duplicatePercent, corruptPercent, queueLimit);
    }

    /** Burst loss; replaces random loss. */
    public LinkParams withLossModel(GilbertElliott model) {
        return new LinkParams(bandwidthMbit, delay, jitter, null, jitterDistribution, reorderPercent, model,
                duplicatePercent, corruptPercent, queueLimit);
    }

    public LinkParams withJitterDistribution(JitterDistribution d) {
        return new LinkParams(bandwidthMbit, delay, jitter, lossPercent, d, reorderPercent, gilbertElliott,
                duplicatePercent, corruptPercent, queueLimit);
    }

    public LinkParams withReorder(Double percent) {
        return new LinkParams(bandwidthMbit, delay, jitter, lossPercent, jitterDistribution, percent,
                gilbertElliott, duplicatePercent, corruptPercent, queueLimit);
    }

    public LinkParams withDuplicate(Double percent) {
        return new LinkParams(bandwidthMbit, delay, jitter, lossPercent, jitterDistribution, reorderPercent,
                gilbertElliott, percent, corruptPercent, queueLimit);
    }

    public LinkParams withCorrupt(Double percent) {
        return new LinkParams(bandwidthMbit, delay, jitter, lossPercent, jitterDistribution, reorderPercent,
                gilbertElliott, duplicatePercent, percent, queueLimit);
    }

    public LinkParams withQueueLimit(Integer frames) {
        return new LinkParams(bandwidthMbit, delay, jitter, lossPercent, jitterDistribution, reorderPercent,
                gilbertElliott, duplicatePercent, corruptPercent, frames);
    }

    /**
     * This with one parameter set from text, as in {@code delay=5ms}: {@code bw} (Mbit/s), {@code delay},
     * {@code jitter} (durations), {@code distribution} (uniform|normal), {@code loss} (a percentage or
     * {@code gemodel P R 1-H 1-K}), {@code reorder}, {@code duplicate}, {@code corrupt} (percentages),
     * {@code limit} (frames). The value {@code none} removes the parameter.
     */
    public LinkParams with(String key, String value) {
        String v = value.trim();
        boolean none = v.equals("none");
        return switch (key) {
            case "bw" -> withBandwidth(none ? null : parseBandwidth(v));
            case "delay" -> withDelay(none ? null : parseDelay(v));
            case "jitter" -> withJitter(none ? null : parseDelay(v));
            case "distribution" -> withJitterDistribution(none ? null : JitterDistribution.parse(v));
            case "loss" -> none ? withLoss(null)
                    : v.startsWith("gemodel") ? withLossModel(GilbertElliott.parse(v)) : withLoss(percent(key, v));
            case "reorder" -> withReorder(none ? null : percent(key, v));
            case "duplicate" -> withDuplicate(none ? null : percent(key, v));
            case "corrupt" -> withCorrupt(none ? null : percent(key, v));
            case "limit" -> withQueueLimit(none ? null : parseFrames(v));
            default -> throw new IllegalArgumentException("unknown link parameter '" + key + "'"
                    + Suggestions.didYouMean(key, KEYS) + "; known: " + String.join(", ", KEYS));
        };
    }

    /** Impairments that need netem or the userspace link engine: everything but the rate. */
    public boolean hasImpairments() {
        return positive(delay) || positive(jitter) || positive(lossPercent) || gilbertElliott != null
                || positive(reorderPercent) || positive(duplicatePercent) || positive(corruptPercent);
    }

    public boolean isEmpty() {
        return bandwidthMbit == null && !wantsEmulator();
    }

    /**
     * Whether the link's emulator is to be in place: for impairments, or for a delay given even as 0. Putting the
     * userspace engine into a link at run time moves its switch port, whose carrier is then lost for a moment (a
     * 10 Gbit/s TCP flow lost thousands of segments and crawled for seconds after); {@code delay: 0ms} puts it in
     * from the start, carrying frames in the kernel until a change, which then moves nothing.
     */
    public boolean wantsEmulator() {
        return hasImpairments() || delay != null;
    }

    /** The queue limit in frames, with the default applied. */
    public int effectiveQueueLimit() {
        return queueLimit == null ? DEFAULT_QUEUE_LIMIT : queueLimit;
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isZero();
    }

    private static boolean positive(Double d) {
        return d != null && d > 0;
    }

    /**
     * Parses durations as written in topology files and the shell: {@code 5ms}, {@code 1.5ms}, {@code 200us},
     * {@code 1s}, {@code 2min}, {@code 1h}.
     */
    public static Duration parseDuration(String text) {
        double nanos = nanos(text);
        if (nanos >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is longer than any duration mignet can count");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** A link's delay or jitter: a duration of at most {@link #MAX_DELAY}. */
    public static Duration parseDelay(String text) {
        double nanos = nanos(text);
        if (nanos > MAX_DELAY.toNanos()) {
            throw new IllegalArgumentException("'" + text + "' is longer than 1 hour, the longest delay mignet"
                    + " emulates; write e.g. 600ms or 2s");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** A written duration in nanoseconds, before any bound: a double, so that a huge one is seen, not wrapped. */
    private static double nanos(String text) {
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
        } else if (t.endsWith("min")) {
            nanosPerUnit = 60_000_000_000L;
            number = t.substring(0, t.length() - 3);
        } else if (t.endsWith("h")) {
            nanosPerUnit = 3_600_000_000_000L;
            number = t.substring(0, t.length() - 1);
        } else if (t.equals("0")) {
            return 0;
        } else {
            throw new IllegalArgumentException("'" + text + "' has no unit (write it like 5ms, 200us, 1s, 2min or"
                    + " 1h)");
        }
        double value;
        try {
            value = Double.parseDouble(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write it like 5ms, 200us, 1s, 2min"
                    + " or 1h)");
        }
        if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("'" + text + "' must be a non-negative duration");
        }
        return value * nanosPerUnit;
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

    /** A percentage within 0..100. */
    private static double percent(String key, String text) {
        double p = parsePercent(text);
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("'" + text + "' is outside 0..100 %; e.g. 10%");
        }
        return p;
    }

    /** A rate in Mbit/s above 0. */
    public static double parseBandwidth(String text) {
        double mbit;
        String t = text.trim();
        if (t.toLowerCase(Locale.ROOT).endsWith("mbit")) {
            t = t.substring(0, t.length() - 4);
        }
        try {
            mbit = Double.parseDouble(t.trim());
        } catch (NumberFormatException e) {
            mbit = Double.NaN;
        }
        if (!(mbit > 0) || Double.isInfinite(mbit)) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; write the rate in Mbit/s as a number"
                    + " above 0, e.g. 'bw: 1000'");
        }
        if (mbit < MIN_BANDWIDTH_MBIT || mbit > MAX_BANDWIDTH_MBIT) {
            throw new IllegalArgumentException("'" + text + "' Mbit/s is outside tc tbf's range "
                    + formatNumber(MIN_BANDWIDTH_MBIT) + ".." + formatNumber(MAX_BANDWIDTH_MBIT)
                    + " Mbit/s (1 kbit/s to 100 Gbit/s), e.g. 1000");
        }
        return mbit;
    }

    private static int parseFrames(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a queue limit; write a number of frames from 1"
                + " to " + Integer.MAX_VALUE + ", e.g. limit=1000");
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

    static String formatNumber(double v) {
        return v % 1 == 0 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    /** The parameters as {@code key=value} words, which {@link #with} reads back; {@code -} when empty. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (bandwidthMbit != null) {
            sb.append("bw=").append(formatNumber(bandwidthMbit)).append("Mbit ");
        }
        if (delay != null) {
            sb.append("delay=").append(formatDuration(delay)).append(' ');
        }
        if (jitter != null) {
            sb.append("jitter=").append(formatDuration(jitter)).append(' ');
        }
        if (jitterDistribution != null) {
            sb.append("distribution=").append(jitterDistribution.word()).append(' ');
        }
        if (lossPercent != null) {
            sb.append("loss=").append(formatNumber(lossPercent)).append("% ");
        }
        if (gilbertElliott != null) {
            sb.append("loss='").append(gilbertElliott).append("' ");
        }
        if (reorderPercent != null) {
            sb.append("reorder=").append(formatNumber(reorderPercent)).append("% ");
        }
        if (duplicatePercent != null) {
            sb.append("duplicate=").append(formatNumber(duplicatePercent)).append("% ");
        }
        if (corruptPercent != null) {
            sb.append("corrupt=").append(formatNumber(corruptPercent)).append("% ");
        }
        if (queueLimit != null) {
            sb.append("limit=").append(queueLimit).append(' ');
        }
        return sb.isEmpty() ? "-" : sb.toString().trim();
    }
}
