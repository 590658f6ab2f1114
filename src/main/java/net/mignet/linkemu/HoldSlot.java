package net.mignet.linkemu;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One hold device pair and the queue of its frames. Rules {@code fwd} frames to {@link #device}; they arrive on
 * its veth peer, where {@link #reader} takes them. A slot serves one hold at a time and is reused by the next.
 * Touched by the hold loop's thread only, except {@link #queued}, which others read.
 */
final class HoldSlot {
    enum Mode {
        /** No hold uses the slot: frames that still arrive are counted as strays and dropped. */
        IDLE,
        /** Frames are queued, up to the limit. */
        HOLDING,
        /** Queued frames, and every frame that arrives, go out of the target port, in arrival order. */
        FORWARDING
    }

    final String device;
    final PacketSocket reader;
    /** Transmits on {@link #device}, so a marker frame travels the path held frames take. */
    final PacketSocket injector;
    final ArrayDeque<Frame> queue = new ArrayDeque<>();
    Mode mode = Mode.IDLE;
    int limit;
    /** Bytes of the buffers the queued frames occupy (pool sizes, not frame lengths). */
    long queuedBufferBytes;
    /** Where frames go when forwarding: one of the loop's sender sockets, not owned by the slot. */
    PacketSocket target;
    String targetName;

    long startedAt;
    long releaseStartedAt;
    long ruleChangedAt;
    long frames;
    long bytes;
    long overflow;
    long released;
    long sendErrors;
    long strays;
    long framesAtRuleChange;
    long[] waits = new long[256];
    int waitCount;
    /** When the loop last read the reader socket while only holding (nanoTime), to read in batches. */
    long readAt;
    /** When the target port first refused the frame at the head of the queue (full), or -1. */
    long blockedSince = -1;
    long markerSequence;
    /** The last marker sent came back through the hold device. */
    boolean markerSeen;
    /** Between the start of a release (or restore) and its report. */
    boolean releasing;
    /** A marker was sent and has not come back yet. */
    boolean markerPending;

    CompletableFuture<Void> firstFrame = new CompletableFuture<>();
    CompletableFuture<Void> drained;
    CompletableFuture<HoldReport> finished;
    volatile int queued;

    HoldSlot(String device, PacketSocket reader, PacketSocket injector) {
        this.device = device;
        this.reader = reader;
        this.injector = injector;
    }

    void recordWait(long nanos) {
        if (waitCount == waits.length) {
            waits = java.util.Arrays.copyOf(waits, waits.length * 2);
        }
        waits[waitCount++] = nanos;
    }

    void clearTarget() {
        target = null;
        targetName = null;
    }
}
