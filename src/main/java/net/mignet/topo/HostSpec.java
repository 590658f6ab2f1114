package net.mignet.topo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An emulated host: a network namespace with its own interfaces, routes and processes.
 *
 * @param name      node name, unique in the topology
 * @param defaultIp address given to the host's first interface when its link does not name one (may be null)
 * @param sysctls   network sysctls set inside the host's namespace, e.g. {@code net.ipv4.conf.all.arp_ignore=0};
 *                  they override mignet's defaults ({@link HostSysctls})
 * @param container its image and resource limits ({@link HostContainer#NONE}: a bare network namespace)
 * @param routes    routes added in its namespace once its interfaces are up, at most one per destination
 */
public record HostSpec(String name, Ipv4Prefix defaultIp, Map<String, String> sysctls, HostContainer container,
        List<HostRoute> routes) {
    public HostSpec {
        Names.requireNodeName(name);
        sysctls = sysctls == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(sysctls));
        for (Map.Entry<String, String> e : sysctls.entrySet()) {
            String problem = HostSysctls.problem(e.getKey(), e.getValue());
            if (problem != null) {
                throw new TopologyException("host '" + name + "': " + problem);
            }
        }
        container = container == null ? HostContainer.NONE : container;
        routes = routes == null ? List.of() : List.copyOf(routes);
        // The kernel keeps one route per destination (a second is refused as existing), so two can only be a slip.
        Map<Ipv4Prefix, HostRoute> byDestination = new HashMap<>();
        for (HostRoute r : routes) {
            HostRoute first = byDestination.putIfAbsent(r.destination(), r);
            if (first != null) {
                throw new TopologyException("host '" + name + "': the route to " + r.describeDestination()
                        + " is given twice ('" + first + "' and '" + r + "'); keep one");
            }
        }
    }

    public HostSpec(String name, Ipv4Prefix defaultIp, Map<String, String> sysctls, HostContainer container) {
        this(name, defaultIp, sysctls, container, List.of());
    }

    public HostSpec(String name, Ipv4Prefix defaultIp) {
        this(name, defaultIp, Map.of(), HostContainer.NONE);
    }

    public HostSpec(String name, Ipv4Prefix defaultIp, Map<String, String> sysctls) {
        this(name, defaultIp, sysctls, HostContainer.NONE);
    }

    public HostSpec(String name, Ipv4Prefix defaultIp, HostContainer container) {
        this(name, defaultIp, Map.of(), container);
    }

    /** This host with one sysctl more (or changed). */
    public HostSpec withSysctl(String key, String value) {
        Map<String, String> merged = new HashMap<>(sysctls);
        merged.put(key, value);
        return new HostSpec(name, defaultIp, merged, container, routes);
    }

    /** This host with one route more. */
    public HostSpec withRoute(HostRoute route) {
        List<HostRoute> more = new java.util.ArrayList<>(routes);
        more.add(route);
        return new HostSpec(name, defaultIp, sysctls, container, more);
    }
}
