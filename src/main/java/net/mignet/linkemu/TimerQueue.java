package net.mignet.linkemu;

import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Frames waiting for their release time, earliest first; frames with equal times leave in arrival order, so a
 * direction whose release times never decrease is never reordered. One queue serves every link of an engine.
 */
final class TimerQueue {
    private final PriorityQueue<Frame> frames = new PriorityQueue<>((x, y) -> x.releaseAt != y.releaseAt
            ? Long.compare(x.releaseAt, y.releaseAt) : Long.compare(x.sequence, y.sequence));
    private long nextSequence;

    void add(Frame f) {
        f.sequence = nextSequence++;
        frames.add(f);
    }

    /** The earliest release time, or {@link Long#MAX_VALUE} when nothing waits. */
    long nextRelease() {
        Frame head = frames.peek();
        return head == null ? Long.MAX_VALUE : head.releaseAt;
    }

    /** The frame due first, left in the queue, or null. */
    Frame peek() {
        return frames.peek();
    }

    /** The next frame due at {@code now}, removed from the queue, or null when none is due yet. */
    Frame pollDue(long now) {
        Frame head = frames.peek();
        return head != null && head.releaseAt <= now ? frames.poll() : null;
    }

    /** Removes everything (when the engine stops); returns the frames so their buffers can be recycled. */
    Frame pollAny() {
        return frames.poll();
    }

    /** Removes the frames {@code which} selects, handing each to {@code removed} (to recycle its buffer). */
    void remove(Predicate<Frame> which, Consumer<Frame> removed) {
        frames.removeIf(f -> {
            if (!which.test(f)) {
                return false;
            }
            removed.accept(f);
            return true;
        });
    }

    int size() {
        return frames.size();
    }
}
