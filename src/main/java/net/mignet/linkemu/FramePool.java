package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Off-heap frame buffers, recycled: small ones for ordinary frames, large ones for 64 KiB GSO frames. Memory
 * grows to the peak number of frames held (bounded by the queue limits) and is freed when the engine closes.
 * Frames are received into one large {@link #receiveBuffer()}, so none is cut short, and kept without a copy
 * when large. Used by one loop thread only.
 */
final class FramePool implements AutoCloseable {
    static final int SMALL = 2048;
    /** Small frames allocated up front (128 KiB). */
    static final int SMALL_RESERVE = 64;
    /** A 64 KiB GSO frame with its Ethernet and virtio headers, and room to tell a longer one (truncated). */
    static final int LARGE = 65536 + 512;

    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<Frame> small = new ArrayDeque<>();
    private final ArrayDeque<Frame> large = new ArrayDeque<>();
    private long allocatedBytes;
    private Frame receiving = takeLarge();

    /**
     * Starts with {@link #SMALL_RESERVE} small frames, so that sparse traffic never finds the pool empty: the
     * warm-up holds one frame at a time, C2 compiled an empty pool as a trap, and the second frame held at once
     * (a probe and its reply through a delayed link) threw the compiled receive path away.
     */
    FramePool() {
        for (int i = 0; i < SMALL_RESERVE; i++) {
            small.push(allocate(SMALL));
        }
    }

    /** Where to receive the next frame: large enough for any, reused until {@link #keepReceived} takes it. */
    MemorySegment receiveBuffer() {
        return receiving.buffer;
    }

    /**
     * A frame holding the {@code n} bytes just received: a small frame for a small one (copied, so the large
     * buffer is received into again), else the receive buffer itself, which a new large one replaces.
     */
    Frame keepReceived(long n) {
        if (n <= SMALL) {
            return copyReceived(n);
        }
        Frame f = receiving;
        receiving = takeLarge();
        return f;
    }

    /** A copy of the {@code n} bytes just received, leaving the receive buffer as it is (for a duplicate). */
    Frame copyReceived(long n) {
        Frame f = n <= SMALL ? takeSmall() : takeLarge();
        MemorySegment.copy(receiving.buffer, 0, f.buffer, 0, n);
        return f;
    }

    /** A frame holding a copy of {@code n} bytes of {@code source} from {@code offset} (a ring slot's frame). */
    Frame copyFrom(MemorySegment source, long offset, long n) {
        Frame f = n <= SMALL ? takeSmall() : takeLarge();
        MemorySegment.copy(source, offset, f.buffer, 0, n);
        return f;
    }

    /** A copy of a frame kept already (for a duplicate). */
    Frame copyOf(Frame original) {
        Frame f = original.length <= SMALL ? takeSmall() : takeLarge();
        MemorySegment.copy(original.buffer, 0, f.buffer, 0, original.length);
        f.length = original.length;
        f.arrivedAt = original.arrivedAt;
        return f;
    }

    /** The buffer bytes a frame of {@code n} bytes takes once kept. */
    static int bufferBytes(long n) {
        return n <= SMALL ? SMALL : LARGE;
    }

    Frame takeSmall() {
        Frame f = small.poll();
        return f != null ? f : allocate(SMALL);
    }

    Frame takeLarge() {
        Frame f = large.poll();
        return f != null ? f : allocate(LARGE);
    }

    void give(Frame f) {
        f.direction = null;
        (f.buffer.byteSize() == SMALL ? small : large).push(f);
    }

    long allocatedBytes() {
        return allocatedBytes;
    }

    private Frame allocate(int size) {
        allocatedBytes += size;
        return new Frame(arena.allocate(size, 64));
    }

    @Override
    public void close() {
        arena.close();
    }
}
