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
    /** When the frame reached the engine's or hold's device (nanoTime clock, from the kernel's stamp). */
    long arrivedAt;
    Direction direction;

    Frame(MemorySegment buffer) {
        this.buffer = buffer;
    }
}
