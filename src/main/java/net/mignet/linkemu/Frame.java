package net.mignet.linkemu;

import java.lang.foreign.MemorySegment;

/** A frame held by the engine until its release time: a pooled buffer, its length and where it goes. */
final class Frame {
    final MemorySegment buffer;
    int length;
    long releaseAt;
    long sequence;
    Direction direction;

    Frame(MemorySegment buffer) {
        this.buffer = buffer;
    }
}
