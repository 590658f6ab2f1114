package net.mignet.linkemu;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running frame hold's queue: rules send frames to {@link #device()}, they wait here until
 * {@link #forwardTo} sends them out of a port, and {@link #finish} closes the hold once the rules have moved on.
 * The flow side (which rules send here) belongs to the caller; see {@code net.FrameHold}.
 */
public final class HoldQueue {
    /** How long a release waits for the queue to empty (a slow, rate-limited port) before going on anyway. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link #finish} waits for its marker to come back through the hold device. */
    private static final Duration MARKER_TIMEOUT = Duration.ofSeconds(2);

    private final HoldEngine engine;
    private final HoldLoop loop;
    private final HoldSlot slot;
    private final CompletableFuture<Void> firstFrame;
    private boolean ended;

    HoldQueue(HoldEngine engine, HoldLoop loop, HoldSlot slot, CompletableFuture<Void> firstFrame) {
        this.engine = engine;
        this.loop = loop;
        this.slot = slot;
        this.firstFrame = firstFrame;
    }

    /** The device rules must {@code fwd} frames to so that they are held. */
    public String device() {
        return slot.device;
    }

    /** Frames queued now; while only holding, counted every 5 ms (frames wait in the kernel meanwhile). */
    public int held() {
        return slot.queued;
    }

    /** Waits until the first frame reached the hold; false when none did within {@code timeout}. */
    public boolean awaitFirstFrame(Duration timeout) {
        try {
            firstFrame.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Sends the queued frames out of switch port {@code port} in arrival order, and from now on every frame that
     * reaches the hold right behind them (the rules still send here: nothing overtakes a held frame). Returns
     * when the queue is empty, or after 30 s of a port too slow to take it (then the rest follows in order).
     * Can be called again with another port (a release that failed half-way, then a restore).
     */
    public synchronized void forwardTo(String port) {
        requireRunning();
        CompletableFuture<Void> drained = loop.forward(slot, port, System.nanoTime());
        try {
            drained.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Go on: the rest is still sent in order; only frames behind the rule change may overtake it.
        } catch (ExecutionException e) {
            throw new IllegalStateException("frame hold on " + slot.device + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while releasing held frames", e);
        }
    }

    /**
     * Ends the hold once no rule sends here any more: waits until the frames that were on their way when the
     * rules changed have gone out too (a marker frame sent along their path after the change comes back behind
     * them), then reports. Frames that arrive later still (not seen in tests) are forwarded too, until the device
     * serves another hold.
     */
    public synchronized HoldReport finish() {
        requireRunning();
        CompletableFuture<HoldReport> report = loop.finish(slot);
        ended = true;
        try {
            return report.get(MARKER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return loop.reportNow(slot);
        } catch (ExecutionException e) {
            throw new IllegalStateException("frame hold on " + slot.device + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return loop.reportNow(slot);
        } finally {
            engine.giveBack(slot);
        }
    }

    /** Ends a hold that no rule ever sent to (its start failed): queued frames are dropped. */
    public synchronized void abandon() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            loop.idle(slot);
        } finally {
            engine.giveBack(slot);
        }
    }

    private void requireRunning() {
        if (ended) {
            throw new IllegalStateException("the frame hold on " + slot.device + " has ended");
        }
    }
}
