package net.mignet.net;

import java.time.Duration;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.linkemu.HoldQueue;
import net.mignet.linkemu.HoldReport;

/**
 * Frames that a switch's rules would send out of one port, held at the switch: the tool a migration uses so
 * that no request is lost, and none reaches the old instance after its state was taken. Made by
 * {@link Switch#hold}; ended by {@link #release} (to the new port) or {@link #restore} (back to the old one).
 * Closing a hold that was neither released nor restored restores it, so try-with-resources rolls back.
 *
 * <p>Order on release: the held frames go out of the new port first, and frames that arrive meanwhile are
 * sent right behind them through the hold (the rules still point there), until the queue is empty and a marker
 * frame sent after the last of them has come back through the hold device (so the kernel has delivered them;
 * under load it defers that to ksoftirqd, per CPU, and the hold sends a release from one CPU). Only then do the
 * rules change to the new port, and the frames that were on their way to the hold at that moment are sent
 * last, up to a second marker. A new frame can overtake a held one only at the rule change: frames the hold
 * forwarded while nftables committed may still wait in its CPU's backlog when the kernel defers softirq work.
 * Measured with a 20 000 frames/s stream on the shared 2-core VM: in order in 38 of 40 runs; in the other two
 * the last 10 and 20 frames through the hold (0.5-1 ms of the stream) were overtaken by direct ones.
 * Request/response traffic, where the client waits for the answer, is never reordered.
 */
public final class FrameHold implements AutoCloseable {
    private final FlowTable table;
    private final String oldPort;
    private final HoldQueue queue;
    private HoldReport result;
    private Map<Long, FlowAction> previousActions = Map.of();

    FrameHold(FlowTable table, String oldPort, HoldQueue queue) {
        this.table = table;
        this.oldPort = oldPort;
        this.queue = queue;
    }

    public String switchName() {
        return table.switchName();
    }

    /** The port whose frames are held. */
    public String oldPort() {
        return oldPort;
    }

    /** Frames held now (0 after the hold ended); counted every 5 ms while holding, so it may lag that much. */
    public int held() {
        return queue.held();
    }

    /** Waits until a frame was held (e.g. a request arrived during a freeze); false if none within the timeout. */
    public boolean awaitFirstFrame(Duration timeout) {
        return queue.awaitFirstFrame(timeout);
    }

    public synchronized boolean isOpen() {
        return result == null;
    }

    /**
     * Sends the held frames out of {@code newPort} in arrival order and moves every rule that output to the old
     * port to {@code newPort} (one atomic change; ids and counters stay); the frames still on their way go out
     * behind the others. The rules' previous actions are kept for {@link #previousActions()}.
     */
    public synchronized HoldReport release(String newPort) {
        requireOpen();
        table.requirePort(newPort);
        queue.forwardTo(newPort);
        previousActions = table.endHold(oldPort, newPort);
        result = queue.finish();
        return result;
    }

    /** Rollback: the rules output to the old port again and the held frames go out of it, in order. */
    public synchronized HoldReport restore() {
        requireOpen();
        queue.forwardTo(oldPort);
        table.endHold(oldPort, null);
        result = queue.finish();
        return result;
    }

    /** After a release: the actions the moved rules had, by id, to undo it with {@link FlowTable#replaceActions}. */
    public synchronized Map<Long, FlowAction> previousActions() {
        return previousActions;
    }

    /** The report of the release or restore; null while the hold is open. */
    public synchronized HoldReport report() {
        return result;
    }

    /** Restores the hold if it was neither released nor restored. */
    @Override
    public synchronized void close() {
        if (result == null) {
            restore();
        }
    }

    private void requireOpen() {
        if (result != null) {
            throw new IllegalStateException("the hold of " + table.switchName() + " port " + oldPort
                    + " has ended already (" + result + ")");
        }
    }

    @Override
    public String toString() {
        return "hold of " + table.switchName() + ":" + oldPort + (result == null ? " (" + held() + " frames)"
                : " (ended: " + result + ")");
    }
}
