package net.mignet.topo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each host route's gateway against the host's own addresses, which only the links give: the kernel accepts a
 * gateway only on a subnet of one of the host's interfaces, refuses the broadcast address and a route to a subnet
 * the host is on already (it exists, without gateway), and accepts the host's own address, through which nothing
 * would leave. Checked before anything is built, so a build never fails half-way on a route.
 */
final class RouteGateways {
    private RouteGateways() {
    }

    static List<KernelRules.Problem> check(List<HostSpec> hosts, List<LinkSpec> links, KernelRules.Lines lines) {
        Map<String, List<LinkEnd>> addressed = new HashMap<>();
        hosts.stream().filter(h -> !h.routes().isEmpty()).forEach(h -> addressed.put(h.name(), new ArrayList<>()));
        if (addressed.isEmpty()) {
            return List.of();
        }
        for (LinkSpec l : links) {
            for (LinkEnd end : List.of(l.a(), l.b())) {
                List<LinkEnd> ends = addressed.get(end.node());
                if (ends != null && end.ip() != null) {
                    ends.add(end);
                }
            }
        }
        List<KernelRules.Problem> problems = new ArrayList<>();
        for (HostSpec h : hosts) {
            for (int i = 0; i < h.routes().size(); i++) {
                HostRoute r = h.routes().get(i);
                String problem = problem(h.name(), r, addressed.get(h.name()));
                if (problem != null) {
                    problems.add(new KernelRules.Problem(lines.route(h.name(), i), "host '" + h.name() + "': route '"
                            + r + "': " + problem));
                }
            }
        }
        return problems;
    }

    /** Null when the kernel takes the route on a host with these addressed interfaces, else why not. */
    static String problem(String host, HostRoute r, List<LinkEnd> ends) {
        if (ends.isEmpty()) {
            return "the gateway must be on one of " + host + "'s subnets, and " + host + " has no address; give it"
                    + " one (ip: 10.0.1.10/24, or ip: on a link end)";
        }
        for (LinkEnd end : ends) {
            if (end.ip().address().equals(r.gateway())) {
                return r.gateway() + " is " + host + "'s own address (on " + end.interfaceName() + "), through which"
                        + " nothing leaves; name the router's address on that subnet";
            }
            Ipv4Prefix subnet = end.ip();
            if (subnet.network().equals(r.destination().network()) && subnet.length() == r.destination().length()) {
                return r.describeDestination() + " is " + host + "'s own subnet on " + end.interfaceName()
                        + ", reached without a gateway; drop the route";
            }
        }
        Optional<LinkEnd> on = ends.stream().filter(e -> e.ip().contains(r.gateway())).findFirst();
        if (on.isEmpty()) {
            return "the gateway " + r.gateway() + " is on none of " + host + "'s subnets (" + String.join(", ",
                    ends.stream().map(e -> network(e.ip())).distinct().toList()) + "), so the kernel would refuse"
                    + " the route; name a router's address on one of them";
        }
        Ipv4Prefix subnet = on.get().ip();
        if (subnet.length() <= 30 && r.gateway().bits() == (subnet.network().bits() | ~subnet.netmaskBits())) {
            return r.gateway() + " is the broadcast address of " + network(subnet) + ", which the kernel refuses as"
                    + " a gateway; name the router's address on that subnet";
        }
        return null;
    }

    private static String network(Ipv4Prefix p) {
        return p.network() + "/" + p.length();
    }
}
