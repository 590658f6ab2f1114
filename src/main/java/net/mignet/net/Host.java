package net.mignet.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.HostCgroup;
import net.mignet.kernel.HostSandbox;
import net.mignet.kernel.HostSpawn;
import net.mignet.kernel.LinkWatch;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NetnsEnter;
import net.mignet.kernel.RouteLinks;
import net.mignet.topo.HostImage;
import net.mignet.topo.HostRoute;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.ResourceLimits;

/**
 * A running emulated host: a network namespace in which commands and apps run; with an image also its own mount,
 * PID, UTS and IPC namespaces ({@link HostSandbox}), and with limits its own cgroups.
 */
public final class Host {
    private final String name;
    private final String namespace;
    private final String fabricNamespace;
    private final List<LinkEnd> interfaces;
    private final List<HostRoute> routes;
    private volatile HostCondition condition = HostCondition.UP;
    private volatile HostImage image;
    private volatile HostSandbox sandbox;
    private volatile HostCgroup cgroup;
    private volatile ResourceLimits limits = ResourceLimits.NONE;

    Host(String name, String namespace, String fabricNamespace, List<LinkEnd> interfaces, List<HostRoute> routes) {
        this.name = name;
        this.namespace = namespace;
        this.fabricNamespace = fabricNamespace;
        this.interfaces = List.copyOf(interfaces);
        this.routes = List.copyOf(routes);
    }

    public String name() {
        return name;
    }

    /** The network namespace's name, as {@code ip netns} shows it. */
    public String namespace() {
        return namespace;
    }

    /** Up, frozen or crashed: see {@link Faults}. */
    public HostCondition condition() {
        return condition;
    }

    void condition(HostCondition now) {
        this.condition = now;
    }

    public List<LinkEnd> interfaces() {
        return interfaces;
    }

    /** The routes its topology gave it (its connected subnets' routes are the kernel's). */
    public List<HostRoute> routes() {
        return routes;
    }

    /** The address of the host's first interface that has one, or null. */
    public Ipv4Address ip() {
        return interfaces.stream().filter(i -> i.ip() != null).map(i -> i.ip().address()).findFirst().orElse(null);
    }

    /** The argument vector that runs {@code argv} inside this host (all its namespaces, and its cgroups). */
    public List<String> wrap(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command given to run on " + name);
        }
        HostSandbox box = sandbox;
        List<String> full;
        if (box != null) {
            full = box.enterArgv(argv);
        } else {
            full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            full.addAll(argv);
        }
        HostCgroup group = cgroup;
        return group == null ? full : group.joinArgv(full);
    }

    /** Like {@link #wrap}, entering only the namespaces (no remount of /sys as {@code ip netns exec} does). */
    public List<String> enterArgv(List<String> argv) {
        return enterArgv(cgroup, argv);
    }

    /** As {@link #enterArgv(List)}, joining {@code group} (an app's cgroup in this host's) instead of the host's. */
    public List<String> enterArgv(HostCgroup group, List<String> argv) {
        HostSandbox box = sandbox;
        List<String> full = box != null ? box.enterArgv(argv) : NetnsEnter.argv(namespace, argv);
        return group == null ? full : group.joinArgv(full);
    }

    /**
     * Starts {@code argv} inside this host with {@code stdio[i]} as its descriptor {@code i}, leading a session
     * of its own; returns its pid (a child of this process).
     */
    public long spawn(List<String> argv, java.util.Map<String, String> environment, int... stdio) {
        return spawnIn(cgroup, argv, environment, stdio);
    }

    /** As {@link #spawn}, in {@code group} (an app's cgroup in this host's, from {@link #appCgroup}). */
    public long spawnIn(HostCgroup group, List<String> argv, java.util.Map<String, String> environment,
            int... stdio) {
        return HostSpawn.start(namespace, sandbox, group, argv, environment, stdio);
    }

    /**
     * Starts {@code argv} as an app container on this host: its own mount namespace with {@code image} (a root
     * file system directory, read only) as root and its writable layer in {@code stateDir}, in this host's
     * network namespace (and its other namespaces, if it has an image) and cgroups.
     */
    public long spawnContainer(java.nio.file.Path imageRoot, java.nio.file.Path stateDir, List<String> argv,
            java.util.Map<String, String> environment, int... stdio) {
        return spawnContainerIn(cgroup, imageRoot, stateDir, argv, environment, stdio);
    }

    /** As {@link #spawnContainer}, in {@code group} (an app's cgroup in this host's). */
    public long spawnContainerIn(HostCgroup group, java.nio.file.Path imageRoot, java.nio.file.Path stateDir,
            List<String> argv, java.util.Map<String, String> environment, int... stdio) {
        return net.mignet.kernel.AppContainer.spawn(namespace, name, sandbox, group, imageRoot, stateDir,
                HostIsolation.sharedWithImageHosts(), argv, environment, stdio);
    }

    /** Starts {@code argv} under an init in a PID namespace of its own inside this host (deploy --pid-ns). */
    public long spawnInOwnPidNamespace(List<String> argv, java.util.Map<String, String> environment, int... stdio) {
        return spawnInOwnPidNamespaceIn(cgroup, argv, environment, stdio);
    }

    /** As {@link #spawnInOwnPidNamespace}, in {@code group} (an app's cgroup in this host's). */
    public long spawnInOwnPidNamespaceIn(HostCgroup group, List<String> argv,
            java.util.Map<String, String> environment, int... stdio) {
        if (sandbox != null) {
            throw new IllegalArgumentException(name + " runs on an image and has a pid namespace of its own already,"
                    + " which CRIU cannot restore an app into; deploy without --pid-ns");
        }
        return net.mignet.kernel.PidNamespaceInit.spawn(namespace, group, argv, environment, stdio);
    }

    /** The image this host runs on, if it has one (then it has namespaces of its own beside the network's). */
    public java.util.Optional<HostImage> image() {
        return java.util.Optional.ofNullable(image);
    }

    /** {@code mount/pid/uts/ipc}: the namespaces of its own beside the network's, if it has an image. */
    public java.util.Optional<String> ownNamespaces() {
        HostSandbox box = sandbox;
        return box == null ? java.util.Optional.empty() : java.util.Optional.of(box.describeNamespaces());
    }

    /** The pid (as mignet sees it) of the init of this host's own PID namespace, if it has an image. */
    public java.util.Optional<Long> initPid() {
        HostSandbox box = sandbox;
        return box == null ? java.util.Optional.empty() : java.util.Optional.of(box.initPid());
    }

    /** The limits in force ({@link ResourceLimits#NONE}: none). */
    public ResourceLimits limits() {
        return limits;
    }

    /**
     * Changes this host's limits at run time: the given ones replace the current ones (unset ones stay). A host
     * without cgroups gets them now, and every process it runs moves in.
     */
    public synchronized ResourceLimits limit(ResourceLimits changes) {
        HostCgroup.unavailableReason(changes).ifPresent(r -> {
            throw new IllegalStateException("cannot limit " + name + ": " + r);
        });
        ResourceLimits next = limits.with(changes);
        ensureCgroup().apply(next);
        limits = next;
        return next;
    }

    /** This host's cgroups, made now (with every process it runs moved in) if it has none yet. */
    private synchronized HostCgroup ensureCgroup() {
        if (cgroup == null) {
            HostCgroup created = HostCgroup.create(namespace);
            for (NamespaceProcesses.Member m : NamespaceProcesses.in(List.of(namespace))) {
                try {
                    created.add(m.pid());
                } catch (IllegalStateException e) {
                    // It ended meanwhile.
                }
            }
            cgroup = created;
        }
        return cgroup;
    }

    /**
     * A cgroup of its own for app {@code app} inside this host's (which it gets now if it has none), with
     * {@code appLimits}, which must be within the host's; the caller starts the app in it and closes it when the
     * app has ended.
     */
    public HostCgroup appCgroup(String app, ResourceLimits appLimits) {
        HostCgroup.unavailableReason(appLimits).ifPresent(r -> {
            throw new IllegalStateException("cannot limit " + app + " on " + name + ": " + r);
        });
        return ensureCgroup().createApp(app, appLimits);
    }

    /** This host's cgroups, if it has any (an image or limits gave them), with its apps' inside. */
    public java.util.Optional<HostCgroup> cgroup() {
        return java.util.Optional.ofNullable(cgroup);
    }

    /** CPU time, memory use and memory-limit kills of this host's processes, when it has cgroups. */
    public java.util.Optional<HostCgroup.Usage> usage() {
        HostCgroup group = cgroup;
        return group == null ? java.util.Optional.empty() : java.util.Optional.of(group.usage());
    }

    /** The memory-limit kills its processes (its apps' included) have counted so far; -1 without cgroups. */
    public long memoryKills() {
        return usage().map(HostCgroup.Usage::oomKills).orElse(-1L);
    }

    /** Gives this host its namespaces and cgroups (made by the emulation as it starts). */
    void isolate(HostImage hostImage, HostSandbox box, HostCgroup group, ResourceLimits applied) {
        this.image = hostImage;
        this.sandbox = box;
        this.cgroup = group;
        this.limits = applied;
    }

    /** Ends this host's own namespaces and removes its cgroups (its processes must be gone or going). */
    void closeIsolation() {
        HostSandbox box = sandbox;
        if (box != null) {
            box.close();
        }
        HostCgroup group = cgroup;
        if (group != null) {
            group.close();
        }
    }

    /** A process builder whose process starts inside this host's namespace. */
    public ProcessBuilder processBuilder(List<String> argv) {
        return new ProcessBuilder(wrap(argv));
    }

    public CommandResult exec(String... argv) {
        return exec(List.of(argv), Command.DEFAULT_TIMEOUT);
    }

    /** Runs a command to completion inside this host; exit code 124 means it was killed at the timeout. */
    public CommandResult exec(List<String> argv, Duration timeout) {
        return Command.run(wrap(argv), null, timeout);
    }

    /** Pings {@code target} {@code count} times, 0.2 s apart, waiting up to 1 s for each reply. */
    public PingResult ping(String target, int count) {
        return ping(target, count, Duration.ofMillis(200));
    }

    public PingResult ping(String target, int count, Duration interval) {
        return ping(target, count, interval, Duration.ofSeconds(1));
    }

    /** As {@link #ping(String, int, Duration)}, waiting up to {@code replyWait} for each reply. */
    public PingResult ping(String target, int count, Duration interval, Duration replyWait) {
        Ipv4Address.parse(target); // refuse anything that is not an address before it reaches a command line
        String seconds = String.format(java.util.Locale.ROOT, "%.3f", interval.toNanos() / 1e9);
        String wait = String.format(java.util.Locale.ROOT, "%.3f", replyWait.toNanos() / 1e9);
        CommandResult r = exec(List.of("ping", "-n", "-c", Integer.toString(count), "-i", seconds, "-W", wait, target),
                Duration.ofSeconds(count * Math.max(1, interval.toSeconds() + 1) + 5 + replyWait.toSeconds()));
        return PingResult.parse(r.stdout() + r.stderr());
    }

    /** A resolved neighbour (ARP entry) of one of this host's interfaces. */
    public record Neighbour(String ip, String mac) {
    }

    /** The neighbours this host has resolved on one interface (reachable, stale, delayed or permanent). */
    public List<Neighbour> neighbours(String interfaceName) {
        requireInterface(interfaceName);
        List<Neighbour> found = new ArrayList<>();
        String out = Command.check(List.of("ip", "-n", namespace, "-4", "neigh", "show", "dev", interfaceName))
                .stdout();
        for (String line : out.lines().toList()) {
            String[] w = line.trim().split("\\s+");
            int mac = List.of(w).indexOf("lladdr");
            if (mac > 0 && mac + 1 < w.length && !line.contains("FAILED") && !line.contains("INCOMPLETE")) {
                found.add(new Neighbour(w[0], w[mac + 1]));
            }
        }
        return found;
    }

    /**
     * Teaches this host neighbours learned elsewhere, as reachable entries: a service that moves here answers
     * its clients at once instead of asking for their MAC first (an ARP reply the switch may still send to
     * the old host).
     */
    public void learnNeighbours(String interfaceName, List<Neighbour> neighbours) {
        requireInterface(interfaceName);
        for (Neighbour n : neighbours) {
            Ipv4Address.parse(n.ip());
            net.mignet.topo.MacAddress.parse(n.mac());
            Command.check(List.of("ip", "-n", namespace, "neigh", "replace", n.ip(), "lladdr", n.mac(), "dev",
                    interfaceName, "nud", "reachable"));
        }
    }

    private void requireInterface(String interfaceName) {
        if (interfaces.stream().noneMatch(i -> i.interfaceName().equals(interfaceName))) {
            throw new IllegalArgumentException(name + " has no interface " + interfaceName + " (it has: "
                    + String.join(", ", interfaces.stream().map(LinkEnd::interfaceName).toList()) + ")");
        }
    }

    /** Byte and packet counters of one interface, as the kernel counts them. */
    public record InterfaceCounters(long rxBytes, long rxPackets, long txBytes, long txPackets) {
        public long bytes() {
            return rxBytes + txBytes;
        }
    }

    private static final java.util.regex.Pattern STATS = java.util.regex.Pattern.compile(
            "\"(rx|tx)\":\\{\"bytes\":(\\d+),\"packets\":(\\d+)");

    /** The counters of one of this host's interfaces (read from the kernel now). */
    public InterfaceCounters counters(String interfaceName) {
        requireInterface(interfaceName);
        String json = Command.check(List.of("ip", "-n", namespace, "-j", "-s", "link", "show", "dev", interfaceName))
                .stdout();
        long[] v = new long[4];
        java.util.regex.Matcher m = STATS.matcher(json);
        while (m.find()) {
            int base = m.group(1).equals("rx") ? 0 : 2;
            v[base] = Long.parseLong(m.group(2));
            v[base + 1] = Long.parseLong(m.group(3));
        }
        return new InterfaceCounters(v[0], v[1], v[2], v[3]);
    }

    /**
     * Which of this host's interfaces carry frames now (administratively up, with a carrier), by name: a link cut
     * with {@code link ... down}, an interface taken down, or a flap's down half shows as false.
     */
    public Map<String, Boolean> interfacesUp() {
        Map<String, Boolean> up = new java.util.TreeMap<>();
        NamespaceThread.call(namespace, () -> {
            try (RouteLinks links = RouteLinks.open()) {
                links.links().forEach(l -> up.put(l.name(), l.up()));
            }
            return null;
        });
        return up;
    }

    /** Brings one of this host's interfaces up or down. */
    public void setInterfaceUp(String interfaceName, boolean up) {
        requireInterface(interfaceName);
        Command.check(List.of("ip", "-n", namespace, "link", "set", "dev", interfaceName, up ? "up" : "down"));
        if (up) {
            restoreRoutes(interfaceName);
            // The interface's peer in the fabric stayed up without carrier; it carries frames again only once
            // link watch has seen the carrier return. If link watch stalls, it does so later.
            LinkWatch.awaitOperational(List.of(fabricNamespace));
        }
    }

    /**
     * The kernel deletes the routes through an interface taken down, and does not bring them back with it: a
     * crashed router's hosts, once it restarts, would otherwise stay cut off. {@code replace}, since a route may
     * have stayed through another interface on the same subnet.
     */
    private void restoreRoutes(String interfaceName) {
        LinkEnd end = interfaces.stream().filter(i -> i.interfaceName().equals(interfaceName)).findFirst()
                .orElseThrow();
        for (HostRoute r : routes) {
            if (end.ip() != null && end.ip().contains(r.gateway())) {
                Command.check(List.of("ip", "-n", namespace, "route", "replace", r.describeDestination(), "via",
                        r.gateway().toString()));
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
