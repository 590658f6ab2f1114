package net.mignet.topo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Rules the kernel would enforce only after namespaces exist, checked on the whole topology before anything is
 * built: interface addresses and MACs of kinds an interface can carry, a host's {@code ip:} not silently
 * replaced, at most {@link #MAX_BRIDGE_PORTS} ports per bridge, unique device names in the fabric namespace,
 * which holds every switch and every switch port, and routes through gateways the kernel accepts.
 */
final class KernelRules {
    /** A Linux bridge numbers its ports 1..1023 (BR_MAX_PORTS is 1024 with port 0 unused). */
    static final int MAX_BRIDGE_PORTS = 1023;

    /** Where each part was written; {@link SourceProblems#NO_LINE} for topologies built in Java. */
    interface Lines {
        int node(String name);

        int end(int link, boolean sideA);

        /** The line of a host's route, by its index in {@link HostSpec#routes}; its node's when not known. */
        default int route(String host, int index) {
            return node(host);
        }

        Lines NONE = new Lines() {
            @Override
            public int node(String name) {
                return SourceProblems.NO_LINE;
            }

            @Override
            public int end(int link, boolean sideA) {
                return SourceProblems.NO_LINE;
            }
        };
    }

    record Problem(int line, String message) {
    }

    private KernelRules() {
    }

    static List<Problem> check(List<HostSpec> hosts, List<SwitchSpec> switches, List<LinkSpec> links, Lines lines) {
        List<Problem> problems = new ArrayList<>();
        Set<String> switchNames = switches.stream().map(SwitchSpec::name).collect(Collectors.toSet());
        checkEnds(links, switchNames, lines, problems);
        checkDefaultAddresses(hosts, links, lines, problems);
        checkPortCounts(switches, links, lines, problems);
        checkFabricNames(switches, links, switchNames, lines, problems);
        problems.addAll(SwitchLoops.check(switches, links, lines));
        problems.addAll(RouteGateways.check(hosts, links, lines));
        return problems;
    }

    private static void checkEnds(List<LinkSpec> links, Set<String> switchNames, Lines lines, List<Problem> out) {
        for (int i = 0; i < links.size(); i++) {
            for (boolean sideA : new boolean[] {true, false}) {
                LinkEnd end = sideA ? links.get(i).a() : links.get(i).b();
                String macProblem = end.mac() == null ? null : end.mac().interfaceAddressProblem();
                if (macProblem != null) {
                    out.add(new Problem(lines.end(i, sideA), end + ": " + macProblem));
                }
                String ipProblem = end.ip() == null || switchNames.contains(end.node()) ? null
                        : end.ip().hostAddressProblem();
                if (ipProblem != null) {
                    out.add(new Problem(lines.end(i, sideA), end + ": " + ipProblem));
                }
            }
        }
    }

    /** A host's {@code ip:} belongs to its first interface; a link giving that interface another one loses it. */
    private static void checkDefaultAddresses(List<HostSpec> hosts, List<LinkSpec> links, Lines lines,
            List<Problem> out) {
        // One pass for every node's first interface: topologies may have 100 000 hosts.
        Map<String, Integer> firstLink = new HashMap<>();
        for (int i = 0; i < links.size(); i++) {
            firstLink.putIfAbsent(links.get(i).a().node(), i);
            firstLink.putIfAbsent(links.get(i).b().node(), i);
        }
        for (HostSpec h : hosts) {
            if (h.defaultIp() == null) {
                continue;
            }
            String problem = h.defaultIp().hostAddressProblem();
            if (problem != null) {
                out.add(new Problem(lines.node(h.name()), "host '" + h.name() + "': " + problem));
                continue;
            }
            Integer i = firstLink.get(h.name());
            if (i == null) {
                continue;
            }
            LinkSpec l = links.get(i);
            LinkEnd first = l.endOn(h.name());
            if (first.ip() != null && !first.ip().equals(h.defaultIp())) {
                out.add(new Problem(lines.end(i, l.a() == first), "host '" + h.name() + "' has ip: "
                        + h.defaultIp() + ", but its first interface " + first + " is given " + first.ip()
                        + " here, so the host's ip: would be ignored; keep only one of the two"));
            }
        }
    }

    private static void checkPortCounts(List<SwitchSpec> switches, List<LinkSpec> links, Lines lines,
            List<Problem> out) {
        Map<String, Integer> ports = new HashMap<>();
        for (LinkSpec l : links) {
            for (LinkEnd end : List.of(l.a(), l.b())) {
                ports.merge(end.node(), 1, Integer::sum);
            }
        }
        for (SwitchSpec s : switches) {
            int n = ports.getOrDefault(s.name(), 0);
            if (n > MAX_BRIDGE_PORTS) {
                out.add(new Problem(lines.node(s.name()), "switch '" + s.name() + "' has " + n + " ports; a Linux"
                        + " bridge takes at most " + MAX_BRIDGE_PORTS + ": spread the links over several switches"
                        + " (e.g. --topo tree,2,32 instead of single,1024)"));
            }
        }
    }

    /** Switches and switch ports are devices of one namespace, so no two may share a name. */
    private static void checkFabricNames(List<SwitchSpec> switches, List<LinkSpec> links, Set<String> switchNames,
            Lines lines, List<Problem> out) {
        Map<String, String> owner = new HashMap<>();
        for (SwitchSpec s : switches) {
            owner.put(s.name(), "switch '" + s.name() + "'");
        }
        for (int i = 0; i < links.size(); i++) {
            for (boolean sideA : new boolean[] {true, false}) {
                LinkEnd end = sideA ? links.get(i).a() : links.get(i).b();
                if (!switchNames.contains(end.node())) {
                    continue;
                }
                String mine = "port " + end;
                String other = owner.putIfAbsent(end.interfaceName(), mine);
                if (other != null && !other.equals(mine)) {
                    out.add(new Problem(lines.end(i, sideA), mine + " has the name of " + other + "; all switches"
                            + " and switch ports are devices of one namespace, so give the port another name, e.g. '"
                            + end.node() + ":" + end.node() + "-" + links.get(i).otherEnd(end.node()).node() + "'"));
                }
            }
        }
    }
}
