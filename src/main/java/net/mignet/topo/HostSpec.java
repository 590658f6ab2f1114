package net.mignet.topo;

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
 */
public record HostSpec(String name, Ipv4Prefix defaultIp, Map<String, String> sysctls, HostContainer container) {
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
}
