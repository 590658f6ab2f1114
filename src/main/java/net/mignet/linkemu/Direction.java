package net.mignet.linkemu;

/**
 * One direction of a link in the engine: frames arriving on {@code in} leave through {@code out}, impaired.
 * Touched by the engine thread only, except the counters, which others read as a snapshot.
 */
final class Direction {
    final String name;
    final PacketSocket in;
    final PacketSocket out;
    final Impairment impairment;
    /** How late frames left against their due time; reset when the parameters change. */
    final DueTimeHistogram late = new DueTimeHistogram();
    /** Frames due now, sent out of {@code out} together. */
    final SendBatch batch;
    int queued;
    volatile long received;
    volatile long sent;
    volatile long lost;
    volatile long overLimit;
    volatile long duplicated;
    volatile long corrupted;
    volatile long sendErrors;

    Direction(String name, PacketSocket in, PacketSocket out, Impairment impairment, SendBatch batch) {
        this.batch = batch;
        this.name = name;
        this.in = in;
        this.out = out;
        this.impairment = impairment;
    }

    DirectionStats stats() {
        return new DirectionStats(name, received, sent, lost, overLimit, duplicated, corrupted, sendErrors, queued,
                late.snapshot(), (in.hasRing() ? "ring" : "recvmsg") + "+sendmmsg");
    }
}
