package net.mignet.linkemu;

import java.util.Locale;

/**
 * How late the engine sent one direction's frames against their due time (arrival + delay + jitter), since its
 * parameters last changed: the median, the 99th percentile and the number of frames measured. With 0 ms delay
 * this is the whole time a frame spent in the engine.
 */
public record DueTimeError(long p50Nanos, long p99Nanos, long frames) {
    public static final DueTimeError NONE = new DueTimeError(0, 0, 0);

    @Override
    public String toString() {
        return frames == 0 ? "late -" : String.format(Locale.ROOT, "late p50 %s p99 %s", micros(p50Nanos),
                micros(p99Nanos));
    }

    private static String micros(long nanos) {
        return nanos < 10_000 ? String.format(Locale.ROOT, "%.1fus", nanos / 1e3)
                : String.format(Locale.ROOT, "%.0fus", nanos / 1e3);
    }
}
