package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code recvmsg} scaffolding of one thread ({@code msghdr}, {@code iovec}, control buffer), reused for
 * every frame, and the arrival time the kernel stamped on the last frame ({@code SCM_TIMESTAMPNS}), converted
 * to the {@link System#nanoTime} clock.
 */
final class ReceiveContext {
    private static final int CONTROL_BYTES = 64;
    private static final long NANOS = 1_000_000_000L;
    /** Kernel timestamps further than this from now are not trusted (a stale or foreign clock). */
    private static final long PLAUSIBLE = 1_000_000_000L;
    /**
     * A frame may arrive after the caller read its {@code now} (once per burst): stamps up to this far ahead are
     * taken as they are.
     */
    private static final long AHEAD = 1_000_000L;
    /** The offset between the clocks moves only with NTP's slewing: re-read it this often. */
    private static final long CALIBRATE_EVERY = 100_000_000L;
    /**
     * A reading of the clocks this tight is taken at once; else the tightest of {@link #TRIES}: a thread preempted
     * between them (milliseconds on a busy machine) would shift every arrival time until the next reading.
     */
    private static final long TIGHT = 2_000L;
    private static final int TRIES = 5;
    private long calibratedAt = Long.MIN_VALUE / 2;
    private final MemorySegment msghdr;
    private final MemorySegment iovec;
    private final MemorySegment control;
    private final MemorySegment clock;
    private long realtimeMinusMonotonic;

    ReceiveContext(Arena arena) {
        msghdr = arena.allocate(56, 8);
        iovec = arena.allocate(16, 8);
        control = arena.allocate(CONTROL_BYTES, 8);
        clock = arena.allocate(16, 8);
        msghdr.set(ValueLayout.ADDRESS, 16, iovec);
        msghdr.set(ValueLayout.JAVA_LONG, 24, 1);
        msghdr.set(ValueLayout.ADDRESS, 32, control);
    }

    /** Re-reads the offset between the clocks if it was read more than {@link #CALIBRATE_EVERY} before {@code now}. */
    void calibrateIfStale(long now) {
        if (now - calibratedAt > CALIBRATE_EVERY) {
            calibrate();
            calibratedAt = now;
        }
    }

    /**
     * Re-reads the offset between the kernel's timestamp clock (realtime) and nanoTime (the monotonic clock): the
     * realtime clock bracketed by two reads of the monotonic one, all three through the same native call, so that
     * the call's own overhead is the same on both sides and the bracket's middle is when the realtime clock was read.
     * (Bracketed by {@link System#nanoTime} instead, the native call's way in is slower than its way out while it
     * runs rarely and uncompiled: seen in traces, frames released 7-12 us before their due time while the engine
     * counted them 1 us late.) The tightest of a few brackets is kept.
     */
    void calibrate() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            long before = nanos(Native.CLOCK_MONOTONIC);
            long realtime = nanos(Native.CLOCK_REALTIME);
            long after = nanos(Native.CLOCK_MONOTONIC);
            if (after - before < best) {
                best = after - before;
                realtimeMinusMonotonic = realtime - (before + (after - before) / 2);
            }
            if (best <= TIGHT) {
                return;
            }
        }
    }

    private long nanos(int clockId) {
        Native.clockGettime(clockId, clock);
        return clock.get(ValueLayout.JAVA_LONG, 0) * NANOS + clock.get(ValueLayout.JAVA_LONG, 8);
    }

    MemorySegment prepare(MemorySegment buffer) {
        iovec.set(ValueLayout.ADDRESS, 0, buffer);
        iovec.set(ValueLayout.JAVA_LONG, 8, buffer.byteSize());
        msghdr.set(ValueLayout.JAVA_LONG, 40, CONTROL_BYTES);
        msghdr.set(ValueLayout.JAVA_INT, 48, 0);
        return msghdr;
    }

    /** A kernel timestamp on the realtime clock (a ring slot's), on the nanoTime clock; {@code now} if implausible. */
    long fromRealtime(long realtimeNanos, long now) {
        long arrival = realtimeNanos - realtimeMinusMonotonic;
        return arrival - now < AHEAD && now - arrival < PLAUSIBLE ? arrival : now;
    }

    /** When the last frame arrived, on the nanoTime clock; {@code now} when the kernel gave no usable stamp. */
    long arrival(long now) {
        long length = msghdr.get(ValueLayout.JAVA_LONG, 40);
        if (length < 32 || control.get(ValueLayout.JAVA_INT, 8) != Native.SOL_SOCKET
                || control.get(ValueLayout.JAVA_INT, 12) != Native.SO_TIMESTAMPNS) {
            return now;
        }
        long stamp = control.get(ValueLayout.JAVA_LONG, 16) * NANOS + control.get(ValueLayout.JAVA_LONG, 24);
        return fromRealtime(stamp, now);
    }
}
