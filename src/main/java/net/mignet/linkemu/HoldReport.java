package net.mignet.linkemu;

import java.time.Duration;

/**
 * What a frame hold did, from its start until the rules stopped sending to it and the frames still on their way
 * had gone out.
 *
 * @param releasedTo        the port the held frames went out of (the new port on release, the old on restore)
 * @param framesHeld        frames that reached the hold (queued, or sent through at once while it drained)
 * @param bytesHeld         their bytes, Ethernet headers included
 * @param longestHeld       the longest a frame waited between reaching the hold and leaving it
 * @param medianHeld        the median of those waits
 * @param droppedByOverflow frames that found the queue full (at its limit in frames, or 256 MiB of buffers) and
 *                          were dropped
 * @param released          frames sent out of {@code releasedTo}
 * @param sendErrors        frames the outgoing port refused for good (device down, or full for over a second)
 * @param inFlight          frames that reached the hold after the rules had changed (on their way then)
 * @param holdTime          from the start of the hold until the rules changed
 * @param releaseTime       how long the release (or restore) took: queue emptied, rules changed, in-flight sent
 */
public record HoldReport(String releasedTo, long framesHeld, long bytesHeld, Duration longestHeld,
        Duration medianHeld, long droppedByOverflow, long released, long sendErrors, long inFlight,
        Duration holdTime, Duration releaseTime) {

    /** Frames that reached the hold but did not go out (overflow and send errors). */
    public long lost() {
        return droppedByOverflow + sendErrors;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "held %d frames (%d bytes) for %.3f s, released %d to %s in %.3f ms; wait median %.3f ms, longest "
                        + "%.3f ms; %d in flight; %d dropped by overflow, %d send errors",
                framesHeld, bytesHeld, holdTime.toNanos() / 1e9, released, releasedTo, releaseTime.toNanos() / 1e6,
                medianHeld.toNanos() / 1e6, longestHeld.toNanos() / 1e6, inFlight, droppedByOverflow, sendErrors);
    }
}
