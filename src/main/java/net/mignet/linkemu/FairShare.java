package net.mignet.linkemu;

/**
 * The nice value of an engine thread, by what it is doing. Asleep and woken by a frame or a release it should run
 * at once, ahead of ordinary processes, as netem runs in softirq ahead of them: nice -10 (what
 * {@link LoopMailbox#serve} sets). Forwarding a flood without sleeping, though, at nice -10 it takes nine tenths
 * of a shared core from the process receiving the flood, whose socket then overflows (seen on 2 cores: 64-byte
 * UDP through a 1 ms link at 0.27-0.31 of the plain path at nice -10, 0.55-0.67 at nice 0; the frames were
 * forwarded and then dropped at the receiver). So a thread busy for longer than {@link #BUSY_NANOS} drops to nice
 * 0 until it sleeps again. Used by one loop thread only.
 */
final class FairShare {
    static final int PROMPT = -10;
    static final int FAIR = 0;
    /** Longer than any burst of sparse traffic (a frame, its release spin, the poll after it). */
    static final long BUSY_NANOS = 2_000_000;
    /** A wait at least this long counts as sleep (a ppoll that found frames waiting returns in a few us). */
    static final long SLEPT_NANOS = 50_000;

    private long awakeSince;
    private boolean fair;
    /** False when the thread may not raise its priority again (not root): it then stays as it is. */
    private boolean adjustable = true;

    FairShare(long now) {
        awakeSince = now;
    }

    /** After a wait that began at {@code before} and ended at {@code after}. */
    void waited(long before, long after) {
        if (after - before >= SLEPT_NANOS) {
            awakeSince = after;
            if (fair) {
                adjustable = Native.setThreadNice(PROMPT);
                fair = false;
            }
        } else {
            busy(after);
        }
    }

    /** After a turn that did not wait (it polled), or a wait that found frames at once. */
    void busy(long now) {
        if (!fair && adjustable && now - awakeSince > BUSY_NANOS) {
            fair = Native.setThreadNice(FAIR);
        }
    }

    boolean isFair() {
        return fair;
    }
}
