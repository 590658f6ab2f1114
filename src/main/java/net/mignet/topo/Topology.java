package net.mignet.topo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.mignet.flow.FlowRule;

/**
 * An immutable description of a network: what to build, not the running network. Validated on construction,
 * so a {@code Topology} that exists can be realized; every problem is reported at once.
 */
public record Topology(String name, List<HostSpec> hosts, List<SwitchSpec> switches, List<LinkSpec> links,
        SourceLines origin) {

    public Topology {
        hosts = List.copyOf(hosts);
        switches = List.copyOf(switches);
        links = List.copyOf(links);
        origin = origin == null ? SourceLines.NONE : origin;
        List<String> problems = validate(name, hosts, switches, links);
        if (!problems.isEmpty()) {
            throw new TopologyException(problems);
        }
    }

    public Topology(String name, List<HostSpec> hosts, List<SwitchSpec> switches, List<LinkSpec> links) {
        this(name, hosts, switches, links, SourceLines.NONE);
    }

    /** The same topology, knowing where its parts were written. */
    public Topology withOrigin(SourceLines lines) {
        return new Topology(name, hosts, switches, links, lines);
    }

    /** Where a topology was written is not part of what it is: two equal networks are equal from any file. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Topology t && name.equals(t.name) && hosts.equals(t.hosts) && switches.equals(t.switches)
                && links.equals(t.links);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, hosts, switches, links);
    }

    public static TopologyBuilder builder(String name) {
        return new TopologyBuilder(name);
    }

    public Optional<HostSpec> host(String nodeName) {
        return hosts.stream().filter(h -> h.name().equals(nodeName)).findFirst();
    }

    public Optional<SwitchSpec> switchNamed(String nodeName) {
        return switches.stream().filter(s -> s.name().equals(nodeName)).findFirst();
    }

    public Optional<NodeKind> kindOf(String nodeName) {
        if (host(nodeName).isPresent()) {
            return Optional.of(NodeKind.HOST);
        }
        return switchNamed(nodeName).map(s -> NodeKind.SWITCH);
    }

    /** The links of a node, in declaration order. */
    public List<LinkSpec> linksOf(String nodeName) {
        return links.stream().filter(l -> l.touches(nodeName)).toList();
    }

    /** The interfaces a node gets from its links, in declaration order. */
    public List<LinkEnd> interfacesOf(String nodeName) {
        return linksOf(nodeName).stream().map(l -> l.endOn(nodeName)).toList();
    }

    /** The network sysctls of a host's namespace: mignet's defaults for its interface count, then its own. */
    public Map<String, String> sysctlsOf(String hostName) {
        HostSpec h = host(hostName).orElseThrow(() -> new IllegalArgumentException("no host named " + hostName));
        return HostSysctls.effective(h, interfacesOf(hostName).size());
    }

    /** Switch ports, i.e. the switch-side interface names. */
    public List<String> portsOf(String switchName) {
        return interfacesOf(switchName).stream().map(LinkEnd::interfaceName).toList();
    }

    private static List<String> validate(String name, List<HostSpec> hosts, List<SwitchSpec> switches,
            List<LinkSpec> links) {
        List<String> problems = new ArrayList<>();
        String nameProblem = Names.topologyNameProblem(name);
        if (nameProblem != null) {
            problems.add(nameProblem);
        }
        Map<String, NodeKind> kinds = new HashMap<>();
        for (HostSpec h : hosts) {
            if (kinds.put(h.name(), NodeKind.HOST) != null) {
                problems.add("node '" + h.name() + "' is declared twice; give each node its own name");
            }
        }
        for (SwitchSpec s : switches) {
            if (kinds.put(s.name(), NodeKind.SWITCH) != null) {
                problems.add("node '" + s.name() + "' is declared twice; give each node its own name");
            }
        }
        Map<String, Set<String>> interfacesByNode = new HashMap<>();
        for (LinkSpec link : links) {
            if (link.a().node().equals(link.b().node())) {
                problems.add("link " + link + " connects node '" + link.a().node()
                        + "' to itself; a link needs two different nodes");
            }
            for (LinkEnd end : List.of(link.a(), link.b())) {
                NodeKind kind = kinds.get(end.node());
                if (kind == null) {
                    problems.add("link " + link + " names node '" + end.node() + "', which is not declared;"
                            + " declare it under hosts or switches, or fix the name (known: " + known(kinds) + ")");
                    continue;
                }
                String ifProblem = Names.interfaceNameProblem(end.interfaceName());
                if (ifProblem != null) {
                    problems.add("link " + link + ": " + ifProblem);
                } else if (!interfacesByNode.computeIfAbsent(end.node(), k -> new HashSet<>()).add(end.interfaceName())) {
                    problems.add("node '" + end.node() + "' has two interfaces named '" + end.interfaceName()
                            + "'; name them differently");
                }
                if (kind == NodeKind.SWITCH && end.ip() != null) {
                    problems.add("link " + link + " gives switch port " + end + " the address " + end.ip()
                            + "; switch ports carry no address, put it on the host's end");
                }
            }
        }
        if (problems.isEmpty()) {
            KernelRules.check(hosts, switches, links, KernelRules.Lines.NONE)
                    .forEach(p -> problems.add(p.message()));
        }
        for (SwitchSpec s : switches) {
            Set<String> ports = interfacesByNode.getOrDefault(s.name(), Set.of());
            for (FlowRule rule : s.flows()) {
                for (String port : portsNamedBy(rule)) {
                    if (!ports.contains(port)) {
                        problems.add("flow on switch '" + s.name() + "' names port '" + port + "', which '" + s.name()
                                + "' does not have (its ports: " + String.join(", ", ports.stream().sorted().toList())
                                + ")");
                    }
                }
            }
        }
        return problems;
    }

    /** The switch ports a rule refers to, which must exist on its switch. */
    static List<String> portsNamedBy(FlowRule rule) {
        List<String> named = new ArrayList<>();
        if (rule.match().inPort() != null) {
            named.add(rule.match().inPort());
        }
        named.addAll(rule.action().outputPorts());
        return named;
    }

    private static String known(Map<String, NodeKind> kinds) {
        List<String> names = kinds.keySet().stream().sorted().limit(12).toList();
        return names.isEmpty() ? "none" : String.join(", ", names) + (kinds.size() > 12 ? ", ..." : "");
    }
}
