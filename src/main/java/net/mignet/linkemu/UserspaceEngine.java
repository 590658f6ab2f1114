package net.mignet.linkemu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import net.mignet.kernel.IpBatch;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.TrafficShaping;
import net.mignet.topo.LinkParams;

/**
 * Link emulation without netem: rates with tbf on the link's two end devices, everything else by an
 * {@link EngineLoop} put in the middle of the link (see {@link EnginePlumbing}). A link gets the engine the
 * first time it has an impairment and keeps it (with zero delay if the impairments are removed) until the
 * emulation closes.
 */
public final class UserspaceEngine implements LinkEmulator {
    private final Consumer<String> log;
    private final Consumer<String> portReplaced;
    private final long seed;
    private final EngineSettings settings;
    private final Set<Integer> engineLinks = new HashSet<>();
    /** Rate limit currently set per "namespace device", so unchanged ones cost no command. */
    private final Map<String, Double> rates = new HashMap<>();
    private EngineLoop loop;

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
    }

    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public synchronized void apply(List<Change> changes) {
        List<Change> toInsert = changes.stream().filter(c -> !engineLinks.contains(c.path().index()))
                .filter(c -> c.aToB().hasImpairments() || c.bToA().hasImpairments()).toList();
        if (!toInsert.isEmpty()) {
            insert(toInsert);
        }
        for (Change c : changes) {
            if (engineLinks.contains(c.path().index()) && !toInsert.contains(c)) {
                loop.update(c.path().index(), c.aToB(), c.bToA());
            }
        }
        applyRates(changes);
    }

    private void insert(List<Change> changes) {
        String fabric = changes.getFirst().path().fabric();
        IpBatch ip = IpBatch.ipIn(fabric);
        IpBatch tc = IpBatch.tcIn(fabric);
        List<EnginePlumbing.Result> results = new ArrayList<>();
        for (Change c : changes) {
            results.add(EnginePlumbing.insert(c.path(), ip, tc));
        }
        ip.run();
        tc.run();
        for (EnginePlumbing.Result r : results) {
            if (r.replacedDevice() != null && rates.remove(key(fabric, r.replacedDevice())) != null) {
                EnginePlumbing.dropMovedRate(r);
            }
        }
        Map<Integer, PacketSocket[]> sockets = NamespaceThread.call(fabric, () -> {
            Map<Integer, PacketSocket[]> opened = new LinkedHashMap<>();
            try {
                for (Change c : changes) {
                    PacketSocket a = PacketSocket.openWithRing(c.path().engineDeviceA(), settings.ringSlots());
                    PacketSocket b;
                    try {
                        b = PacketSocket.openWithRing(c.path().engineDeviceB(), settings.ringSlots());
                    } catch (RuntimeException e) {
                        a.close();
                        throw e;
                    }
                    opened.put(c.path().index(), new PacketSocket[] {a, b});
                }
            } catch (RuntimeException e) {
                opened.values().forEach(pair -> {
                    pair[0].close();
                    pair[1].close();
                });
                throw e;
            }
            return opened;
        });
        sockets.values().stream().flatMap(pair -> java.util.Arrays.stream(pair))
                .map(PacketSocket::ringFailure).filter(Objects::nonNull).findFirst()
                .ifPresent(why -> log.accept("!!! link engine: no receive ring (" + why
                        + "); reading one frame per system call"));
        if (loop == null) {
            loop = new EngineLoop(log, settings, "mignet-linkemu");
        }
        for (Change c : changes) {
            PacketSocket[] pair = sockets.get(c.path().index());
            loop.attach(c.path().index(), pair[0], pair[1], c.aToB(), c.bToA(), seed * 1_000_003L + c.path().index());
            engineLinks.add(c.path().index());
        }
        Set<String> switches = new LinkedHashSet<>();
        results.stream().map(EnginePlumbing.Result::replacedPortOf).filter(Objects::nonNull).forEach(switches::add);
        switches.forEach(portReplaced);
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
        if (engineLinks.contains(path.index()) || aToB.hasImpairments() || bToA.hasImpairments()) {
            return name();
        }
        return aToB.bandwidthMbit() != null || bToA.bandwidthMbit() != null ? "tbf" : "-";
    }

    @Override
    public synchronized List<DirectionStats> stats(LinkPath path) {
        return loop != null && engineLinks.contains(path.index()) ? loop.stats(path.index()) : List.of();
    }

    /** CPU time of the engine thread so far (0 before any link needed it). */
    public synchronized long cpuTimeNanos() {
        return loop == null ? 0 : loop.cpuTimeNanos();
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.close();
            loop = null;
        }
    }
}
