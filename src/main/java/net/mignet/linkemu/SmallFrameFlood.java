package net.mignet.linkemu;

/**
 * Whether an engine thread is forwarding a flood of small frames: more than {@link #FLOOD_FRAMES_PER_WINDOW} frames
 * received in each {@link #WINDOW_NANOS} (100 000 frames/s); it ends when a window has fewer or the thread sleeps.
 * While it lasts the thread yields its CPU after each send ({@link EngineLoop}), because the process receiving the
 * flood is woken by those sends onto the engine's core, where it waited behind the engine until its socket
 * overflowed. Measured with 64-byte UDP through a 1 ms link into a default receive buffer, alternating runs: the
 * thread dropping to nice 0 for such floods instead (as it did before) delivered 0.46-0.59 of the plain path;
 * yielding at nice 0, 0.63-0.68; yielding at nice -10, 0.87-0.92, and two floods on two threads 1.06-1.13 against
 * 0.61-0.66 (in those runs the receiver's drops fell from about half of the frames to 3-13 %). By frame rate, not
 * by being busy: a TCP flow (64 KiB frames, 20 000-40 000 a second both ways at several Gbit/s) keeps the thread
 * busy too, and a yield before a release there hands the core away for a whole slice. Used by one loop thread
 * only.
 */
final class SmallFrameFlood {
    static final long WINDOW_NANOS = 1_000_000;
    static final long FLOOD_FRAMES_PER_WINDOW = 100;

    private long windowStart;
    private long frames;
    private boolean on;

    SmallFrameFlood(long now) {
        this.windowStart = now;
    }

    /** The thread received {@code n} frames (0 or more) at {@code now}. */
    void received(long now, long n) {
        frames += n;
        if (now - windowStart < WINDOW_NANOS) {
            return;
        }
        // A window that ends late (the thread was busy or preempted) is judged by its rate, not its count.
        on = frames * WINDOW_NANOS >= FLOOD_FRAMES_PER_WINDOW * (now - windowStart);
        windowStart = now;
        frames = 0;
    }

    /** The thread slept: whatever comes next starts a new window. */
    void slept(long now) {
        windowStart = now;
        frames = 0;
        on = false;
    }

    boolean isOn() {
        return on;
    }
}
