package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Off-heap frame buffers, recycled: small ones for ordinary frames, large ones for 64 KiB GSO frames. Memory
 * grows to the peak number of frames held (bounded by the queue limits) and is freed when the engine closes.
 */
final class FramePool implements AutoCloseable {
    static final int SMALL = 2048;
    /** A 64 KiB GSO frame with its Ethernet and virtio headers, and room to tell a longer one (truncated). */
    static final int LARGE = 65536 + 512;

    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<Frame> small = new ArrayDeque<>();
    private final ArrayDeque<Frame> large = new ArrayDeque<>();
    private long allocatedBytes;

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
