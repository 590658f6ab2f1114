package net.mignet.linkemu;

/**
 * Whether an engine thread is forwarding a flood: busy for longer than {@link #BUSY_NANOS} without sleeping. A
 * flooded thread stops polling and stops being woken per frame (TPACKET_V2 wakes its reader for every frame): it
 * sleeps a fixed moment and then reads its rings empty, which cut the engine's CPU per 64-byte frame from about
 * 10 us to 6.5 us. It leaves the mode when it next sleeps.
 * <p>
 * It keeps its nice value of -10. Nice 0 whenever flooded was tried: 64-byte UDP through a 1 ms link rose from
 * 0.42-0.50 to 0.53-0.65 of the plain path, but with the machine busier than its cores (load 9-12 on 2) a TCP
 * flow's frames then left 2-28 ms after their due time at p50 instead of 0.1-0.4 ms: the link's delay matters
 * more than its rate under overload. Used by one loop thread only.
 */
final class FloodMode {
    /** Longer than any burst of sparse traffic (a frame, its release spin, the poll after it). */
    static final long BUSY_NANOS = 2_000_000;
    /** A wait at least this long counts as sleep (a wait that found frames waiting returns in a few us). */
    static final long SLEPT_NANOS = 50_000;

    private long awakeSince;
    private boolean flooded;

    FloodMode(long now) {
        awakeSince = now;
    }

    /** After a wait that began at {@code before} and ended at {@code after}. */
    void waited(long before, long after) {
        if (after - before >= SLEPT_NANOS) {
            awakeSince = after;
            flooded = false;
        } else {
            busy(after);
        }
    }

    /** After a turn that did not wait (it polled, or read its rings after a coalesced sleep). */
    void busy(long now) {
        if (!flooded && now - awakeSince > BUSY_NANOS) {
            flooded = true;
        }
    }

    boolean isFlooded() {
        return flooded;
    }
}
