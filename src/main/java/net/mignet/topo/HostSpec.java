package net.mignet.topo;

/**
 * An emulated host: a network namespace with its own interfaces, routes and processes.
 *
 * @param name      node name, unique in the topology
 * @param defaultIp address given to the host's first interface when its link does not name one (may be null)
 */
public record HostSpec(String name, Ipv4Prefix defaultIp) {
    public HostSpec {
        Names.requireNodeName(name);
    }
}
