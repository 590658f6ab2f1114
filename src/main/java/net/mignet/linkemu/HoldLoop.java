package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import net.mignet.kernel.NativeCalls;

/**
 * The one thread that serves every frame hold of an emulation, started from a thread inside the fabric namespace so
 * that it lives there too (a new thread shares its creator's namespaces) and opens sockets on ports itself: it waits in
 * a {@link PollSet} on the hold devices' packet sockets, queues what arrives, and sends the queues out of their target
 * ports when told. Idle (nothing held, nothing to send) it sleeps without timeout, so holds that are not in use cost
 * nothing. Other threads act only through commands run on this thread ({@link LoopMailbox}), so slots need no locks.
 */
final class HoldLoop implements AutoCloseable {
    private static final int BURST = 64;
    /** Frames read at once from a device that only holds, read in batches (see HOLDING_READ_NANOS). */
    private static final int HOLDING_BURST = 4096;
    /** How soon a send the target port refused (its queue full) is tried again. */
    private static final long RETRY_NANOS = 100_000;
    /**
     * While only holding, the loop reads a hold device at most this often: frames wait in the socket meanwhile
     * (their arrival stamped by the kernel), and a stream of held frames wakes the loop 200 times a second
     * at most instead of once per frame, which would take CPU from the traffic that is not held (HoldBench: with
     * 1 ms the p99 RTT of traffic not held rose 1.6x while a 10 000 frames/s stream was held; with 5 ms, 1.0-1.1x).
     */
    private static final long HOLDING_READ_NANOS = 5_000_000;
    /**
     * Buffer memory a hold's queue may use: 10 000 ordinary frames take 20 MiB, but 64 KiB GSO frames (TCP from
     * the hosts' veths) take 64 KiB each. Frames beyond it count as overflow, like frames beyond the limit.
     */
    private static final long QUEUE_BUFFER_BYTES = 256L << 20;
    /** A frame refused this long is given up and counted as a send error. */
    private static final long GIVE_UP_NANOS = 1_000_000_000L;

    private final Consumer<String> log;
    private final LoopMailbox mailbox = new LoopMailbox("the frame hold loop");
    private final List<HoldSlot> slots = new ArrayList<>();
    /**
     * Sockets that send out of switch ports, by port, kept open: closing a packet socket waits for an RCU grace
     * period (milliseconds here), which would add to every hold. Bound with protocol 0, they receive nothing.
     */
    private final Map<String, PacketSocket> senders = new HashMap<>();
    /** Senders whose device was replaced under the same name (the link engine does that); closed at the end. */
    private final List<PacketSocket> stale = new ArrayList<>();
    private final FramePool pool = new FramePool();
    private final Arena arena = Arena.ofShared();
    private final HoldMarker marker = new HoldMarker(arena);
    /** A release runs on one CPU: see {@link CpuPin} and the marker sent before the rule change. */
    private final CpuPin cpuPin = new CpuPin(arena);
    private final ReceiveContext receiveContext = new ReceiveContext(arena);
    private final Thread thread;
    private final PollSet<HoldSlot> pollSet = new PollSet<>(mailbox);
    /** Kept once, so that waiting allocates nothing. */
    private final Consumer<HoldSlot> receive = this::receiveBurst;

    HoldLoop(Consumer<String> log) {
        this.log = log;
        // Held frames are sent from this thread during a release, and new ones pass through it meanwhile: the
        // raised priority the mailbox gives its loop keeps that prompt on a busy machine.
        this.thread = Thread.ofPlatform().name("mignet-hold").daemon()
                .unstarted(() -> mailbox.serve(this::turn, log));
        thread.start();
    }

    /** Opens the sockets of a new hold device pair ({@code device} and its veth peer) and serves it. */
    HoldSlot attach(String device, String peer) {
        return mailbox.call(() -> {
            PacketSocket reader = PacketSocket.open(peer);
            PacketSocket injector;
            try {
                injector = PacketSocket.openForSending(device);
            } catch (RuntimeException e) {
                reader.close();
                throw e;
            }
            HoldSlot slot = new HoldSlot(device, reader, injector);
            slots.add(slot);
            pollSet.rebuild(slots, s -> s.reader.fd());
            return slot;
        });
    }

    /** Starts holding on a slot: an empty queue of at most {@code limit} frames. Returns the first-frame signal. */
    CompletableFuture<Void> start(HoldSlot slot, int limit) {
        return mailbox.call(() -> {
            discardQueue(slot);
            slot.clearTarget();
            slot.mode = HoldSlot.Mode.HOLDING;
            slot.limit = limit;
            slot.startedAt = System.nanoTime();
            slot.frames = slot.bytes = slot.overflow = slot.released = slot.sendErrors = slot.strays = 0;
            slot.framesAtRuleChange = 0;
            slot.waitCount = 0;
            slot.readAt = 0;
            slot.blockedSince = -1;
            slot.markerSeen = false;
            slot.markerPending = false;
            slot.releasing = false;
            slot.drained = null;
            slot.finished = null;
            slot.firstFrame = new CompletableFuture<>();
            return slot.firstFrame;
        });
    }

    /**
     * Sends the slot's queue out of switch port {@code port}, in order, and from now on every frame that arrives
     * right behind it. Returns a signal completed when the queue is empty. {@code startedAt} is when the release
     * began, for its report.
     */
    CompletableFuture<Void> forward(HoldSlot slot, String port, long startedAt) {
        return mailbox.call(() -> {
            if (slot.mode == HoldSlot.Mode.IDLE) {
                throw new IllegalStateException("the hold on " + slot.device + " has ended");
            }
            // This thread lives in the fabric namespace (see HoldEngine), so the port's name resolves here.
            PacketSocket target = sender(port);
            slot.target = target;
            slot.targetName = port;
            if (slot.mode == HoldSlot.Mode.HOLDING) {
                slot.releaseStartedAt = startedAt;
            }
            slot.releasing = true;
            cpuPin.pin();
            // Frames waiting in the socket (read in batches while holding) join the queue first, in order.
            receiveBurst(slot);
            slot.mode = HoldSlot.Mode.FORWARDING;
            CompletableFuture<Void> drained = new CompletableFuture<>();
            slot.drained = drained;
            flush(slot, System.nanoTime());
            return drained;
        });
    }

    /**
     * Called once the rules no longer send frames to the slot: sends a marker frame along the held frames' path;
     * the returned report completes when the marker came back and every frame before it went out. Frames that
     * still arrive later are forwarded too (the slot keeps forwarding until it is reused).
     */
    CompletableFuture<HoldReport> finish(HoldSlot slot) {
        return mailbox.call(() -> {
            if (slot.mode != HoldSlot.Mode.FORWARDING) {
                throw new IllegalStateException("the hold on " + slot.device + " is not being released");
            }
            slot.ruleChangedAt = System.nanoTime();
            slot.framesAtRuleChange = slot.frames;
            CompletableFuture<HoldReport> finished = new CompletableFuture<>();
            slot.finished = finished;
            sendMarker(slot);
            completeIfDone(slot);
            return finished;
        });
    }

    /** A socket sending out of {@code port}'s current device. */
    private PacketSocket sender(String port) {
        PacketSocket s = senders.get(port);
        int index = NativeCalls.ifNameToIndex(port);
        if (s != null && s.interfaceIndex() == index) {
            return s;
        }
        if (s != null) {
            stale.add(s);
        }
        s = PacketSocket.openForSending(port);
        senders.put(port, s);
        return s;
    }

    /**
     * Sends a new marker frame along the held frames' path; {@code markerSeen} turns true when it came back. If it
     * cannot be sent, it counts as seen (with a log line): waiting for it would only stall the release.
     */
    private void sendMarker(HoldSlot slot) {
        slot.markerSequence++;
        slot.markerSeen = false;
        slot.markerPending = true;
        long sent = slot.injector.send(marker.withSequence(slot.markerSequence), HoldMarker.BYTES);
        if (sent < 0) {
            log.accept("!!! frame hold: cannot send a marker on " + slot.device + " ("
                    + NativeCalls.strerror((int) -sent) + "); frames still on their way may be overtaken");
            slot.markerSeen = true;
            slot.markerPending = false;
        }
    }

    /** The report now, for a caller that waited too long for the marker. */
    HoldReport reportNow(HoldSlot slot) {
        return mailbox.call(() -> {
            slot.releasing = false;
            slot.finished = null;
            if (slots.stream().noneMatch(o -> o.releasing)) {
                cpuPin.release();
            }
            return report(slot, System.nanoTime());
        });
    }

    /** Ends whatever the slot does; queued frames are dropped. */
    void idle(HoldSlot slot) {
        mailbox.call(() -> {
            discardQueue(slot);
            slot.clearTarget();
            slot.mode = HoldSlot.Mode.IDLE;
            slot.releasing = false;
            if (slots.stream().noneMatch(o -> o.releasing)) {
                cpuPin.release();
            }
            return null;
        });
    }

    /** Retries blocked sends, then waits for frames or commands (or the next retry or batched read). */
    private void turn() {
        long now = System.nanoTime();
        long wait = retryBlocked() ? RETRY_NANOS : Long.MAX_VALUE;
        wait = Math.min(wait, pauseHoldingReads(now));
        pollSet.await(wait, receive);
    }

    /** Tries the queues whose target was full again; true while one still is. */
    private boolean retryBlocked() {
        boolean blocked = false;
        long now = System.nanoTime();
        for (HoldSlot s : slots) {
            if (s.mode == HoldSlot.Mode.FORWARDING && !s.queue.isEmpty()) {
                flush(s, now);
                blocked |= !s.queue.isEmpty();
            }
        }
        return blocked;
    }

    /**
     * Leaves out of the poll set the slots that only hold and were read less than {@link #HOLDING_READ_NANOS}
     * ago; returns the time until the first of them is due again, or {@link Long#MAX_VALUE}.
     */
    private long pauseHoldingReads(long now) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < pollSet.size(); i++) {
            HoldSlot s = pollSet.member(i);
            boolean paused = s.mode == HoldSlot.Mode.HOLDING && s.readAt + HOLDING_READ_NANOS > now;
            pollSet.setListening(i, !paused);
            if (paused) {
                next = Math.min(next, s.readAt + HOLDING_READ_NANOS - now);
            }
        }
        return next;
    }

    private void receiveBurst(HoldSlot s) {
        receiveContext.calibrate();
        // The first frame is reported at once (a migration may wait for it); later ones are read in batches.
        s.readAt = s.frames == 0 ? 0 : System.nanoTime();
        int burst = s.mode == HoldSlot.Mode.HOLDING ? HOLDING_BURST : BURST;
        for (int k = 0; k < burst; k++) {
            long n = s.reader.receive(pool.receiveBuffer(), receiveContext);
            if (n < 0) {
                break;
            }
            long now = receiveContext.arrival(System.nanoTime());
            if (n > pool.receiveBuffer().byteSize() || n <= PacketSocket.VNET_HDR) {
                s.overflow++; // truncated: cannot be sent on intact
                continue;
            }
            if (HoldMarker.matches(pool.receiveBuffer(), n, s.markerSequence)) {
                s.markerSeen = true;
                s.markerPending = false;
                continue;
            }
            if (s.mode == HoldSlot.Mode.IDLE) {
                s.strays++;
                continue;
            }
            if (s.queue.size() >= s.limit
                    || s.queuedBufferBytes + FramePool.bufferBytes(n) > QUEUE_BUFFER_BYTES) {
                s.overflow++;
                continue;
            }
            Frame f = pool.keepReceived(n);
            f.length = (int) n;
            f.arrivedAt = now;
            s.queuedBufferBytes += f.buffer.byteSize();
            s.queue.add(f);
            s.frames++;
            s.bytes += n - PacketSocket.VNET_HDR;
            if (s.frames == 1) {
                s.firstFrame.complete(null);
            }
        }
        if (s.mode == HoldSlot.Mode.FORWARDING) {
            flush(s, System.nanoTime());
        } else {
            s.queued = s.queue.size();
        }
    }

    /** Sends the queue's frames out of the target in order until it is empty or the target is full. */
    private void flush(HoldSlot s, long now) {
        Frame f;
        while ((f = s.queue.peek()) != null) {
            long r = s.target.send(f.buffer, f.length);
            if (r == -Native.ENOBUFS || r == -Native.EAGAIN) {
                // The port's queue (a tbf, the peer's backlog) is full: the frame was not sent; try again soon.
                if (s.blockedSince < 0) {
                    s.blockedSince = now;
                }
                if (now - s.blockedSince < GIVE_UP_NANOS) {
                    break;
                }
                s.sendErrors++;
            } else if (r < 0) {
                s.sendErrors++; // e.g. ENETDOWN: the port is down
            } else {
                s.released++;
                s.recordWait(System.nanoTime() - f.arrivedAt);
            }
            s.blockedSince = -1;
            s.queue.poll();
            s.queuedBufferBytes -= f.buffer.byteSize();
            pool.give(f);
        }
        s.queued = s.queue.size();
        if (s.queue.isEmpty() && s.drained != null) {
            // Frames sent here wait in this CPU's backlog until softirq work delivers them, later under load
            // (ksoftirqd). A marker sent now through the hold device passes the same backlog behind them: when
            // it is back, they have been delivered, and a rule change can no longer let new frames overtake them.
            if (s.markerSeen) {
                s.drained.complete(null);
                s.drained = null;
            } else if (!s.markerPending) {
                sendMarker(s);
            }
        }
        completeIfDone(s);
    }

    private void completeIfDone(HoldSlot s) {
        if (s.finished != null && s.markerSeen && s.queue.isEmpty()) {
            s.releasing = false;
            s.finished.complete(report(s, System.nanoTime()));
            s.finished = null;
            if (slots.stream().noneMatch(o -> o.releasing)) {
                cpuPin.release();
            }
        }
    }

    private HoldReport report(HoldSlot s, long now) {
        long[] waits = Arrays.copyOf(s.waits, s.waitCount);
        Arrays.sort(waits);
        long longest = waits.length == 0 ? 0 : waits[waits.length - 1];
        long median = waits.length == 0 ? 0 : waits[waits.length / 2];
        long ruleChange = s.ruleChangedAt == 0 ? now : s.ruleChangedAt;
        return new HoldReport(s.targetName, s.frames, s.bytes, Duration.ofNanos(longest), Duration.ofNanos(median),
                s.overflow, s.released, s.sendErrors, s.frames - s.framesAtRuleChange,
                Duration.ofNanos(ruleChange - s.startedAt), Duration.ofNanos(now - s.releaseStartedAt));
    }

    private void discardQueue(HoldSlot s) {
        Frame f;
        while ((f = s.queue.poll()) != null) {
            pool.give(f);
        }
        s.queued = 0;
        s.queuedBufferBytes = 0;
    }

    @Override
    public void close() {
        if (!mailbox.stopAndJoin(thread, log)) {
            return;
        }
        IllegalStateException closed = new IllegalStateException("the emulation closed during the frame hold");
        for (HoldSlot s : slots) {
            for (CompletableFuture<?> waiting : List.of(s.firstFrame,
                    s.drained == null ? s.firstFrame : s.drained,
                    s.finished == null ? s.firstFrame : s.finished)) {
                waiting.completeExceptionally(closed);
            }
            s.queue.clear();
            s.reader.close();
            s.injector.close();
        }
        slots.clear();
        senders.values().forEach(PacketSocket::close);
        stale.forEach(PacketSocket::close);
        mailbox.close();
        pollSet.close();
        pool.close();
        arena.close();
    }
}
