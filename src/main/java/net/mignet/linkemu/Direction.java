package net.mignet.linkemu;

/**
 * One direction of a link in the engine: frames arriving on {@code in} leave through {@code out}, impaired.
 * Touched by its engine thread only; others get its counters through a command run by that thread, so they need
 * not be volatile (a volatile store per frame is a full fence on x86).
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
    long received;
    long sent;
    long lost;
    long overLimit;
    long duplicated;
    long corrupted;
    long sendErrors;
    /** sendmmsg calls made: frames sent per call is how well sending was batched. */
    long sendCalls;

    Direction(String name, PacketSocket in, PacketSocket out, Impairment impairment, SendBatch batch) {
        this.batch = batch;
        this.name = name;
        this.in = in;
        this.out = out;
        this.impairment = impairment;
    }

    DirectionStats stats() {
        return new DirectionStats(name, received, sent, lost, overLimit, duplicated, corrupted, sendErrors, queued,
                sendCalls, late.snapshot(), (in.hasRing() ? "ring" : "recvmsg") + "+sendmmsg");
    }
}
