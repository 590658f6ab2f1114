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
    /** How long to poll for a reply after sending (see {@link #reverse}). */
    final ReplyWindow replyWindow;
    /** The other direction of the link, where replies to this one's frames come; null for none. */
    Direction reverse;
    /** When this direction last sent (nanoTime), while no frame has come the other way since. */
    private long sentAt;
    private boolean awaitingReply;
    int queued;
    long received;
    long sent;
    long lost;
    long overLimit;
    long duplicated;
    long corrupted;
    long sendErrors;

    Direction(String name, PacketSocket in, PacketSocket out, Impairment impairment, SendBatch batch,
            long replyPollNanos) {
        this.batch = batch;
        this.replyWindow = new ReplyWindow(replyPollNanos);
        this.name = name;
        this.in = in;
        this.out = out;
        this.impairment = impairment;
    }

    /** Frames were sent at {@code now}; a send before it that nothing answered within the window's cap counts so. */
    void sent(long now) {
        if (awaitingReply && now - sentAt > replyWindow.capNanos()) {
            replyWindow.unanswered();
        }
        sentAt = now;
        awaitingReply = true;
    }

    /** A frame came the other way, at {@code arrivedAt}: the reply to this direction's last send, if it was one. */
    void replyArrived(long arrivedAt) {
        if (!awaitingReply) {
            return;
        }
        awaitingReply = false;
        long gap = arrivedAt - sentAt;
        if (gap <= replyWindow.capNanos()) {
            replyWindow.answered(gap);
        } else {
            replyWindow.unanswered();
        }
    }

    DirectionStats stats() {
        return new DirectionStats(name, received, sent, lost, overLimit, duplicated, corrupted, sendErrors, queued,
                late.snapshot(), (in.hasRing() ? "ring" : "recvmsg") + "+sendmmsg");
    }
}
