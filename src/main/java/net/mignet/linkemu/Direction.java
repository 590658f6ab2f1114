package net.mignet.linkemu;

/**
 * One direction of a link in the engine: frames arriving on {@code in} leave through {@code out}, impaired.
 * Touched by its engine thread only; others get its counters through a command run by that thread, so they need
 * not be volatile (a volatile store per frame is a full fence on x86).
 */
final class Direction {
    final String name;
    final PacketSocket in;
    final PacketSocket out;
    final Impairment impairment;
    /** How late frames left against their due time; reset when the parameters change. */
    final DueTimeHistogram late = new DueTimeHistogram();
    /** Frames due now, sent out of {@code out} together. */
    final SendBatch batch;
    /** The kernel's path for the times this direction holds nothing, or null where eBPF is not available. */
    final KernelPath kernelPath;
    /** The kernel path was asked for and the engine still has to hand over (see {@link KernelPath}). */
    boolean draining;
    int queued;
    long received;
    long sent;
    long lost;
    long overLimit;
    long duplicated;
    long corrupted;
    long sendErrors;
    /** sendmmsg calls made: frames sent per call is how well sending was batched. */
    long sendCalls;

    Direction(String name, PacketSocket in, PacketSocket out, Impairment impairment, SendBatch batch) {
        this(name, in, out, impairment, batch, null);
    }

    Direction(String name, PacketSocket in, PacketSocket out, Impairment impairment, SendBatch batch,
            KernelPath kernelPath) {
        this.batch = batch;
        this.kernelPath = kernelPath;
        this.name = name;
        this.in = in;
        this.out = out;
        this.impairment = impairment;
    }

    /** The engine's counters and the kernel path's together: one direction, whichever path its frames took. */
    DirectionStats stats() {
        // Lost before all: a frame is counted among the kernel's before it is lost, so sent never goes below.
        long kernelLost = kernelPath == null ? 0 : kernelPath.dropped();
        long kernelFrames = kernelPath == null ? 0 : kernelPath.frames();
        return new DirectionStats(name, received + kernelFrames, sent + kernelFrames - kernelLost, lost + kernelLost,
                overLimit, duplicated, corrupted, sendErrors, queued, sendCalls, late.snapshot(),
                (in.hasRing() ? "ring" : "recvmsg") + "+sendmmsg", kernelFrames, kernelLost,
                kernelPath != null && kernelPath.inKernel());
    }

    /** Frames taken so far, by the engine or the kernel path. */
    long carried() {
        return received + (kernelPath == null ? 0 : kernelPath.frames());
    }

    /** Frames handed on so far, by the engine or the kernel path. */
    long handedOn() {
        if (kernelPath == null) {
            return sent;
        }
        long kernelLost = kernelPath.dropped();
        return sent + kernelPath.frames() - kernelLost;
    }
}
