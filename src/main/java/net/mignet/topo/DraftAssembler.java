package net.mignet.topo;

import static net.mignet.topo.SourceProblems.NO_LINE;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.mignet.topo.TopologyDraft.EndDraft;
import net.mignet.topo.TopologyDraft.FlowDraft;
import net.mignet.topo.TopologyDraft.LinkDraft;
import net.mignet.topo.TopologyDraft.NodeDraft;

/**
 * Turns a {@link TopologyDraft} into a {@link Topology} through {@link TopologyBuilder}. Makes the checks the
 * {@code Topology} constructor would make, but here, where each part still knows its line, so the user is told
 * where to look; the constructor's own validation then only confirms.
 */
final class DraftAssembler {
    private final TopologyDraft draft;
    private final SourceProblems problems;
    /** First declaration of each node name. */
    private final Map<String, NodeDraft> nodes = new LinkedHashMap<>();

    private DraftAssembler(TopologyDraft draft, SourceProblems problems) {
        this.draft = draft;
        this.problems = problems;
    }

    /** Throws every problem found, the reader's and this class's, together. */
    static Topology assemble(TopologyDraft draft, SourceProblems problems) {
        return new DraftAssembler(draft, problems).assemble();
    }

    /** The topology and the apps of its {@code apps:} section, whose hosts must be hosts of the topology. */
    static Lab assembleLab(TopologyDraft draft, SourceProblems problems) {
        Topology topology = new DraftAssembler(draft, problems).assemble();
        return new Lab(topology, draft.apps().stream().map(TopologyDraft.AppDraft::spec).toList());
    }

    private void checkApps() {
        Map<String, Integer> seen = new HashMap<>();
        for (TopologyDraft.AppDraft app : draft.apps()) {
            Integer first = seen.putIfAbsent(app.spec().name(), app.line());
            if (first != null) {
                problems.add(app.line(), "app '" + app.spec().name() + "' is declared twice (first on line " + first
                        + "); give each app its own name");
            }
            NodeDraft named = nodes.get(app.spec().name());
            if (named != null) {
                problems.add(app.line(), "app '" + app.spec().name() + "' has the name of " + kind(named) + " '"
                        + named.name() + "' (line " + named.line() + "), which commands such as 'limit "
                        + named.name() + "' would reach instead; give the app its own name");
            }
            NodeDraft host = nodes.get(app.spec().host());
            if (host == null || host.kind() != NodeKind.HOST) {
                problems.add(app.hostLine(), "app '" + app.spec().name() + "' runs on '" + app.spec().host()
                        + "', which is " + (host == null ? "not a node of this topology" : "a switch")
                        + "; name a host" + Suggestions.didYouMean(app.spec().host(), nodes.values().stream()
                                .filter(n -> n.kind() == NodeKind.HOST).map(NodeDraft::name).toList())
                        + " (hosts: " + String.join(", ", nodes.values().stream()
                                .filter(n -> n.kind() == NodeKind.HOST).map(NodeDraft::name).toList()) + ")");
            } else if (host.container() != null) {
                try {
                    app.spec().limits().requireWithin(host.container().limits(), "app '" + app.spec().name() + "'",
                            host.name());
                } catch (IllegalArgumentException e) {
                    problems.add(app.line(), e.getMessage().replaceFirst("\\(limit [^)]*\\)$", "(its cpu:,"
                            + " memory: or pids:)"));
                }
            }
        }
    }

    private Topology assemble() {
        String nameProblem = Names.topologyNameProblem(draft.name());
        if (nameProblem != null) {
            problems.add(draft.nameLine(), nameProblem);
        }
        checkNodes();
        checkOpenFlowListeners();
        draft.links().forEach(this::checkLink);
        checkApps();
        problems.throwIfAny();

        TopologyBuilder builder = Topology.builder(draft.name());
        for (NodeDraft n : nodes.values()) {
            if (n.kind() == NodeKind.HOST) {
                builder.addHost(n.name(), n.defaultIp(), n.sysctls(), n.container());
                n.routes().forEach(r -> builder.route(n.name(), r.route()));
            } else {
                builder.addSwitch(n.name());
                if (n.openflow().given()) {
                    builder.switchOpenFlow(n.name(), n.openflow());
                }
            }
        }
        draft.links().forEach(link -> builder.addLink(link.a().node(), link.b().node(), o -> {
            o.intfName1(link.a().intf()).intfName2(link.b().intf()).params(link.aToB());
            if (!link.bToA().equals(link.aToB())) {
                o.bToA(ignored -> link.bToA());
            }
            if (link.a().ip() != null) {
                o.ip1(link.a().ip().toString());
            }
            if (link.b().ip() != null) {
                o.ip2(link.b().ip().toString());
            }
            if (link.a().mac() != null) {
                o.mac1(link.a().mac().toString());
            }
            if (link.b().mac() != null) {
                o.mac2(link.b().mac().toString());
            }
        }));
        List<LinkSpec> resolved = builder.resolveLinks();
        Map<String, Set<String>> ports = checkInterfaces(resolved);
        checkFlows(ports);
        problems.throwIfAny();
        checkKernelRules(resolved);
        problems.throwIfAny();

        nodes.values().forEach(n -> n.flows().forEach(f -> builder.addFlow(n.name(), f.rule())));
        try {
            return builder.build().withOrigin(sourceLines());
        } catch (TopologyException e) {
            // Only reached if the checks above miss a rule of Topology's; still say which file it is.
            e.problems().forEach(p -> problems.add(NO_LINE, p));
            throw problems.toException();
        }
    }

    private SourceLines sourceLines() {
        Map<String, Integer> nodeLines = new HashMap<>();
        nodes.values().forEach(n -> nodeLines.put(n.name(), n.line()));
        return new SourceLines(problems.source(), nodeLines, draft.links().stream().map(LinkDraft::line).toList());
    }

    private void checkKernelRules(List<LinkSpec> resolved) {
        List<HostSpec> hosts = nodes.values().stream().filter(n -> n.kind() == NodeKind.HOST)
                .map(n -> new HostSpec(n.name(), n.defaultIp(), n.sysctls(), HostContainer.NONE, n.hostRoutes()))
                .toList();
        List<SwitchSpec> switches = nodes.values().stream().filter(n -> n.kind() == NodeKind.SWITCH)
                .map(n -> new SwitchSpec(n.name(), n.flows().stream().map(FlowDraft::rule).toList(), n.openflow()))
                .toList();
        KernelRules.Lines lines = new KernelRules.Lines() {
            @Override
            public int node(String name) {
                return nodes.get(name).line();
            }

            @Override
            public int end(int link, boolean sideA) {
                LinkDraft l = draft.links().get(link);
                return sideA ? l.a().line() : l.b().line();
            }

            @Override
            public int route(String host, int index) {
                return nodes.get(host).routes().get(index).line();
            }
        };
        KernelRules.check(hosts, switches, resolved, lines).forEach(p -> problems.add(p.line(), p.message()));
    }

    /** Two switches cannot listen on one address. */
    private void checkOpenFlowListeners() {
        Map<OpenFlowAddress, NodeDraft> taken = new HashMap<>();
        for (NodeDraft n : draft.nodes()) {
            OpenFlowAddress listen = n.openflow().listen();
            if (listen == null) {
                continue;
            }
            NodeDraft first = taken.putIfAbsent(listen, n);
            if (first != null && first != n) {
                problems.add(n.openflowLine(), "switch '" + n.name() + "' listens for OpenFlow on " + listen
                        + ", as switch '" + first.name() + "' does (line " + first.openflowLine()
                        + "); give each switch its own port");
            }
        }
    }

    private void checkNodes() {
        draft.nodes().stream()
                .sorted((x, y) -> Integer.compare(x.line(), y.line()))
                .forEach(n -> {
                    NodeDraft first = nodes.putIfAbsent(n.name(), n);
                    if (first != null) {
                        problems.add(n.line(), "node '" + n.name() + "' is declared twice (as a " + kind(first)
                                + " on line " + first.line() + ", again as a " + kind(n)
                                + " here); give each node its own name");
                    }
                });
    }

    private void checkLink(LinkDraft link) {
        if (link.a().node().equals(link.b().node())) {
            problems.add(link.line(), "link " + link + " connects node '" + link.a().node()
                    + "' to itself; a link needs two different nodes");
        }
        for (EndDraft end : List.of(link.a(), link.b())) {
            NodeDraft node = nodes.get(end.node());
            if (node == null) {
                problems.add(end.line(), "link " + link + " names node '" + end.node() + "', which is not declared"
                        + Suggestions.didYouMean(end.node(), nodes.keySet())
                        + "; declare it under hosts or switches, or fix the name");
            } else if (node.kind() == NodeKind.SWITCH && end.ip() != null) {
                problems.add(end.line(), "link " + link + " gives switch port " + end + " the address " + end.ip()
                        + "; switch ports carry no address, put it on the host's end");
            }
        }
    }

    /**
     * Checks the names the builder chose for interfaces the file did not name, and that no node gets one name
     * twice; returns each switch's ports in link order.
     */
    private Map<String, Set<String>> checkInterfaces(List<LinkSpec> resolved) {
        Map<String, Integer> lineOfInterface = new HashMap<>();
        Map<String, Set<String>> ports = new HashMap<>();
        for (int i = 0; i < resolved.size(); i++) {
            LinkDraft link = draft.links().get(i);
            List<EndDraft> ends = List.of(link.a(), link.b());
            List<LinkEnd> chosen = List.of(resolved.get(i).a(), resolved.get(i).b());
            for (int side = 0; side < 2; side++) {
                EndDraft end = ends.get(side);
                String name = chosen.get(side).interfaceName();
                String problem = end.intf() == null ? Names.interfaceNameProblem(name) : null;
                if (problem != null) {
                    problems.add(end.line(), "link " + link + ": the default interface name on '" + end.node()
                            + "' does not fit: " + problem + "; write the end as '" + end.node() + ":NAME'");
                    continue;
                }
                Integer other = lineOfInterface.putIfAbsent(end.node() + "\0" + name, end.line());
                if (other != null) {
                    problems.add(end.line(), "node '" + end.node() + "' has two interfaces named '" + name
                            + "' (the other on line " + other + "); name them differently");
                }
                if (nodes.get(end.node()).kind() == NodeKind.SWITCH) {
                    ports.computeIfAbsent(end.node(), k -> new LinkedHashSet<>()).add(name);
                }
            }
        }
        return ports;
    }

    private void checkFlows(Map<String, Set<String>> portsBySwitch) {
        for (NodeDraft sw : nodes.values()) {
            Set<String> ports = portsBySwitch.getOrDefault(sw.name(), Set.of());
            for (FlowDraft flow : sw.flows()) {
                for (String port : Topology.portsNamedBy(flow.rule())) {
                    if (!ports.contains(port)) {
                        problems.add(flow.line(), "flow '" + flow.text() + "' names port '" + port + "', which switch '"
                                + sw.name() + "' does not have" + Suggestions.didYouMean(port, ports) + " (its ports: "
                                + (ports.isEmpty() ? "none" : String.join(", ", ports)) + ")");
                    }
                }
            }
        }
    }

    private static String kind(NodeDraft n) {
        return n.kind() == NodeKind.HOST ? "host" : "switch";
    }
}
