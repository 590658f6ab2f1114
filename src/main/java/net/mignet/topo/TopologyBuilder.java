package net.mignet.topo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import net.mignet.flow.FlowRule;

/**
 * Builds a {@link Topology} the way Mininet's {@code Topo} does: add hosts, switches and links; interface names
 * that are not given are chosen here ({@code h1-eth0} on hosts, {@code s1-h1} on switches).
 */
public final class TopologyBuilder {
    private final String name;
    private final List<HostSpec> hosts = new ArrayList<>();
    private final List<String> switchOrder = new ArrayList<>();
    private final Map<String, List<FlowRule>> flowsBySwitch = new HashMap<>();
    private final Map<String, SwitchOpenFlow> openflowBySwitch = new HashMap<>();
    private final List<LinkOptions> links = new ArrayList<>();

    TopologyBuilder(String name) {
        this.name = name;
    }

    public TopologyBuilder addHost(String host) {
        return addHost(host, (Ipv4Prefix) null);
    }

    public TopologyBuilder addHost(String host, String defaultIp) {
        return addHost(host, defaultIp == null ? null : Ipv4Prefix.parseHostAddress(defaultIp));
    }

    public TopologyBuilder addHost(String host, Ipv4Prefix defaultIp) {
        return addHost(host, defaultIp, Map.of(), HostContainer.NONE);
    }

    /** A host whose namespace gets these network sysctls, e.g. {@code net.ipv4.conf.all.arp_ignore=0}. */
    public TopologyBuilder addHost(String host, Ipv4Prefix defaultIp, Map<String, String> sysctls) {
        return addHost(host, defaultIp, sysctls, HostContainer.NONE);
    }

    /** A host with an image and/or resource limits. */
    public TopologyBuilder addHost(String host, Ipv4Prefix defaultIp, HostContainer container) {
        return addHost(host, defaultIp, Map.of(), container);
    }

    /** A host with network sysctls, and an image and/or resource limits. */
    public TopologyBuilder addHost(String host, Ipv4Prefix defaultIp, Map<String, String> sysctls,
            HostContainer container) {
        hosts.add(new HostSpec(host, defaultIp, sysctls, container));
        return this;
    }

    /**
     * Sets one network sysctl inside a host's namespace, over mignet's defaults (a host with several interfaces
     * gets {@code arp_ignore=1} and {@code arp_announce=2}, see {@link HostSysctls}).
     */
    public TopologyBuilder sysctl(String host, String key, String value) {
        return changeHost(host, "sysctl", h -> h.withSysctl(key, value));
    }

    /**
     * Gives a host a route, added in its namespace once its interfaces are up: {@code route("h1", "default",
     * "10.0.1.1")} or {@code route("h1", "10.0.2.0/24", "10.0.1.1")}. The gateway must be on one of the host's
     * subnets and not its own address; {@link #build} checks that, when the host's links are known.
     */
    public TopologyBuilder route(String host, String destination, String gateway) {
        HostRoute route;
        try {
            route = HostRoute.of(destination, gateway);
        } catch (IllegalArgumentException e) {
            throw new TopologyException("host '" + host + "': route '" + destination + " via " + gateway + "': "
                    + e.getMessage());
        }
        return route(host, route);
    }

    public TopologyBuilder route(String host, HostRoute route) {
        return changeHost(host, "route", h -> h.withRoute(route));
    }

    private TopologyBuilder changeHost(String host, String what, UnaryOperator<HostSpec> change) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).name().equals(host)) {
                hosts.set(i, change.apply(hosts.get(i)));
                return this;
            }
        }
        throw new TopologyException(what + " for host '" + host + "', which is not declared; call addHost first");
    }

    public TopologyBuilder addSwitch(String sw) {
        Names.requireSwitchName(sw);
        switchOrder.add(sw);
        flowsBySwitch.putIfAbsent(sw, new ArrayList<>());
        return this;
    }

    /** The switch's OpenFlow settings (the topology file's {@code openflow:}, {@code controller:}, {@code fail-mode:}). */
    public TopologyBuilder switchOpenFlow(String sw, SwitchOpenFlow settings) {
        if (!flowsBySwitch.containsKey(sw)) {
            throw new TopologyException("OpenFlow settings for switch '" + sw + "', which is not declared; call"
                    + " addSwitch first");
        }
        openflowBySwitch.put(sw, settings);
        return this;
    }

    public TopologyBuilder addFlow(String sw, FlowRule rule) {
        List<FlowRule> flows = flowsBySwitch.get(sw);
        if (flows == null) {
            throw new TopologyException("flow for switch '" + sw + "', which is not declared; call addSwitch first");
        }
        flows.add(rule);
        return this;
    }

    public TopologyBuilder addLink(String nodeA, String nodeB) {
        return addLink(nodeA, nodeB, o -> { });
    }

    public TopologyBuilder addLink(String nodeA, String nodeB, Consumer<LinkOptions> options) {
        LinkOptions o = new LinkOptions(nodeA, nodeB);
        options.accept(o);
        links.add(o);
        return this;
    }

    public Topology build() {
        List<SwitchSpec> switchSpecs = switchOrder.stream()
                .map(s -> new SwitchSpec(s, flowsBySwitch.get(s), openflowBySwitch.get(s))).toList();
        return new Topology(name, hosts, switchSpecs, resolveLinks());
    }

    /**
     * The links in the order added, with every interface name and default address filled in. Separate from
     * {@link #build} so the YAML loader can check the chosen names against the lines they came from.
     */
    List<LinkSpec> resolveLinks() {
        Set<String> switches = new HashSet<>(switchOrder);
        Map<String, Ipv4Prefix> defaults = new HashMap<>();
        hosts.forEach(h -> defaults.put(h.name(), h.defaultIp()));
        // Explicit names first, so chosen names never take one the user wrote later in the file.
        Set<String> taken = new HashSet<>();
        for (LinkOptions o : links) {
            if (o.intfA != null) {
                taken.add(o.a + "\0" + o.intfA);
            }
            if (o.intfB != null) {
                taken.add(o.b + "\0" + o.intfB);
            }
        }
        Map<String, Integer> hostInterfaceCount = new HashMap<>();
        Set<String> nodesWithAnInterface = new HashSet<>();
        List<LinkSpec> specs = new ArrayList<>(links.size());
        for (LinkOptions o : links) {
            String ia = o.intfA != null ? o.intfA
                    : chooseName(o.a, o.b, switches.contains(o.a), hostInterfaceCount, taken);
            String ib = o.intfB != null ? o.intfB
                    : chooseName(o.b, o.a, switches.contains(o.b), hostInterfaceCount, taken);
            Ipv4Prefix ipA = address(o.a, o.ipA, defaults, nodesWithAnInterface);
            Ipv4Prefix ipB = address(o.b, o.ipB, defaults, nodesWithAnInterface);
            specs.add(new LinkSpec(new LinkEnd(o.a, ia, ipA, o.macA), new LinkEnd(o.b, ib, ipB, o.macB),
                    o.aToB.apply(o.params), o.bToA.apply(o.params)));
        }
        return specs;
    }

    /**
     * A host's default address belongs to its first interface: when that interface's link gives its own address,
     * the default is not used at all rather than landing on a second interface.
     */
    private static Ipv4Prefix address(String node, Ipv4Prefix explicit, Map<String, Ipv4Prefix> defaults,
            Set<String> nodesWithAnInterface) {
        boolean first = nodesWithAnInterface.add(node);
        return explicit != null || !first ? explicit : defaults.get(node);
    }

    private static String chooseName(String node, String peer, boolean isSwitch, Map<String, Integer> hostCount,
            Set<String> taken) {
        if (isSwitch) {
            String candidate = node + "-" + peer;
            int n = 2;
            while (taken.contains(node + "\0" + candidate)) {
                candidate = node + "-" + peer + "-" + n++;
            }
            taken.add(node + "\0" + candidate);
            return candidate;
        }
        String candidate;
        do {
            int k = hostCount.merge(node, 1, Integer::sum) - 1;
            candidate = node + "-eth" + k;
        } while (taken.contains(node + "\0" + candidate));
        taken.add(node + "\0" + candidate);
        return candidate;
    }

    /** Options of one link, named after Mininet's {@code addLink} keywords. */
    public static final class LinkOptions {
        private final String a;
        private final String b;
        private String intfA;
        private String intfB;
        private Ipv4Prefix ipA;
        private Ipv4Prefix ipB;
        private MacAddress macA;
        private MacAddress macB;
        private LinkParams params = LinkParams.NONE;
        private UnaryOperator<LinkParams> aToB = UnaryOperator.identity();
        private UnaryOperator<LinkParams> bToA = UnaryOperator.identity();

        LinkOptions(String a, String b) {
            this.a = a;
            this.b = b;
        }

        public LinkOptions intfName1(String n) {
            intfA = n;
            return this;
        }

        public LinkOptions intfName2(String n) {
            intfB = n;
            return this;
        }

        public LinkOptions ip1(String cidr) {
            ipA = Ipv4Prefix.parseHostAddress(cidr);
            return this;
        }

        public LinkOptions ip2(String cidr) {
            ipB = Ipv4Prefix.parseHostAddress(cidr);
            return this;
        }

        public LinkOptions mac1(String mac) {
            macA = MacAddress.parseInterfaceAddress(mac);
            return this;
        }

        public LinkOptions mac2(String mac) {
            macB = MacAddress.parseInterfaceAddress(mac);
            return this;
        }

        public LinkOptions bw(double mbit) {
            params = params.withBandwidth(mbit);
            return this;
        }

        public LinkOptions delay(String d) {
            params = params.withDelay(LinkParams.parseDelay(d));
            return this;
        }

        public LinkOptions delay(Duration d) {
            params = params.withDelay(d);
            return this;
        }

        public LinkOptions jitter(String j) {
            params = params.withJitter(LinkParams.parseDelay(j));
            return this;
        }

        /** {@code uniform} (the default) or {@code normal}. */
        public LinkOptions distribution(String d) {
            params = params.withJitterDistribution(JitterDistribution.parse(d));
            return this;
        }

        public LinkOptions loss(double percent) {
            params = params.withLoss(percent);
            return this;
        }

        /** Gilbert-Elliott burst loss, netem's {@code gemodel p r 1-h 1-k}, in percent. */
        public LinkOptions lossModel(GilbertElliott model) {
            params = params.withLossModel(model);
            return this;
        }

        /** Percentage of frames that overtake delayed ones; above 0 it also lets jitter reorder. */
        public LinkOptions reorder(double percent) {
            params = params.withReorder(percent);
            return this;
        }

        public LinkOptions duplicate(double percent) {
            params = params.withDuplicate(percent);
            return this;
        }

        public LinkOptions corrupt(double percent) {
            params = params.withCorrupt(percent);
            return this;
        }

        /** Frames the delay queue holds at most; more are dropped. */
        public LinkOptions limit(int frames) {
            params = params.withQueueLimit(frames);
            return this;
        }

        /** Any parameter by its file and shell key, e.g. {@code set("loss", "gemodel 1% 30%")}. */
        public LinkOptions set(String key, String value) {
            params = params.with(key, value);
            return this;
        }

        /** Parameters of both directions (replacing what was set before). */
        public LinkOptions params(LinkParams p) {
            params = p;
            return this;
        }

        /**
         * Changes for the direction from the first node to the second only, applied on top of the parameters of
         * both directions: {@code addLink("h1", "s1", o -> o.delay("5ms").aToB(p -> p.withLoss(1.0)))}.
         */
        public LinkOptions aToB(UnaryOperator<LinkParams> change) {
            aToB = change;
            return this;
        }

        /** Changes for the direction from the second node to the first only; see {@link #aToB}. */
        public LinkOptions bToA(UnaryOperator<LinkParams> change) {
            bToA = change;
            return this;
        }
    }
}
