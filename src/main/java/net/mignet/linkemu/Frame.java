package net.mignet.linkemu;

import java.lang.foreign.MemorySegment;

/**
 * A frame held by the engine until its release time, or by a frame hold until it is released: a pooled buffer,
 * its length and where it goes.
 */
final class Frame {
    final MemorySegment buffer;
    int length;
    long releaseAt;
    long sequence;
    /** When the frame reached the hold device (nanoTime clock); used by frame holds only. */
    long arrivedAt;
    Direction direction;

    Frame(MemorySegment buffer) {
        this.buffer = buffer;
    }
}
