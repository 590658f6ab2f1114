package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.mignet.topo.HostRoute;
import net.mignet.topo.HostSpec;
import net.mignet.topo.HostSysctls;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkSpec;
import net.mignet.topo.NodeKind;
import net.mignet.topo.SwitchSpec;
import net.mignet.topo.Topology;

/**
 * Turns a {@link Topology} into namespaces, veth pairs and bridges. Each host gets its own namespace; switches
 * and the switch-side link ends live in one fabric namespace. Nothing is created in the root namespace. On
 * failure the error names the part of the topology the kernel refused; the half-built network is left for the
 * caller to remove ({@code Emulation} does, and reports what it removed).
 *
 * <p>Names reach {@code ip} only after the keyword that takes them ({@code name}, {@code dev}, {@code master},
 * {@code peer name}), so a port called {@code alias} or {@code type} is a name, never a keyword.
 */
public final class Realizer {
    private final Topology topology;
    private final EmulationId id;
    private final Consumer<String> log;

    public Realizer(Topology topology, EmulationId id, Consumer<String> log) {
        this.topology = topology;
        this.id = id;
        this.log = log;
    }

    public void realize() {
        recordOwner();
        createNamespaces();
        createLinks();
        configureHosts();
        awaitCarriers();
    }

    /**
     * The fabric's link ends came up before the hosts' (a switch port before its host), so their transmit queues
     * start working only when link watch gets to them; a host's first ARP request sent before that is lost and
     * asked again a second later.
     */
    private void awaitCarriers() {
        List<String> stuck = LinkWatch.awaitOperational(List.of(id.fabricNamespace()));
        if (!stuck.isEmpty()) {
            log.accept("!!! link watch stalled: these fabric interfaces drop frames until it reaches them: "
                    + String.join(", ", stuck));
        }
    }

    private void recordOwner() {
        Path dir = id.stateDirectory();
        try {
            Files.createDirectories(dir);
            EmulationOwner.current(topology.name()).writeTo(id);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    private void createNamespaces() {
        List<String> hosts = topology.hosts().stream().map(h -> id.hostNamespace(h.name())).toList();
        log.accept("*** Creating " + (hosts.size() + 1) + " network namespaces");
        // The fabric with iproute2, which also makes /run/netns the shared mount point named namespaces need;
        // the hosts from threads of this process, one per core, each set up right where it is created.
        IpBatch.ip().add("netns", "add", id.fabricNamespace()).run();
        NamespaceThread.forEach(List.of(id.fabricNamespace()), ns -> {
            prepareNamespace();
            Sysctl.keepBridgedFramesFromIpHooks();
        });
        NamespaceThread.createEach(hosts, ns -> prepareNamespace());
    }

    /**
     * IPv6 is off unless asked for: its autoconfiguration chatter (DAD, router and multicast listener messages)
     * would otherwise cross every switch and count against flow rules. Set before links exist so each new
     * interface inherits it. Then {@code lo} goes up. Runs inside the namespace.
     */
    private static void prepareNamespace() {
        Sysctl.disableIpv6();
        try (NetlinkRoute netlink = NetlinkRoute.open()) {
            netlink.setLinkUp("lo", true);
            netlink.flush();
        }
    }

    private void createLinks() {
        log.accept("*** Creating " + topology.switches().size() + " switches and " + topology.links().size()
                + " links");
        IpBatch fabric = IpBatch.ipIn(id.fabricNamespace());
        for (SwitchSpec s : topology.switches()) {
            // STP off: topologies are loop-free by construction unless the user adds loops deliberately.
            fabric.addFor(describe(s), "link", "add", "name", s.name(), "type", "bridge", "stp_state", "0");
        }
        IpBatch tc = IpBatch.tcIn(id.fabricNamespace());
        for (int i = 0; i < topology.links().size(); i++) {
            LinkSpec link = topology.links().get(i);
            LinkEnd a = link.a();
            LinkEnd b = link.b();
            if (!isSwitch(a) && !isSwitch(b)) {
                addHostToHostLink(i, a, b, fabric, tc);
                continue;
            }
            String subject = describe(i, link);
            List<String> words = new ArrayList<>(List.of("link", "add", "name", a.interfaceName()));
            words.addAll(placement(a));
            words.addAll(List.of("type", "veth", "peer", "name", b.interfaceName()));
            words.addAll(placement(b));
            fabric.addFor(subject, words.toArray(String[]::new));
            for (LinkEnd end : List.of(a, b)) {
                if (isSwitch(end)) {
                    fabric.addFor(subject + ", port " + end, "link", "set", "dev", end.interfaceName(), "master",
                            end.node(), "up");
                }
            }
        }
        for (SwitchSpec s : topology.switches()) {
            fabric.addFor(describe(s), "link", "set", "dev", s.name(), "up");
        }
        fabric.run();
        tc.run();
    }

    /**
     * A link between two hosts runs through the fabric: {@code a <-> _l<n>a} and {@code _l<n>b <-> b}, joined
     * by a tc redirect in each direction. Costs two device hops in the kernel, and lets the userspace link
     * engine take the link over at any time (dropping the redirects) without touching the hosts' interfaces.
     */
    private void addHostToHostLink(int index, LinkEnd a, LinkEnd b, IpBatch fabric, IpBatch tc) {
        String towardA = LinkDevices.facingA(index);
        String towardB = LinkDevices.facingB(index);
        String subject = describe(index, topology.links().get(index));
        List<String> first = new ArrayList<>(List.of("link", "add", "name", a.interfaceName()));
        first.addAll(placement(a));
        first.addAll(List.of("type", "veth", "peer", "name", towardA));
        fabric.addFor(subject, first.toArray(String[]::new));
        List<String> second = new ArrayList<>(List.of("link", "add", "name", towardB, "type", "veth", "peer",
                "name", b.interfaceName()));
        second.addAll(placement(b));
        fabric.addFor(subject, second.toArray(String[]::new));
        fabric.addFor(subject, "link", "set", "dev", towardA, "up");
        fabric.addFor(subject, "link", "set", "dev", towardB, "up");
        for (String[] pair : List.of(new String[] {towardA, towardB}, new String[] {towardB, towardA})) {
            tc.addFor(subject, "qdisc", "add", "dev", pair[0], "ingress");
            // u32 matching everything: matchall is not built into every kernel (these machines lack it).
            tc.addFor(subject, "filter", "add", "dev", pair[0], "ingress", "protocol", "all", "u32", "match", "u32",
                    "0", "0",
                    "action", "mirred", "egress", "redirect", "dev", pair[1]);
        }
    }

    /** A link for people: its number in the file's order, its ends, and where it was written. */
    private String describe(int index, LinkSpec link) {
        return "link " + (index + 1) + " " + link.a() + " <-> " + link.b() + topology.origin().ofLink(index);
    }

    private String describe(SwitchSpec s) {
        return "switch " + s.name() + topology.origin().ofNode(s.name());
    }

    /** The words that put a new veth end in its node's namespace, with its MAC if one is configured. */
    private List<String> placement(LinkEnd end) {
        List<String> words = new ArrayList<>();
        if (end.mac() != null) {
            words.addAll(List.of("address", end.mac().toString()));
        }
        if (!isSwitch(end)) {
            words.addAll(List.of("netns", id.hostNamespace(end.node())));
        }
        return words;
    }

    private boolean isSwitch(LinkEnd end) {
        return topology.kindOf(end.node()).orElseThrow() == NodeKind.SWITCH;
    }

    private void configureHosts() {
        log.accept("*** Configuring " + topology.hosts().size() + " hosts");
        Map<String, List<LinkEnd>> interfaces = new LinkedHashMap<>();
        for (HostSpec h : topology.hosts()) {
            interfaces.put(id.hostNamespace(h.name()), new ArrayList<>());
        }
        for (LinkSpec link : topology.links()) {
            for (LinkEnd end : List.of(link.a(), link.b())) {
                if (!isSwitch(end)) {
                    interfaces.get(id.hostNamespace(end.node())).add(end);
                }
            }
        }
        Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
        for (HostSpec h : topology.hosts()) {
            String ns = id.hostNamespace(h.name());
            sysctls.put(ns, HostSysctls.effective(h, interfaces.get(ns).size()));
        }
        Map<String, HostSpec> hostOf = new LinkedHashMap<>();
        topology.hosts().forEach(h -> hostOf.put(id.hostNamespace(h.name()), h));
        NamespaceThread.forEachInParallel(List.copyOf(interfaces.keySet()), ns -> {
            // Before the interfaces come up, so no ARP exchange happens under the kernel's defaults.
            sysctls.get(ns).forEach((key, value) -> {
                try {
                    Sysctl.set(key, value);
                } catch (IllegalArgumentException e) {
                    String host = hostOf.get(ns).name();
                    throw new IllegalArgumentException("host '" + host + "'" + topology.origin().ofNode(host) + ": "
                            + e.getMessage(), e);
                }
            });
            try (NetlinkRoute netlink = NetlinkRoute.open()) {
                for (LinkEnd end : interfaces.get(ns)) {
                    if (end.ip() != null) {
                        netlink.addAddress(NetlinkRoute.indexOf(end.interfaceName()), end.ip(), end.toString());
                    }
                    netlink.setLinkUp(end.interfaceName(), true);
                }
                netlink.flush();
                addRoutes(netlink, hostOf.get(ns));
            }
        });
    }

    /** A host's routes, once its interfaces are up with their addresses: the kernel checks each gateway then. */
    private void addRoutes(NetlinkRoute netlink, HostSpec host) {
        if (host.routes().isEmpty()) {
            return;
        }
        for (HostRoute r : host.routes()) {
            netlink.addRoute(r.destination(), r.gateway(), "route " + r);
        }
        try {
            netlink.flush();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("host '" + host.name() + "'" + topology.origin().ofNode(host.name())
                    + ": " + e.getMessage(), e);
        }
    }
}
