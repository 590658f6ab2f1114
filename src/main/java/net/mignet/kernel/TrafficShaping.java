package net.mignet.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rate limits with tc's token bucket filter, which every kernel has. */
public final class TrafficShaping {
    private TrafficShaping() {
    }

    /** Adds a tbf root qdisc limiting {@code device}'s egress to {@code mbit} Mbit/s to a tc batch. */
    public static void addRateLimit(IpBatch tc, String device, double mbit) {
        tc.add(tbfWords("replace", device, "root", null, mbit).toArray(String[]::new));
    }

    /**
     * The words of a tc command adding a tbf qdisc: {@code verb} is add or replace, {@code parent} is
     * {@code root} or a class, {@code handle} may be null.
     */
    public static List<String> tbfWords(String verb, String device, String parent, String handle, double mbit) {
        long bytesPerSecond = (long) (mbit * 1_000_000 / 8);
        // At least one millisecond of traffic, and never less than a few full-size frames (64 KiB for GSO),
        // or tbf cannot reach the configured rate with 1500-byte and offloaded frames.
        long burst = Math.max(bytesPerSecond / 1000, 65_536);
        // Queue: 50 ms of traffic, but at low rates never less than four 64 KiB TSO frames: with less, TCP's
        // bursts overflow it so often that a 10 Mbit/s link carries only ~90 % of its rate.
        long limit = burst + Math.max(bytesPerSecond / 20, 4 * 65_536);
        List<String> words = new ArrayList<>(List.of("qdisc", verb, "dev", device));
        words.addAll(parent.equals("root") ? List.of("root") : List.of("parent", parent));
        if (handle != null) {
            words.addAll(List.of("handle", handle));
        }
        words.addAll(List.of("tbf", "rate", String.format(Locale.ROOT, "%dkbit", Math.round(mbit * 1000)),
                "burst", Long.toString(burst), "limit", Long.toString(limit)));
        return words;
    }

    /** Sets (mbit not null) or removes (null) the rate limit of {@code device} in {@code namespace} now. */
    public static void setRateLimit(String namespace, String device, Double mbit) {
        if (mbit != null) {
            IpBatch tc = IpBatch.tcIn(namespace);
            addRateLimit(tc, device, mbit);
            tc.run();
        } else {
            removeRootQdisc(namespace, device);
        }
    }

    /** Removes whatever root qdisc {@code device} has; having none is fine. */
    public static void removeRootQdisc(String namespace, String device) {
        CommandResult r = Command.run(List.of("tc", "-n", namespace, "qdisc", "del", "dev", device, "root"));
        // With no qdisc of its own a device reports "handle of zero" or "No such file"; both mean done.
        if (!r.ok() && !r.stderr().contains("handle of zero") && !r.stderr().contains("No such file")
                && !r.stderr().contains("Invalid handle")) {
            throw new CommandException("cannot remove the qdisc of " + device + " in " + namespace + ": "
                    + r.stderr().strip(), null);
        }
    }
}
