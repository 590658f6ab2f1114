package net.mignet.net;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.mignet.flow.FlowRule;
import net.mignet.image.ImageCache;
import net.mignet.topo.HostImage;
import net.mignet.topo.LinkSelector;
import net.mignet.topo.SegmentSubnets;
import net.mignet.kernel.OrphanReaper;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.EmulationOwner;
import net.mignet.kernel.EmulationRecord;
import net.mignet.kernel.NftSession;
import net.mignet.kernel.Realizer;
import net.mignet.linkemu.HoldEngine;
import net.mignet.linkemu.LinkEmulator;
import net.mignet.linkemu.LinkEmulators;
import net.mignet.linkemu.LinkPath;
import net.mignet.topo.HostSpec;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkSpec;
import net.mignet.topo.NodeKind;
import net.mignet.topo.SwitchSpec;
import net.mignet.topo.Topology;

/**
 * A running network built from a {@link Topology}. Closing it (also on Ctrl-C, through a shutdown hook)
 * removes every namespace, process and rule it made.
 */
public final class Emulation implements AutoCloseable {
    private final Topology topology;
    private final EmulationId id;
    private final Consumer<String> log;
    private final EmulationOptions options;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Switch> switches = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final EmulationEvents events = new EmulationEvents();
    private final Thread shutdownHook;
    /** Open while {@link #build} runs: a shutdown waits for it to stop before tearing down. */
    private final CountDownLatch building = new CountDownLatch(1);
    private volatile boolean shuttingDown;
    private static final Duration BUILD_STOP = Duration.ofSeconds(60);
    private final List<Runnable> beforeShutdownTeardown = new CopyOnWriteArrayList<>();
    private final Faults faults;
    private volatile LinkEmulator linkEmulator;
    private volatile boolean closed;
    /** False until the whole network is up, so the teardown line can say that setup failed. */
    private volatile boolean built;
    /** The fabric's nftables session, through which every flow table changes. */
    private NftSession nft;
    /** Frame holds of all switches; made at the first hold. */
    private HoldEngine holds;

    private Emulation(Topology topology, EmulationId id, Consumer<String> log, EmulationOptions options) {
        this.topology = topology;
        this.id = id;
        this.log = log;
        this.options = options;
        this.shutdownHook = Thread.ofPlatform().name("mignet-teardown").unstarted(this::shutDown);
        this.faults = new Faults(this::host, this::linksBetween, log, events);
    }

    /** Builds the network with a fresh id; progress goes to standard error. */
    public static Emulation start(Topology topology) {
        return start(topology, EmulationId.fresh(topology.name()), System.err::println);
    }

    /** Builds the network with a fresh id and these options; progress goes to standard error. */
    public static Emulation start(Topology topology, EmulationOptions options) {
        return start(topology, EmulationId.fresh(topology.name()), System.err::println, options);
    }

    public static Emulation start(Topology topology, EmulationId id, Consumer<String> log) {
        return start(topology, id, log, EmulationOptions.DEFAULT);
    }

    public static Emulation start(Topology topology, EmulationId id, Consumer<String> log, EmulationOptions options) {
        Privileges.requireRoot();
        OrphanReaper.start();
        EmulationRecord existing = EmulationRecord.of(id);
        if (existing.exists() && existing.state().ownerAlive()) {
            // Building would fail half-way, and its clean-up would remove the live emulation's namespaces.
            throw new IllegalStateException("an emulation with id " + id + " is " + existing.state() + " (owner pid "
                    + existing.owner().map(o -> o.process().pid()).orElse(-1L) + "): choose another id, or stop it"
                    + " with mignet clean --id " + id);
        }
        if (existing.exists()) {
            // Its namespaces would collide with the new ones, and the failed build's clean-up would remove them
            // (and kill its processes) without anyone having asked for that.
            throw new IllegalStateException("an emulation with id " + id + " is " + existing.state() + " (its owner"
                    + " is gone; " + existing.namespaces().size() + " namespaces left): remove it with mignet clean"
                    + " --id " + id + ", or choose another id");
        }
        Emulation emulation = new Emulation(topology, id, log, options);
        Runtime.getRuntime().addShutdownHook(emulation.shutdownHook);
        try {
            emulation.build();
        } catch (RuntimeException e) {
            emulation.close();
            throw e;
        } finally {
            emulation.building.countDown();
        }
        return emulation;
    }

    private void build() {
        long t0 = System.nanoTime();
        Map<HostImage, Path> images = HostIsolation.images(topology, ImageCache.system(log));
        stopIfShuttingDown();
        new Realizer(topology, id, log).realize();
        stopIfShuttingDown();
        for (HostSpec h : topology.hosts()) {
            hosts.put(h.name(), new Host(h.name(), id.hostNamespace(h.name()), id.fabricNamespace(),
                    topology.interfacesOf(h.name()), h.routes()));
        }
        HostIsolation.start(topology, hosts, images, id, log);
        stopIfShuttingDown();
        linkEmulator = LinkEmulators.create(options.linkEngine(), id.fabricNamespace(), log, this::rebindFlowTable,
                options.seed());
        List<LinkEmulator.Change> initial = new ArrayList<>();
        for (int i = 0; i < topology.links().size(); i++) {
            LinkSpec l = topology.links().get(i);
            LinkPath path = new LinkPath(i, port(l.a()), port(l.b()), id.fabricNamespace());
            links.add(new Link(l, path, linkEmulator, events));
            if (!l.aToB().isEmpty() || !l.bToA().isEmpty()) {
                initial.add(new LinkEmulator.Change(path, l.aToB(), l.bToA()));
            }
        }
        if (!initial.isEmpty()) {
            linkEmulator.apply(initial);
            for (Link l : links) {
                if (!l.params().isEmpty() || !l.paramsBToA().isEmpty()) {
                    log.accept("*** Link " + l.a() + " <-> " + l.b() + ": " + l.spec().describeParams() + " ["
                            + l.backend() + "]");
                }
            }
        }
        stopIfShuttingDown();
        // Flow tables last: they bind to the switch ports' devices, which the link engine may have replaced.
        if (!topology.switches().isEmpty()) {
            nft = NftSession.open(id.fabricNamespace());
        }
        Map<FlowTable, List<FlowRule>> flows = new LinkedHashMap<>();
        for (SwitchSpec s : topology.switches()) {
            Switch sw = new Switch(s.name(), id.fabricNamespace(), topology.portsOf(s.name()), nft, this::holdEngine);
            switches.put(s.name(), sw);
            flows.put(sw.flowTable(), s.flows());
        }
        if (!flows.isEmpty()) {
            log.accept("*** Installing the flow tables of " + flows.size() + " switches");
            FlowTable.installAll(id.fabricNamespace(), flows);
        }
        built = true;
        EmulationOwner.markBuilt(id);
        log.accept(String.format("*** Network %s up: %d hosts, %d switches, %d links in %.2f s", id, hosts.size(),
                switches.size(), links.size(), (System.nanoTime() - t0) / 1e9));
        // With rules (the scenario's) a shared address is a design; without any, one host answers for the other.
        boolean rules = topology.switches().stream().anyMatch(s -> !s.flows().isEmpty() || s.openflow().given());
        sharedAddresses().forEach((address, owners) -> log.accept(rules
                ? "*** " + String.join(" and ", owners) + " share " + address + ": which of them answers is up to"
                        + " the flow rules, as for a service that migrates between them"
                : "!!! " + String.join(" and ", owners) + " share " + address + " and no flow rules choose between"
                        + " them: each can answer for the others (a ping from one to another reaches itself)"));
        overlappingSubnets().forEach(log);
        SegmentSubnets.notes(topology).forEach(log);
    }

    /**
     * Two interfaces of one host on overlapping subnets: the kernel then sends to the overlap through the longer
     * prefix only, which is rarely what a file with both meant (a slip in one prefix length, more often).
     */
    private List<String> overlappingSubnets() {
        List<String> said = new ArrayList<>();
        for (Host h : hosts.values()) { // their interfaces, found once at build: interfacesOf scans every link
            List<LinkEnd> ends = h.interfaces().stream().filter(e -> e.ip() != null).toList();
            for (int i = 0; i < ends.size(); i++) {
                for (int j = i + 1; j < ends.size(); j++) {
                    LinkEnd a = ends.get(i);
                    LinkEnd b = ends.get(j);
                    // Equal prefixes are one subnet on two interfaces (a multi-homed host), which is fine.
                    boolean overlap = a.ip().contains(b.ip().network()) || b.ip().contains(a.ip().network());
                    if (overlap && a.ip().length() != b.ip().length()) {
                        said.add("!!! " + h.name() + ": " + a.ip() + " on " + a.interfaceName() + " and " + b.ip()
                                + " on " + b.interfaceName() + " are overlapping subnets; the kernel sends to their"
                                + " overlap through the longer prefix only");
                    }
                }
            }
        }
        return said;
    }

    /**
     * Addresses more than one host carries. The reference scenario does so on purpose; in a file written by hand
     * it is more often a copy-paste slip, after which one host silently answers for the other ({@code pingall}
     * passes). So it is said, not refused.
     */
    private Map<String, List<String>> sharedAddresses() {
        Map<String, List<String>> owners = new java.util.TreeMap<>();
        for (Host h : hosts.values()) {
            for (LinkEnd end : h.interfaces()) {
                if (end.ip() != null) {
                    List<String> named = owners.computeIfAbsent(end.ip().address().toString(), a -> new ArrayList<>());
                    if (!named.contains(h.name())) {
                        named.add(h.name());
                    }
                }
            }
        }
        owners.values().removeIf(named -> named.size() < 2);
        return owners;
    }

    private LinkPath.Port port(LinkEnd end) {
        boolean isSwitch = topology.kindOf(end.node()).orElseThrow() == NodeKind.SWITCH;
        return new LinkPath.Port(end.node(), end.interfaceName(), namespaceOf(end.node()),
                isSwitch ? end.node() : null);
    }

    /** The link engine replaced a port device of {@code switchName}: its flow table must follow. */
    private void rebindFlowTable(String switchName) {
        Switch sw = switches.get(switchName);
        if (sw != null) {
            sw.flowTable().rebind();
        }
    }

    private synchronized HoldEngine holdEngine() {
        if (closed) {
            throw new IllegalStateException("emulation " + id + " is closed: no frame hold can start");
        }
        if (holds == null) {
            holds = new HoldEngine(id.fabricNamespace(), log);
        }
        return holds;
    }

    /** The link emulator in use: netem or userspace. */
    public LinkEmulator linkEmulator() {
        return linkEmulator;
    }

    String namespaceOf(String node) {
        return topology.kindOf(node).orElseThrow() == NodeKind.SWITCH ? id.fabricNamespace() : id.hostNamespace(node);
    }

    /** What happens in this emulation (apps, links, migrations), for whoever records the run. */
    public EmulationEvents events() {
        return events;
    }

    public EmulationId id() {
        return id;
    }

    public Topology topology() {
        return topology;
    }

    public Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new NoSuchElementException("no host named '" + name + "' (hosts: " + String.join(", ", hosts.keySet())
                    + ")");
        }
        return h;
    }

    public Switch switchNamed(String name) {
        Switch s = switches.get(name);
        if (s == null) {
            throw new NoSuchElementException("no switch named '" + name + "' (switches: "
                    + String.join(", ", switches.keySet()) + ")");
        }
        return s;
    }

    public Collection<Host> hosts() {
        return hosts.values();
    }

    public Collection<Switch> switches() {
        return switches.values();
    }

    public List<Link> links() {
        return List.copyOf(links);
    }

    /** The links between two nodes (there may be several, like the scenario's service and internal links). */
    public List<Link> linksBetween(String node1, String node2) {
        List<Link> found = links.stream().filter(l -> l.connects(node1, node2)).toList();
        if (found.isEmpty()) {
            for (String node : List.of(node1, node2)) {
                if (topology.kindOf(node).isEmpty()) {
                    throw new NoSuchElementException("no node '" + node + "' in this network (nodes: " + String.join(
                            " ", topology.hosts().stream().map(HostSpec::name).toList()) + " " + String.join(" ",
                            topology.switches().stream().map(SwitchSpec::name).toList()) + ")");
                }
            }
            throw new NoSuchElementException("no link between " + node1 + " and " + node2);
        }
        return found;
    }

    /**
     * The links two ends select, as the shell's {@code link} and a timeline's {@code link:} name them: a node
     * (every link between the two nodes) or {@code node:interface} (the one link on that interface).
     */
    public List<Link> linksSelected(String end1, String end2) {
        if (!end1.contains(":") && !end2.contains(":")) {
            return linksBetween(end1, end2);
        }
        LinkSelector selector = LinkSelector.of(end1, end2);
        List<Link> found = links.stream().filter(l -> selector.selects(l.spec())).toList();
        if (found.isEmpty()) {
            throw new NoSuchElementException("there is no link " + selector);
        }
        return found;
    }

    /** Crash, restart, freeze and thaw hosts; cut, restore and flap links. */
    public Faults faults() {
        return faults;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or will run teardown itself.
        }
        teardown();
    }

    /**
     * Runs {@code action} if the JVM shuts down (SIGTERM, SIGINT, SIGHUP) while this network is up, before the
     * network is torn down: e.g. writing what a recorder has, which would otherwise be lost with the run. Actions
     * run last-registered first, as try-with-resources closes (the apps stop before the recorder reads their last
     * lines). Not run by {@link #close}, whose caller closes what it opened itself; closing the returned handle
     * withdraws the action.
     */
    public ShutdownAction onShutdown(Runnable action) {
        Runnable registered = action::run; // its own identity, so that one action registered twice goes twice
        beforeShutdownTeardown.addFirst(registered);
        return () -> beforeShutdownTeardown.remove(registered);
    }

    /** An action {@link #onShutdown} holds; closing it withdraws it. */
    public interface ShutdownAction extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Between the build's steps: a signal came, so the build stops here and its caller's clean-up and the hook's
     * teardown remove what it made. Building on beside the teardown made namespaces after their removal, which
     * stayed behind when the JVM halted.
     */
    private void stopIfShuttingDown() {
        if (shuttingDown) {
            throw new IllegalStateException("mignet is shutting down: the build of " + id + " stops");
        }
    }

    /**
     * The shutdown hook: first the build, if one runs, stops at its next step (bounded wait); then the actions
     * asked for, each on its own (one failing does not stop the rest), then down.
     */
    private void shutDown() {
        shuttingDown = true;
        try {
            if (!building.await(BUILD_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                log.accept("!!! the build of " + id + " did not stop within " + BUILD_STOP.toSeconds()
                        + " s; tearing down beside it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Runnable action : beforeShutdownTeardown) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.accept("!!! before tearing " + id + " down: " + e.getMessage());
            }
        }
        teardown();
    }

    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        // A teardown is not to be cut short: a thread interrupted to stop its work (a timeline step, a shell
        // command) and then closing the network would have every 'ip netns del' refused and leave it all behind.
        boolean interrupted = Thread.interrupted();
        try {
            tearDownParts();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void tearDownParts() {
        long t0 = System.nanoTime();
        faults.close(); // flaps stop, frozen processes thaw: a frozen process could not be killed below
        if (holds != null) {
            // Open holds end with the namespace: their frames are dropped, their devices go with the fabric.
            holds.close();
        }
        if (nft != null) {
            nft.close();
        }
        LinkEmulator emulator = linkEmulator;
        if (emulator != null) {
            try {
                emulator.close();
            } catch (RuntimeException e) {
                log.accept("!!! closing the link emulator: " + e.getMessage());
            }
        }
        Cleaner.Report report = Cleaner.removeEmulation(id, log);
        HostIsolation.stop(hosts.values(), log);
        // Counts what this teardown found and removed, half-built parts included: the build no longer cleans up
        // behind the teardown's back, which made a failed setup report "removed 0 namespaces".
        log.accept(String.format("*** Network %s %s: removed %d namespaces, killed %d process%s in %.2f s", id,
                built ? "down" : "not built (setup failed)", report.namespaces().size(), report.killed().size(),
                report.killed().size() == 1 ? "" : "es", (System.nanoTime() - t0) / 1e9));
    }
}
