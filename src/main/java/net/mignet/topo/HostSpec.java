package net.mignet.topo;

/**
 * An emulated host: a network namespace with its own interfaces, routes and processes.
 *
 * @param name      node name, unique in the topology
 * @param defaultIp address given to the host's first interface when its link does not name one (may be null)
 * @param container its image and resource limits ({@link HostContainer#NONE}: a bare network namespace)
 */
public record HostSpec(String name, Ipv4Prefix defaultIp, HostContainer container) {
    public HostSpec {
        Names.requireNodeName(name);
        container = container == null ? HostContainer.NONE : container;
    }

    public HostSpec(String name, Ipv4Prefix defaultIp) {
        this(name, defaultIp, HostContainer.NONE);
    }
}
