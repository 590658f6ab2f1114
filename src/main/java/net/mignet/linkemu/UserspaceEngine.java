package net.mignet.linkemu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.mignet.kernel.IpBatch;
import net.mignet.kernel.LinkWatch;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NeighbourEviction;
import net.mignet.kernel.TrafficShaping;
import net.mignet.topo.LinkParams;

/**
 * Link emulation without netem: rates with tbf on the link's two end devices, everything else by an
 * {@link EngineLoop} put in the middle of the link (see {@link EnginePlumbing}). A link gets the engine the
 * first time it has an impairment and keeps it (with zero delay if the impairments are removed) until the
 * emulation closes. Links are spread over up to {@link EngineSettings#threads()} engine threads (one per core by
 * default), each link on one thread.
 */
public final class UserspaceEngine implements LinkEmulator {
    /**
     * The first links get rings of {@link EngineSettings#ringSlots()}; later ones an eighth of that, so a topology
     * of hundreds of impaired links (whose traffic is spread thin) does not pin gigabytes of ring memory.
     */
    private static final int FULL_RING_LINKS = 8;
    private static final int MIN_RING_SLOTS = 32;
    /**
     * Past the JIT's compile thresholds (C2 after 5 000 calls of a method) with a margin, as one frame circulates
     * (0.38 s at load 7 on 2 cores, most of it before the code is compiled). Capped in time for a machine too busy
     * to get there soon.
     */
    private static final int WARM_UP_FRAMES = 12_000;
    private static final long WARM_UP_BUDGET_NANOS = 500_000_000L;
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();
    private final Consumer<String> log;
    private final Consumer<String> portReplaced;
    private final long seed;
    private final EngineSettings settings;
    private final Set<Integer> engineLinks = new HashSet<>();
    /** Rate limit currently set per "namespace device", so unchanged ones cost no command. */
    private final Map<String, Double> rates = new HashMap<>();
    /** The engine threads started so far, at most {@link EngineSettings#threads()}; and which serves a link. */
    private final List<EngineLoop> loops = new ArrayList<>();
    private final Map<Integer, EngineLoop> loopOf = new HashMap<>();
    /** Whether new links get kernel paths: asked for, and eBPF has not failed here yet. */
    private boolean kernelPaths;
    /** Whether directions take the kernel paths they have ({@link #useKernelPath}). */
    private boolean kernelPathOn;

    /**
     * @param portReplaced told the switch name whenever one of its port devices was replaced, so its flow
     *                     table can be bound to the new device
     * @param seed         seeds each direction's random stream (loss, jitter, ...), so runs can be repeated
     */
    public UserspaceEngine(Consumer<String> log, Consumer<String> portReplaced, long seed) {
        this(log, portReplaced, seed, EngineSettings.fromSystemProperties());
    }

    /** As above, with the engine's threads, rings and poll windows given instead of the defaults. */
    public UserspaceEngine(Consumer<String> log, Consumer<String> portReplaced, long seed, EngineSettings settings) {
        this.log = log;
        this.portReplaced = portReplaced;
        this.seed = seed;
        this.settings = settings;
        this.kernelPaths = settings.kernelPath();
        this.kernelPathOn = settings.kernelPath();
    }

    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public synchronized void apply(List<Change> changes) {
        List<Change> toInsert = changes.stream().filter(c -> !engineLinks.contains(c.path().index()))
                .filter(c -> c.aToB().wantsEmulator() || c.bToA().wantsEmulator()).toList();
        if (!toInsert.isEmpty()) {
            insert(toInsert);
        }
        for (Change c : changes) {
            if (engineLinks.contains(c.path().index()) && !toInsert.contains(c)) {
                loopOf.get(c.path().index()).update(c.path().index(), c.aToB(), c.bToA());
            }
        }
        applyRates(changes);
    }

    private void insert(List<Change> changes) {
        String fabric = changes.getFirst().path().fabric();
        // Threads first, while the links still carry frames: a new thread compiles the engine's code (once per
        // JVM) and primes its path, half a second on a cold JVM, and with the port already moved every frame of
        // that half second waited in the ring (a ping stream through a link impaired at run time lost 7 and
        // came 0.6 s late).
        Map<Integer, EngineLoop> threadOf = threadsFor(changes, fabric);
        IpBatch ip = IpBatch.ipIn(fabric);
        IpBatch tc = IpBatch.tcIn(fabric);
        List<EnginePlumbing.Result> results = new ArrayList<>();
        for (Change c : changes) {
            results.add(EnginePlumbing.insert(c.path(), ip, tc));
        }
        try (NeighbourEviction kept = NeighbourEviction.holdBack(endsLosingCarrier(changes))) {
            ip.run();
            tc.run();
            awaitCarriers(changes);
        }
        for (EnginePlumbing.Result r : results) {
            if (r.replacedDevice() != null && rates.remove(key(fabric, r.replacedDevice())) != null) {
                EnginePlumbing.dropMovedRate(r);
            }
        }
        int before = engineLinks.size();
        Map<Integer, EngineSockets> sockets = NamespaceThread.call(fabric, () -> {
            Map<Integer, EngineSockets> opened = new LinkedHashMap<>();
            try {
                for (Change c : changes) {
                    int slots = ringSlots(before + opened.size());
                    long linkSeed = linkSeed(c.path().index());
                    opened.put(c.path().index(), EngineSockets.open(c.path(), slots,
                            kernelPaths ? linkSeed : null, this::noKernelPath));
                }
            } catch (RuntimeException e) {
                opened.values().forEach(EngineSockets::close);
                throw e;
            }
            return opened;
        });
        sockets.values().stream().flatMap(pair -> java.util.stream.Stream.of(pair.a(), pair.b()))
                .map(PacketSocket::ringFailure).filter(Objects::nonNull).findFirst()
                .ifPresent(why -> log.accept("!!! link engine: no receive ring (" + why
                        + "); reading one frame per system call"));
        List<Change> left = new ArrayList<>(changes);
        try {
            while (!left.isEmpty()) {
                Change c = left.getFirst();
                EngineSockets e = sockets.get(c.path().index());
                EngineLoop loop = threadOf.get(c.path().index());
                loop.attach(c.path().index(), e.a(), e.b(), c.aToB(), c.bToA(), linkSeed(c.path().index()),
                        e.aToB(), e.bToA());
                left.removeFirst();
                loopOf.put(c.path().index(), loop);
                engineLinks.add(c.path().index());
            }
        } catch (RuntimeException e) {
            // A thread owns the sockets of the links it took; the rest are nobody's until closed here.
            left.forEach(c -> sockets.get(c.path().index()).close());
            throw e;
        }
        Set<String> switches = new LinkedHashSet<>();
        results.stream().map(EnginePlumbing.Result::replacedPortOf).filter(Objects::nonNull).forEach(switches::add);
        switches.forEach(portReplaced);
    }

    /** The interfaces, by namespace, whose carrier the insertion of {@code changes} interrupts. */
    private static Map<String, List<String>> endsLosingCarrier(List<Change> changes) {
        Map<String, List<String>> ends = new LinkedHashMap<>();
        for (Change c : changes) {
            LinkPath.Port end = EnginePlumbing.endLosingCarrier(c.path());
            if (end != null) {
                ends.computeIfAbsent(end.namespace(), ns -> new ArrayList<>()).add(end.device());
            }
        }
        return ends;
    }

    /**
     * A moved port's new devices, and a host interface whose peer was renamed, carry frames only once link watch
     * has seen their carrier; frames sent before would be lost. Any still waiting after its stall bound are
     * reported and carry frames later.
     */
    private void awaitCarriers(List<Change> changes) {
        Map<String, List<String>> devices = new LinkedHashMap<>();
        for (Change c : changes) {
            LinkPath p = c.path();
            devices.computeIfAbsent(p.fabric(), ns -> new ArrayList<>()).addAll(List.of(p.engineDeviceA(),
                    p.engineDeviceB()));
            for (LinkPath.Port end : List.of(p.a(), p.b())) {
                devices.computeIfAbsent(end.namespace(), ns -> new ArrayList<>()).add(end.device());
            }
        }
        List<String> stuck = LinkWatch.awaitOperational(devices);
        if (!stuck.isEmpty()) {
            log.accept("!!! link engine: link watch stalled; these interfaces drop frames until it reaches them: "
                    + String.join(", ", stuck));
        }
    }

    private long linkSeed(int linkIndex) {
        return seed * 1_000_003L + linkIndex;
    }

    /** The first time eBPF fails here, says so; links then go through the engine's threads only. */
    private void noKernelPath(RuntimeException why) {
        if (kernelPaths) {
            kernelPaths = false;
            log.accept("!!! link engine: no kernel path for links that hold nothing (" + why.getMessage()
                    + "); their frames go through the engine's threads");
        }
    }

    /** Receive ring slots for the {@code n}-th engine link (from 0). */
    private int ringSlots(int n) {
        return n < FULL_RING_LINKS ? settings.ringSlots()
                : Math.min(settings.ringSlots(), Math.max(MIN_RING_SLOTS, settings.ringSlots() / 8));
    }

    /**
     * The thread for a new link: a new one while fewer than {@link EngineSettings#threads()} run, else the one
     * serving the fewest links (the first of them). A link stays on its thread, so its directions keep their
     * order; threads not needed are never started.
     */
    /** The thread each new link will be on, started now where a new one is due, links spread as they come. */
    private Map<Integer, EngineLoop> threadsFor(List<Change> changes, String fabric) {
        Map<EngineLoop, Long> planned = new HashMap<>();
        Map<Integer, EngineLoop> threadOf = new LinkedHashMap<>();
        for (Change c : changes) {
            EngineLoop loop = leastBusyLoop(fabric, planned);
            planned.merge(loop, 1L, Long::sum);
            threadOf.put(c.path().index(), loop);
        }
        return threadOf;
    }

    private EngineLoop leastBusyLoop(String fabric, Map<EngineLoop, Long> planned) {
        if (loops.size() < settings.threads()) {
            EngineLoop fresh = new EngineLoop(log, settings, "mignet-linkemu-" + loops.size());
            fresh.useKernelPath(kernelPathOn);
            loops.add(fresh);
            if (WARMED_UP.compareAndSet(false, true)) {
                warmUp(fresh, fabric);
            }
            primeThroughLoopback(fresh, fabric);
            return fresh;
        }
        EngineLoop best = loops.getFirst();
        long bestCount = Long.MAX_VALUE;
        for (EngineLoop l : loops) {
            long count = loopOf.values().stream().filter(x -> x == l).count() + planned.getOrDefault(l, 0L);
            if (count < bestCount) {
                best = l;
                bestCount = count;
            }
        }
        return best;
    }

    /**
     * Compiles the engine's per-frame code before the first real frame (see {@link EngineLoop#warmUp}): once per
     * JVM, since compiled code serves every engine thread. A failure only costs accuracy on the first links' first
     * few thousand frames, so it is logged and the link goes on.
     */
    private void warmUp(EngineLoop loop, String fabric) {
        try (PacketSocket loopback = NamespaceThread.call(fabric, () -> PacketSocket.openWithRing("lo",
                MIN_RING_SLOTS));
                PacketSocket idle = NamespaceThread.call(fabric, () -> PacketSocket.openWithRing("lo",
                        MIN_RING_SLOTS, EngineLoop.IDLE_ETHERTYPE))) {
            loop.warmUp(loopback, idle, WARM_UP_FRAMES, WARM_UP_BUDGET_NANOS);
        } catch (RuntimeException e) {
            log.accept("!!! link engine: no warm-up of its code (" + e.getMessage()
                    + "); the first frames of sparse links may leave up to 0.1 ms late");
        }
    }

    /**
     * Gives a thread its socket for priming the kernel's frame path (see {@link LoopbackPrimer}). Without it the
     * thread only costs accuracy (releases after a long sleep leave about 10 us later), so a failure is logged
     * and the link goes on.
     */
    private void primeThroughLoopback(EngineLoop loop, String fabric) {
        try {
            loop.primeThrough(() -> NamespaceThread.call(fabric, () -> PacketSocket.openForSending("lo")));
        } catch (RuntimeException e) {
            log.accept("!!! link engine: no priming of the kernel's frame path (" + e.getMessage()
                    + "); frames released after a long wait may leave about 10 us later");
        }
    }

    /** tbf on each end's own device, for the traffic leaving through it: a's for a->b, b's for b->a. */
    private void applyRates(List<Change> changes) {
        Map<String, IpBatch> batches = new LinkedHashMap<>();
        for (Change c : changes) {
            setRate(c.path().a(), c.aToB().bandwidthMbit(), batches);
            setRate(c.path().b(), c.bToA().bandwidthMbit(), batches);
        }
        if (!batches.isEmpty()) {
            log.accept("*** Limiting rate on " + batches.values().stream().mapToInt(IpBatch::size).sum()
                    + " interfaces");
        }
        batches.values().forEach(IpBatch::run);
    }

    private void setRate(LinkPath.Port port, Double mbit, Map<String, IpBatch> batches) {
        String key = key(port.namespace(), port.device());
        if (Objects.equals(rates.get(key), mbit)) {
            return;
        }
        if (mbit == null) {
            TrafficShaping.removeRootQdisc(port.namespace(), port.device());
            rates.remove(key);
        } else {
            TrafficShaping.addRateLimit(batches.computeIfAbsent(port.namespace(), IpBatch::tcIn), port.device(), mbit);
            rates.put(key, mbit);
        }
    }

    private static String key(String namespace, String device) {
        return namespace + " " + device;
    }

    @Override
    public synchronized String describe(LinkPath path, LinkParams aToB, LinkParams bToA) {
        if (engineLinks.contains(path.index()) || aToB.wantsEmulator() || bToA.wantsEmulator()) {
            return name();
        }
        return aToB.bandwidthMbit() != null || bToA.bandwidthMbit() != null ? "tbf" : "-";
    }

    @Override
    public synchronized List<DirectionStats> stats(LinkPath path) {
        EngineLoop loop = loopOf.get(path.index());
        return loop != null ? loop.stats(path.index()) : List.of();
    }

    @Override
    public synchronized Optional<LinkTransit> transit(LinkPath path, boolean towardA) {
        EngineLoop loop = loopOf.get(path.index());
        return loop != null ? loop.transit(path.index(), towardA) : Optional.of(LinkTransit.NOT_CARRIED);
    }

    /** CPU time of the engine threads so far (0 before any link needed one). */
    public synchronized long cpuTimeNanos() {
        return loops.stream().mapToLong(EngineLoop::cpuTimeNanos).sum();
    }

    /** How many engine threads run now (they start as links need them). */
    public synchronized int threadCount() {
        return loops.size();
    }

    /**
     * Whether link directions that hold nothing go through the kernel ({@link KernelPath}) or through an engine
     * thread, from each link's next change on; for measuring the engine's own path beside the kernel's.
     */
    public synchronized void useKernelPath(boolean on) {
        kernelPathOn = on;
        loops.forEach(l -> l.useKernelPath(on));
    }

    /** The threads, rings and poll windows this engine runs with. */
    public EngineSettings settings() {
        return settings;
    }

    @Override
    public synchronized void close() {
        loops.forEach(EngineLoop::close);
        loops.clear();
        loopOf.clear();
    }
}
