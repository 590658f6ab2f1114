package net.mignet.kernel;

import java.util.Locale;

/** Rate limits with tc's token bucket filter, which every kernel has. */
public final class TrafficShaping {
    private TrafficShaping() {
    }

    /** Adds a tbf root qdisc limiting {@code device}'s egress to {@code mbit} Mbit/s to a tc batch. */
    public static void addRateLimit(IpBatch tc, String device, double mbit) {
        long bytesPerSecond = (long) (mbit * 1_000_000 / 8);
        // At least one millisecond of traffic, and never less than a few full-size frames (64 KiB for GSO),
        // or tbf cannot reach the configured rate with 1500-byte and offloaded frames.
        long burst = Math.max(bytesPerSecond / 1000, 65_536);
        tc.add("qdisc", "replace", "dev", device, "root", "tbf",
                "rate", String.format(Locale.ROOT, "%dkbit", Math.round(mbit * 1000)),
                "burst", Long.toString(burst), "latency", "50ms");
    }
}
