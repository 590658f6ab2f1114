package net.mignet.linkemu;

/**
 * The nice value of an engine thread forwarding many small frames: it drops from {@link LoopMailbox#LOOP_NICE} to
 * nice 0 while it receives more than {@link #FAIR_FRAMES_PER_WINDOW} frames in each {@link #WINDOW_NANOS}
 * (100 000 frames/s), and goes back when a window has fewer or the thread sleeps. At nice -10 the thread took nine
 * tenths of whichever core it shared, and the process receiving a flood is woken by the engine's sends onto the
 * engine's core: measured with perf sched (64-byte UDP through a 1 ms link, 3 s), the receiver ran 0.40 s, the
 * sender 2.73 s and the engine 2.62 s, so the receiving socket dropped four frames in five after the engine had
 * done all the work of delivering them (0.14-0.32 of the plain path at nice -10, 0.58-0.71 at nice 0, alternating
 * runs at load 2.5-3.8). By frame rate, not by being busy: a TCP flow (64 KiB frames, 20 000-40 000 a second both
 * ways at several Gbit/s) keeps the thread busy too, and there nice -10 keeps its frames on time on a busy
 * machine (at nice 0, seen 2-28 ms late at load 9-12). Used by one loop thread only.
 */
final class FloodNice {
    static final long WINDOW_NANOS = 1_000_000;
    static final long FAIR_FRAMES_PER_WINDOW = 100;

    /** Changes the calling thread's nice value; false when not allowed. */
    interface Nice {
        boolean set(int nice);
    }

    private final Nice nice;
    private long windowStart;
    private long frames;
    private boolean fair;

    FloodNice(Nice nice, long now) {
        this.nice = nice;
        this.windowStart = now;
    }

    /** The thread received {@code n} frames (0 or more) at {@code now}. */
    void received(long now, long n) {
        frames += n;
        if (now - windowStart < WINDOW_NANOS) {
            return;
        }
        // A window that ends late (the thread was busy or preempted) is judged by its rate, not its count.
        boolean many = frames * WINDOW_NANOS >= FAIR_FRAMES_PER_WINDOW * (now - windowStart);
        windowStart = now;
        frames = 0;
        if (many != fair) {
            fair = many;
            nice.set(fair ? 0 : LoopMailbox.LOOP_NICE);
        }
    }

    /** The thread slept: whatever comes next starts a new window. */
    void slept(long now) {
        windowStart = now;
        frames = 0;
        if (fair) {
            fair = false;
            nice.set(LoopMailbox.LOOP_NICE);
        }
    }

    boolean isFair() {
        return fair;
    }
}
