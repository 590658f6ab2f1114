package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.mignet.topo.LinkParams;

/**
 * The userspace engine's one thread, serving every engine link of an emulation: it waits in {@code ppoll} on
 * all packet sockets with a timeout of the next release time (so an idle engine sleeps), receives frames in
 * bursts, decides their fate, holds them in one {@link TimerQueue} and sends each when it is due. Other
 * threads change the set of links only through commands run by this thread, so its state needs no locks.
 */
final class EngineLoop implements AutoCloseable {
    private static final int BURST = 64;
    /**
     * Waking from a timed sleep takes tens to hundreds of microseconds on a busy (virtual) machine, which would
     * add to every delay; so the loop sleeps until this long before the next release and polls without
     * sleeping from there. Costs CPU only while frames are held, never when the links are idle.
     */
    private static final long SPIN_NANOS = Long.getLong("mignet.linkemu.spinNanos", 300_000);

    private record EngineLink(int index, PacketSocket a, PacketSocket b, Direction aToB, Direction bToA) {
        boolean owns(Frame f) {
            return f.direction == aToB || f.direction == bToA;
        }
    }

    private final Consumer<String> log;
    private final LoopMailbox mailbox = new LoopMailbox("the userspace link engine");
    private final Map<Integer, EngineLink> links = new LinkedHashMap<>();
    private final TimerQueue queue = new TimerQueue();
    private final FramePool pool = new FramePool();
    private final Arena arena = Arena.ofShared();
    private final ReceiveContext receiveContext = new ReceiveContext(arena);
    private final PollSet<Direction> pollSet = new PollSet<>(mailbox);
    /** Kept once, so that waiting allocates nothing. */
    private final Consumer<Direction> receive = this::receiveBurst;
    private final Thread thread;

    EngineLoop(Consumer<String> log) {
        this.log = log;
        this.thread = Thread.ofPlatform().name("mignet-linkemu").daemon()
                .unstarted(() -> mailbox.serve(this::turn, log));
        thread.start();
    }

    /** Starts forwarding between two sockets: frames arriving on {@code a} leave through {@code b} and back. */
    void attach(int index, PacketSocket a, PacketSocket b, LinkParams aToB, LinkParams bToA, long seed) {
        call(() -> {
            Direction forward = new Direction("a->b", a, b, new Impairment(aToB, seed * 2 + 1));
            Direction backward = new Direction("b->a", b, a, new Impairment(bToA, seed * 2 + 2));
            links.put(index, new EngineLink(index, a, b, forward, backward));
            rebuildPollSet();
            return null;
        });
    }

    boolean isAttached(int index) {
        return call(() -> links.containsKey(index));
    }

    /** New parameters for a link; frames already held keep their release times. */
    void update(int index, LinkParams aToB, LinkParams bToA) {
        call(() -> {
            EngineLink link = links.get(index);
            link.aToB.impairment.update(aToB);
            link.bToA.impairment.update(bToA);
            link.aToB.late.reset();
            link.bToA.late.reset();
            return null;
        });
    }

    List<DirectionStats> stats(int index) {
        return call(() -> {
            EngineLink link = links.get(index);
            return link == null ? List.of() : List.of(link.aToB.stats(), link.bToA.stats());
        });
    }

    /** CPU time the engine thread has used, for measuring its idle cost. */
    long cpuTimeNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx.getThreadCpuTime(thread.threadId());
    }

    /** Bytes of frame buffers allocated so far (peak memory of held frames). */
    long bufferBytes() {
        return call(pool::allocatedBytes);
    }

    private <T> T call(Supplier<T> action) {
        return mailbox.call(action);
    }

    /** Sends what is due, then waits for frames, commands or the next release. */
    private void turn() {
        releaseDue(System.nanoTime());
        pollSet.await(timeoutNanos(), receive);
    }

    /** How long to wait: until the next release, or forever ({@link Long#MAX_VALUE}) when nothing waits. */
    private long timeoutNanos() {
        long next = queue.nextRelease();
        if (next == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, next - System.nanoTime() - SPIN_NANOS);
    }

    private void rebuildPollSet() {
        List<Direction> directions = new ArrayList<>();
        for (EngineLink l : links.values()) {
            directions.add(l.aToB);
            directions.add(l.bToA);
        }
        pollSet.rebuild(directions, d -> d.in.fd());
    }

    /** Receives up to a burst of frames from one direction. */
    private void receiveBurst(Direction d) {
        Impairment im = d.impairment;
        receiveContext.calibrate();
        for (int k = 0; k < BURST; k++) {
            long n = d.in.receive(pool.receiveBuffer(), receiveContext);
            if (n < 0) {
                break; // EAGAIN: drained; ENETDOWN and the like: the device went down, nothing to read.
            }
            long now = receiveContext.arrival(System.nanoTime());
            d.received++;
            if (n > pool.receiveBuffer().byteSize() || n <= PacketSocket.VNET_HDR) {
                d.overLimit++;
                continue;
            }
            if (im.lose()) {
                d.lost++;
                continue;
            }
            int copies = 1;
            if (im.duplicate()) {
                copies = 2;
                d.duplicated++;
            }
            for (int c = 0; c < copies; c++) {
                if (d.queued >= im.queueLimit()) {
                    d.overLimit++;
                    continue;
                }
                Frame f = c == copies - 1 ? pool.keepReceived(n) : pool.copyReceived(n);
                f.length = (int) n;
                f.direction = d;
                f.releaseAt = im.releaseTime(now);
                if (im.corrupt()) {
                    FrameCorruptor.corrupt(f.buffer, f.length, im);
                    d.corrupted++;
                }
                d.queued++;
                queue.add(f);
            }
        }
    }

    private void releaseDue(long now) {
        Frame f;
        while ((f = queue.pollDue(now)) != null) {
            Direction d = f.direction;
            if (d.out.send(f.buffer, f.length) < 0) {
                d.sendErrors++; // e.g. ENETDOWN while the link is cut, ENOBUFS when tbf is full
            } else {
                d.sent++;
                d.late.record(System.nanoTime() - f.releaseAt);
            }
            d.queued--;
            pool.give(f);
        }
    }

    @Override
    public void close() {
        if (!mailbox.stopAndJoin(thread, log)) {
            return;
        }
        for (EngineLink l : links.values()) {
            l.a.close();
            l.b.close();
        }
        links.clear();
        mailbox.close();
        pollSet.close();
        pool.close();
        arena.close();
    }
}
