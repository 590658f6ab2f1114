package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.mignet.topo.LinkParams;

/**
 * One thread of the userspace engine, serving some of the engine links of an emulation (both directions of each,
 * so each direction keeps its order): it receives frames in bursts (from receive rings, without a system call
 * per frame), decides their fate, holds them in one {@link TimerQueue} and sends each when it is due. It waits
 * on its sockets (a {@link PollSet}) with a timeout of the next release time (so an idle engine sleeps), and polls
 * without sleeping only just before a release and for a moment after the last frame. Other threads change the
 * set of links only through commands run by this thread, so its state needs no locks.
 */
final class EngineLoop implements AutoCloseable {
    private static final int BURST = 64;
    /**
     * How long a flooded thread sleeps between reads of its rings: a release may be this late; the rings' 1 024
     * slots hold 50 us of frames at 20 Mpps, and the wake-ups (20 000/s) cost less than one per frame.
     */
    private static final long COALESCE_NANOS = 50_000;
    /**
     * A thread that sleeps longer than this until a release primes the send path before it ({@link #primeSend}):
     * measured, the path from the end of a wait to the send's system call took 3 us (p50) after waits of 20 us-1 ms
     * and 19 us after waits over 1 ms.
     */
    static final long PRIME_AFTER_NANOS = 1_000_000;
    /** How much earlier such a thread wakes, to prime: the first, cold pass takes 20-60 us. */
    static final long PRIME_LEAD_NANOS = 100_000;
    /** The most polling a thread saves up: a few release spins and after-frame polls in a row. */
    private static final long SPIN_BUDGET_CAP_NANOS = 2_000_000;
    /**
     * A frame this long after the one before came alone. After a CPU-bound program was seen ({@link PollYield}) the
     * thread sleeps right after such a frame instead of polling: in a flood (frames 10-40 us apart) the polls and
     * their yields keep the flow's processes running, and skipping them after every frame of it cut two 64-byte
     * floods on two threads from 0.86-0.94 to 0.51-0.54 of plain.
     */
    private static final long SPARSE_GAP_NANOS = 100_000;
    /** Frames per wake-up from which reading the rings on a timer pays (see {@link #coalescedWait}). */
    private static final int COALESCE_MIN_FRAMES = 16;
    /** IEEE 802 local experimental EtherType 1: no protocol handler takes the warm-up's frames. */
    static final int EXPERIMENTAL_ETHERTYPE = 0x88B5;
    /** IEEE 802 local experimental EtherType 2, which no one sends: a socket bound to it stays idle. */
    static final int IDLE_ETHERTYPE = 0x88B6;
    /** One warm-up round in this many (plus one) holds its frame long enough to sleep and prime before it. */
    private static final long WARM_UP_HELD_EVERY = 255;
    /** One warm-up round in this many (plus one) holds its frame a quarter of the spin window. */
    private static final long WARM_UP_HELD_BRIEFLY_EVERY = 31;
    /**
     * One warm-up round in this many (plus one) wakes its wait through the mailbox: never woken so in the warm-up,
     * C2 compiled that branch of {@link PollSet#await} as a trap, and the command that attached the first link
     * threw the compiled wait away.
     */
    private static final long WARM_UP_NUDGED_EVERY = 15;
    /** A warm-up whose frame has not come back for this long has lost it. */
    private static final long WARM_UP_STALL_NANOS = 20_000_000;
    /** A minimum Ethernet frame (without FCS) behind its virtio header. */
    static final int WARM_UP_FRAME_BYTES = PacketSocket.VNET_HDR + 60;

    private record EngineLink(int index, PacketSocket a, PacketSocket b, Direction aToB, Direction bToA) {
    }

    private final Consumer<String> log;
    private final EngineSettings settings;
    private final LoopMailbox mailbox = new LoopMailbox("the userspace link engine");
    private final Map<Integer, EngineLink> links = new LinkedHashMap<>();
    private final List<Direction> directions = new ArrayList<>();
    private final TimerQueue queue = new TimerQueue();
    private final FramePool pool = new FramePool();
    private final Arena arena = Arena.ofShared();
    private final ReceiveContext receiveContext = new ReceiveContext(arena);
    private final LoopbackPrimer primer = new LoopbackPrimer(arena);
    /** The release the send path was last primed for: the thread polls from then on until it is due. */
    private long primedRelease = Long.MIN_VALUE;
    private final PollSet<Direction> pollSet = new PollSet<>(mailbox);
    /** Kept once, so that waiting allocates nothing. */
    private final Consumer<Direction> receive = this::receiveBurst;
    private final SendBatch.Outcome sentOne = this::sentOne;
    /** Directions with frames in their batch, to send at the end of a release. */
    private final List<Direction> batched = new ArrayList<>();
    /** The direction whose batch is being sent, and when its sending began, for {@link #sentOne}. */
    private Direction sending;
    private long sendingAt;
    private final Thread thread;
    /** Every direction reads through a ring, so a busy poll needs no system call. */
    private boolean allRings = true;
    /**
     * A busy poll looks at every ring's next slot itself; else it asks the {@link PollSet} which are ready (one
     * system call). Only up to {@link #SCAN_RINGS_UP_TO} directions: each look at an idle ring is a cache and TLB
     * miss, since the kernel writes the rings. With 102 links on each of two threads, a 0 ms link added 0.086 and
     * 0.106 ms of round trip (p50, two runs) while each poll scanned, 0.032 and 0.062 ms asking (0.027-0.040 ms
     * with one link a thread).
     */
    private boolean scanRings = true;
    static final int SCAN_RINGS_UP_TO = 16;
    /**
     * When the last frame arrived (nanoTime), for the busy-poll window after it. Not after a frame sent: the
     * process it wakes is often placed on this thread's CPU, where a poll at nice -10 kept it waiting (seen, before
     * polls yielded: RTT error through a 5 ms link 0.31 ms with a 300 us poll after each send, 0.10-0.18 ms
     * without); and what answers a frame held for a delay arrives to be held too, so nothing is gained.
     */
    private long lastFrameAt = Long.MIN_VALUE / 2;
    /** Whether the last frame came alone, {@link #SPARSE_GAP_NANOS} or more after the one before. */
    private boolean sparseFrame;
    private final SpinBudget spinBudget;
    private SpinWindow spinWindow;
    private FloodMode floodMode;
    private final SmallFrameFlood smallFrameFlood;
    private PollYield pollYield = PollYield.ofThread();
    private final AwakeCpus awakeCpus;
    private final RealtimeClass realtimeClass;
    /** During the warm-up: this turn takes the sleeping branch, as a frame that wakes the thread does. */
    private boolean warmUpSleeping;
    /**
     * How long a wait with nothing held lasts: forever, except in the warm-up. A value rather than a test of
     * "warming up" in {@link #timeoutNanos}: C2 compiles a branch the warm-up never took as a trap, and the first
     * real wait then threw the compiled loop away (seen: an uncommon trap in {@code timeoutNanos} in every run,
     * and the loop ran uncompiled for the next two seconds, with RTT probes through a 0 ms link 0.3-4 ms late).
     */
    private long idleWaitNanos = Long.MAX_VALUE;
    /** Whether directions that hold nothing take their kernel path (see {@link #useKernelPath}). */
    private volatile boolean kernelPathOn;
    /** Frames read so far (all directions), to tell how many a wake-up found. */
    private long receivedFrames;
    /** A flooded thread reads its rings on a timer while that finds enough frames per wake-up. */
    private boolean coalescing;

    EngineLoop(Consumer<String> log, EngineSettings settings, String threadName) {
        this.log = log;
        this.settings = settings;
        this.spinBudget = new SpinBudget(settings.spinPercent(), SPIN_BUDGET_CAP_NANOS, System.nanoTime());
        this.floodMode = new FloodMode(System.nanoTime());
        this.smallFrameFlood = new SmallFrameFlood(System.nanoTime());
        this.awakeCpus = new AwakeCpus(settings.awakeCpus(), log);
        this.realtimeClass = new RealtimeClass(settings.priority(), log);
        this.spinWindow = new SpinWindow(settings.spinNanos());
        this.kernelPathOn = settings.kernelPath();
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(() -> {
            realtimeClass.start();
            try {
                mailbox.serve(this::turn, log);
            } finally {
                awakeCpus.close(); // also when the loop died: a request left held keeps every idle CPU polling
            }
        });
        thread.start();
    }

    /**
     * Starts forwarding between two sockets: frames arriving on {@code a} leave through {@code b} and back. Each
     * direction's kernel path (or null) is taken whenever that direction's parameters hold nothing; its loss draws
     * from the same seed as the engine's ({@link #directionSeed}). The thread owns the sockets and kernel paths from
     * then on; if this throws, the caller still does.
     */
    void attach(int index, PacketSocket a, PacketSocket b, LinkParams aToB, LinkParams bToA, long seed,
            KernelPath aToBKernel, KernelPath bToAKernel) {
        call(() -> {
            Direction forward = new Direction("a->b", a, b, new Impairment(aToB, directionSeed(seed, true)),
                    new SendBatch(arena), aToBKernel);
            Direction backward = new Direction("b->a", b, a, new Impairment(bToA, directionSeed(seed, false)),
                    new SendBatch(arena), bToAKernel);
            links.put(index, new EngineLink(index, a, b, forward, backward));
            try {
                rebuildPollSet();
                choosePath(forward, aToB);
                choosePath(backward, bToA);
            } catch (RuntimeException e) {
                // Not taken after all: the caller still owns the sockets and closes them.
                links.remove(index);
                rebuildPollSet();
                throw e;
            }
            return null;
        });
    }

    /** Whether directions that hold nothing take their kernel path from their next change on. */
    void useKernelPath(boolean on) {
        kernelPathOn = on;
    }

    /** The seed of a link's direction a->b ({@code forward}) or b->a, from the link's seed. */
    static long directionSeed(long linkSeed, boolean forward) {
        return linkSeed * 2 + (forward ? 1 : 2);
    }

    /**
     * Asks for the kernel path when {@code p} holds nothing and the settings allow it, else for the engine's. The
     * kernel takes over once the engine has handed on what it holds ({@link #handOverIfDone}).
     */
    private void choosePath(Direction d, LinkParams p) {
        KernelPath k = d.kernelPath;
        if (k == null) {
            return;
        }
        if (kernelPathOn && KernelPathParams.holdsNothing(p)) {
            double loss = KernelPathParams.lossFraction(p);
            if (k.kernelRequested()) {
                k.setLoss(loss);
            } else {
                k.requestKernel(loss, -1);
                d.draining = true;
                handOverIfDone(d);
            }
        } else if (k.kernelRequested()) {
            k.requestEngine();
            d.draining = false;
        }
    }

    /**
     * While a direction hands over to its kernel path: once it holds nothing and has taken (or the kernel has
     * dropped) every frame the filter gave it, it tells the filter so, and the kernel path starts with the next
     * frame. The filter counts a frame before the kernel has put it in the ring, and two CPUs may fill slots out
     * of order, so an empty ring would not do. Frames the engine has sent may in rare cases still wait in a CPU's
     * backlog (the kernel deferred it to {@code ksoftirqd}), where a frame the kernel forwards meanwhile from
     * another CPU could pass them.
     */
    private void handOverIfDone(Direction d) {
        KernelPath k = d.kernelPath;
        if (k.inKernel()) {
            d.draining = false;
            return;
        }
        if (d.queued > 0) {
            return;
        }
        long given = k.toEngine();
        if (given == d.received + d.in.kernelDropsSoFar()) {
            k.engineDone(given);
        }
    }

    /**
     * Runs this thread's loop (wait or poll, take from a ring, decide, hold, release, send, count) over {@code
     * frames} frames, or for at most {@code budgetNanos}, before any link is attached, so the JIT compiles it before
     * the first real frame needs it. Without this a sparse link's frames ran it interpreted (the bench's RTT probes,
     * a few hundred frames, never reach the compile thresholds): seen in traces, 60-80 us from the end of the
     * release spin to the send's system call and about 100 us per frame read, most of it in interpreted FFM calls
     * and memory-segment accesses. The frames go round through {@link #turn} itself, every other one through its
     * sleeping branch (the {@link PollSet} wait, which finds the frame back already) and the others through its
     * polling one (scanning the rings or asking the set, in turn): warmed by a loop of its own that only polled,
     * the wait, its system call and the hand-over of ready sockets stayed interpreted, and a frame that woke the
     * thread took 43 us (p50, 88 us p90) from the end of the wait to its {@code sendmmsg} through a 0 ms link. One
     * frame circulates through {@code loopback}, a socket on the fabric namespace's {@code lo} (what it sends comes
     * back into its ring), with an experimental EtherType that no protocol takes, so nothing beyond that namespace's
     * loopback sees it. {@code idle} (a socket with a ring that receives nothing, or null) is polled beside it: a
     * real thread serves two directions per link, mostly one busy and one idle at a time, and warmed on one
     * direction only, the compiled wait had never seen a socket not ready and was thrown away at the first real
     * frame (seen: an uncommon trap in {@code PollSet.await}, and the first of three rounds of 0 ms probes added
     * 79 us at p50 against 60-61 us for the next two). Returns the frames sent: {@code frames}, or one more when
     * the last turn slept (it sends the frame due at its start and then the one that woke it).
     */
    long warmUp(PacketSocket loopback, PacketSocket idle, int frames, long budgetNanos) {
        return call(() -> {
            if (!links.isEmpty() || !loopback.hasRing() || (idle != null && !idle.hasRing())) {
                return 0L; // the queue and counters are shared with real links; without a ring, nothing to warm
            }
            LinkParams immediate = LinkParams.NONE.withQueueLimit(4);
            // Long enough to sleep, and to prime the send path before the release.
            LinkParams held = immediate.withDelay(java.time.Duration.ofNanos(PRIME_AFTER_NANOS
                    + settings.spinNanos() * 2));
            // Due within the spin window: the thread polls its rings empty, several times in a row, until it is.
            LinkParams heldBriefly = immediate.withDelay(java.time.Duration.ofNanos(settings.spinNanos() / 4));
            Direction d = new Direction("warm-up", loopback, loopback, new Impairment(immediate, 0),
                    new SendBatch(arena));
            Frame first = pool.takeSmall();
            first.buffer.asSlice(0, WARM_UP_FRAME_BYTES).fill((byte) 0);
            first.buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                    PacketSocket.VNET_HDR + 12, (short) EXPERIMENTAL_ETHERTYPE);
            first.length = WARM_UP_FRAME_BYTES;
            hold(d, first);
            directions.clear();
            directions.add(d);
            if (idle != null) {
                directions.add(new Direction("warm-up idle", idle, idle, new Impairment(immediate, 0),
                        new SendBatch(arena)));
            }
            allRings = true;
            scanRings = true;
            pollSet.rebuild(directions, x -> x.in.fd());
            long deadline = System.nanoTime() + budgetNanos;
            long progressAt = System.nanoTime();
            // Both of AwakeCpus's and RealtimeClass's changes once before the loop is compiled: they come only
            // after seconds without frames or at a flood, and C2 would else compile them as traps that throw the
            // loop away there.
            awakeCpus.update(progressAt, progressAt);
            awakeCpus.update(progressAt - AwakeCpus.HOLD_NANOS, progressAt);
            realtimeClass.flooded(true);
            realtimeClass.waited(RealtimeClass.SPARSE_AGAIN_NANOS);
            long sent = 0;
            // Stops for a command posted meanwhile: it must not run inside the warm-up (a wait would run it).
            for (long now = progressAt, round = 0; d.sent < frames && now < deadline && !mailbox.hasCommands();
                    now = System.nanoTime(), round++) {
                warmUpSleeping = (round & 1) == 0;
                scanRings = (round & 2) == 0; // both ways of polling compiled, whatever the thread will serve
                // The frame is back in the ring already, or lost: a sleeping turn never waits for it, and no wait
                // lasts long (a frame lost without an error to wake the wait would else keep the warm-up waiting
                // for good, and the caller, given up on it, would close the sockets under it).
                idleWaitNanos = warmUpSleeping ? 0 : WARM_UP_STALL_NANOS;
                // Now and then a frame held for a while, so that waiting for a release (a timed wait, then a
                // poll until it is due) is compiled too rather than left to a deoptimization by the first one.
                d.impairment.update((round & WARM_UP_HELD_EVERY) == 0 ? held
                        : (round & WARM_UP_HELD_BRIEFLY_EVERY) == 1 ? heldBriefly : immediate);
                if ((round & WARM_UP_NUDGED_EVERY) == 4) {
                    mailbox.nudge(); // a sleeping round: its wait returns for the mailbox, which has no command
                }
                turn();
                if (d.sent != sent) {
                    sent = d.sent;
                    progressAt = now;
                } else if (now - progressAt > WARM_UP_STALL_NANOS) {
                    break; // the frame was lost (lo down, a send refused): nothing more will come
                }
            }
            warmUpSleeping = false;
            idleWaitNanos = Long.MAX_VALUE;
            queue.remove(f -> f.direction == d, pool::give);
            rebuildPollSet();
            long now = System.nanoTime();
            receivedFrames = 0;
            lastFrameAt = Long.MIN_VALUE / 2;
            awakeCpus.update(lastFrameAt, now); // the warm-up's frames are no traffic
            realtimeClass.waited(RealtimeClass.SPARSE_AGAIN_NANOS); // its busy rounds may have looked like a flood
            coalescing = false;
            floodMode = new FloodMode(now);
            smallFrameFlood.slept(now);
            spinWindow = new SpinWindow(settings.spinNanos());
            pollYield = PollYield.ofThread(); // its yields may have gone to the JIT's compiler threads
            return d.sent;
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
            choosePath(link.aToB, aToB);
            choosePath(link.bToA, bToA);
            return null;
        });
    }

    List<DirectionStats> stats(int index) {
        return call(() -> {
            EngineLink link = links.get(index);
            if (link == null) {
                return List.of();
            }
            for (Direction d : List.of(link.aToB, link.bToA)) {
                d.overLimit += d.in.takeRingDrops();
            }
            return List.of(link.aToB.stats(), link.bToA.stats());
        });
    }

    /**
     * The direction toward end a ({@code towardA}) or b of a link, read in this thread, so that its counters, queue
     * and ring agree; empty when it reads without a ring (whether frames wait would need a system call).
     */
    Optional<LinkTransit> transit(int index, boolean towardA) {
        return call(() -> {
            EngineLink link = links.get(index);
            if (link == null) {
                return Optional.of(LinkTransit.NOT_CARRIED);
            }
            Direction d = towardA ? link.bToA : link.aToB;
            if (!d.in.hasRing()) {
                return Optional.empty();
            }
            return Optional.of(new LinkTransit(true, d.carried(), d.handedOn(), d.queued, !d.in.hasFrameInRing()));
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

    /**
     * Sends what is due, then waits for frames, commands or the next release; or, close before a release or
     * right after a frame came, looks for frames without sleeping (in the rings' memory when it can), as
     * long as the {@link SpinBudget} allows. Not right after a frame that came alone while {@link PollYield} has
     * lately seen a CPU-bound program take the CPU.
     */
    private void turn() {
        long now = System.nanoTime();
        releaseDue(now);
        long next = queue.nextRelease();
        boolean releaseNear = next != Long.MAX_VALUE && (next - now <= spinWindow.nanos() || next == primedRelease);
        boolean afterFrame = now - lastFrameAt < settings.busyPollNanos()
                && !(sparseFrame && pollYield.skipsPolls(floodMode.isFlooded(), now));
        boolean wanted = !warmUpSleeping && (afterFrame || releaseNear);
        // Polling as long as the budget allows, flooded or not: on a quiet machine a thread that polls through a
        // flood forwarded TCP and 64-byte UDP faster and its frames left on time (p50 1-80 us; 0.2-2.4 ms when it
        // slept until each release instead). With a budget below 100 %, a flooded thread out of budget reads its
        // rings on a timer (coalescedWait), which leaves more of a busy machine to the hosts.
        boolean allowed = spinBudget.allows(now);
        if (wanted && allowed && !mailbox.hasCommands()) {
            long receivedBefore = receivedFrames;
            boolean found = receiveReady();
            smallFrameFlood.received(now, receivedFrames - receivedBefore);
            pollYield.looked(found);
            if (found) {
                spinBudget.endRun();
            } else {
                spinBudget.empty(now);
                if (releaseNear) {
                    Thread.onSpinWait();
                } else {
                    pollYield.betweenPolls(floodMode.isFlooded());
                }
            }
            floodMode.busy(now);
            realtimeClass.flooded(floodMode.isFlooded());
            return;
        }
        spinBudget.endRun();
        if (floodMode.isFlooded() && allRings && next != Long.MAX_VALUE && coalescing) {
            pollYield.looked(true); // a flood: its frames follow every yield
            coalescing = coalescedWait() >= COALESCE_MIN_FRAMES;
            realtimeClass.flooded(floodMode.isFlooded());
            return;
        }
        long before = System.nanoTime();
        long received = receivedFrames;
        // Frames held count as traffic: their release, seconds after they came, wakes the hosts too.
        awakeCpus.update(next == Long.MAX_VALUE ? lastFrameAt : before, before);
        boolean prime = allowed && next != Long.MAX_VALUE && next - before > PRIME_AFTER_NANOS;
        long timeout = prime ? Math.max(0, timeoutNanos(before, next, allowed) - PRIME_LEAD_NANOS)
                : timeoutNanos(before, next, allowed);
        int ready = pollSet.await(timeout, receive);
        long after = System.nanoTime();
        boolean slept = after - before >= FloodMode.SLEPT_NANOS;
        // A long yield outlasts the poll window, so it is mostly judged here: did frames come during it?
        pollYield.looked(receivedFrames != received && !slept);
        if (receivedFrames != received) {
            // A frame due at once (a 0 ms link) leaves now, not after this turn's bookkeeping and the next turn's
            // start: cold after a sleep, those took 5-6 us (p50) between holding the frame and sending it.
            releaseDue(after);
        }
        if (ready == 0 && timeout != Long.MAX_VALUE && timeout > 0 && allowed) {
            spinWindow.sleptLate(after - before - timeout);
            if (prime) {
                primeSend();
            }
        }
        floodMode.waited(before, after);
        realtimeClass.waited(after - before);
        if (slept) {
            smallFrameFlood.slept(after);
        } else {
            smallFrameFlood.received(after, receivedFrames - received);
        }
        coalescing = receivedFrames - received >= COALESCE_MIN_FRAMES;
    }

    /**
     * Lets a process that waits for this CPU run first ({@code sched_yield}; alone on its CPU, the thread goes on at
     * once): a frame this thread sent woke its receiver onto this CPU. See {@link PollYield} for the polls.
     */
    private static void yieldToWoken() {
        Thread.yield();
    }

    /**
     * During a flood: sleeps {@link #COALESCE_NANOS} without being woken per frame, then reads every ring empty.
     * Woken by each frame (TPACKET_V2 wakes its reader per frame) the thread spends more time switching than
     * forwarding, and the senders pay for each wake-up too. Arrival times come from the kernel's stamps, so only
     * the releases that fall due during the sleep are late, by less than its length. Only while frames come
     * {@link #COALESCE_MIN_FRAMES} or more per sleep: a TCP flow of 64 KiB frames (tens of thousands a second)
     * gains nothing from it, and its frames left 0.3-0.8 ms late at p50 instead of 10-30 us. Returns the frames
     * read.
     */
    private long coalescedWait() {
        pollSet.awaitMailbox(COALESCE_NANOS);
        long received = receivedFrames;
        int rounds = Math.max(1, settings.ringSlots() / BURST); // enough to empty full rings
        for (int round = 0; round < rounds && receiveReady(); round++) {
            // each round takes up to a burst from every direction
        }
        long now = System.nanoTime();
        floodMode.busy(now);
        smallFrameFlood.received(now, receivedFrames - received);
        return receivedFrames - received;
    }

    /**
     * How long to wait: until the next release, or shortly before it when the thread may poll from there; or
     * {@link #idleWaitNanos} (forever, {@link Long#MAX_VALUE}) when nothing is held, but no longer than the
     * idle CPUs are to be kept awake.
     */
    private long timeoutNanos(long now, long next, boolean mayPoll) {
        if (next == Long.MAX_VALUE) {
            return Math.min(idleWaitNanos, awakeCpus.idleWaitNanos(lastFrameAt, now));
        }
        return Math.max(0, next - now - (mayPoll ? spinWindow.nanos() : 0));
    }

    /**
     * Before a release that follows a long sleep: runs the send path of the direction due first without sending
     * ({@link SendBatch#touch}), so that the release does not pay for a cold path; the thread polls from here
     * until the release is due. Measured with 100 probes through 20 and 100 ms links, alternating with the same
     * build without it (load 1.8-2.7): RTT error p50 0.032-0.062 ms against 0.065-0.086 ms, the engine's own
     * lateness unchanged at 2-5 us.
     */
    private void primeSend() {
        Frame first = queue.peek();
        if (first != null) {
            primedRelease = first.releaseAt;
            first.direction.batch.touch(first.direction.out.fd());
            primer.prime(first.direction.batch);
        }
    }

    /**
     * From now on the thread primes the kernel's frame path before a release after a long sleep (see {@link
     * LoopbackPrimer}) through the socket {@code opener} gives, a send-only socket on the fabric namespace's
     * {@code lo}. Opened on this thread, which owns it from then on, so it is closed with the thread even when
     * the caller gave up waiting. Only after the warm-up: its frames would mix with the warm-up's on the loopback.
     */
    void primeThrough(Supplier<PacketSocket> opener) {
        call(() -> {
            primer.arm(opener.get());
            return null;
        });
    }

    /**
     * Without sleeping, takes a burst from every direction that has frames, looking at the rings itself or asking
     * the poll set ({@link #scanRings}); true if one had (or the mailbox woke the set).
     */
    private boolean receiveReady() {
        return scanRings ? receiveFromRings() : pollSet.await(0, receive) > 0;
    }

    /** Receives from every ring that has frames; true if one had. */
    private boolean receiveFromRings() {
        boolean any = false;
        for (int i = 0; i < directions.size(); i++) {
            Direction d = directions.get(i);
            if (d.in.hasFrameInRing()) {
                receiveBurst(d);
                any = true;
            }
        }
        return any;
    }

    private void rebuildPollSet() {
        directions.clear();
        for (EngineLink l : links.values()) {
            directions.add(l.aToB);
            directions.add(l.bToA);
        }
        allRings = directions.stream().allMatch(d -> d.in.hasRing());
        scanRings = allRings && directions.size() <= SCAN_RINGS_UP_TO;
        pollSet.rebuild(directions, d -> d.in.fd());
    }

    /** Receives up to a burst of frames from one direction. */
    private void receiveBurst(Direction d) {
        Impairment im = d.impairment;
        long now = System.nanoTime();
        receiveContext.calibrateIfStale(now);
        for (int k = 0; k < BURST; k++) {
            Frame f = d.in.take(pool, receiveContext, now);
            if (f == null) {
                break;
            }
            d.received++;
            receivedFrames++;
            if (f == PacketSocket.TOO_BIG) {
                d.overLimit++;
                continue;
            }
            sparseFrame = now - lastFrameAt >= SPARSE_GAP_NANOS;
            lastFrameAt = now;
            if (im.lose()) {
                d.lost++;
                pool.give(f);
                continue;
            }
            if (im.duplicate()) {
                d.duplicated++;
                hold(d, pool.copyOf(f));
            }
            hold(d, f);
        }
        if (d.draining) {
            handOverIfDone(d);
        }
    }

    /** Queues a frame for its release time, or drops it when its direction holds {@code limit} frames. */
    private void hold(Direction d, Frame f) {
        Impairment im = d.impairment;
        if (d.queued >= im.queueLimit()) {
            d.overLimit++;
            pool.give(f);
            return;
        }
        f.direction = d;
        f.releaseAt = im.releaseTime(f.arrivedAt);
        if (im.corrupt()) {
            FrameCorruptor.corrupt(f.buffer, f.length, im);
            d.corrupted++;
        }
        d.queued++;
        queue.add(f);
    }

    /** Sends every frame due at {@code now}: batched per direction, in release order within each. */
    private void releaseDue(long now) {
        Frame f;
        while ((f = queue.pollDue(now)) != null) {
            Direction d = f.direction;
            if (d.batch.isEmpty()) {
                batched.add(d);
            }
            if (d.batch.add(f)) {
                send(d);
            }
        }
        for (int i = 0; i < batched.size(); i++) {
            Direction d = batched.get(i);
            if (!d.batch.isEmpty()) {
                send(d);
            }
        }
        batched.clear();
    }

    private void send(Direction d) {
        sending = d;
        sendingAt = System.nanoTime();
        d.sendCalls += d.batch.send(d.out.fd(), sentOne);
        sending = null;
        if (d.draining) {
            handOverIfDone(d);
        }
        if (smallFrameFlood.isOn()) {
            yieldToWoken(); // its receiver was woken onto this core; see SmallFrameFlood
        }
    }

    private void sentOne(Frame f, boolean ok) {
        Direction d = sending;
        if (ok) {
            d.sent++;
            d.late.record(sendingAt - f.releaseAt);
        } else {
            d.sendErrors++; // e.g. ENETDOWN while the link is cut, ENOBUFS when tbf is full
        }
        d.queued--;
        pool.give(f);
    }

    @Override
    public void close() {
        if (!mailbox.stopAndJoin(thread, log)) {
            return;
        }
        for (EngineLink l : links.values()) {
            l.a.close();
            l.b.close();
            for (Direction d : List.of(l.aToB, l.bToA)) {
                if (d.kernelPath != null) {
                    d.kernelPath.close();
                }
            }
        }
        links.clear();
        primer.close();
        mailbox.close();
        pollSet.close();
        pool.close();
        arena.close();
    }
}
