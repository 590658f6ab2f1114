package net.mignet.topo;

/**
 * One end of a link: the node, the interface the link creates on it, and that interface's addresses.
 *
 * @param node      node name
 * @param interfaceName interface name on that node (at most 15 bytes of {@code [A-Za-z0-9_.-]})
 * @param ip        IPv4 address with prefix length, or null (switch ports have none)
 * @param mac       MAC address, or null for one chosen by mignet
 */
public record LinkEnd(String node, String interfaceName, Ipv4Prefix ip, MacAddress mac) {
    public LinkEnd withInterfaceName(String name) {
        return new LinkEnd(node, name, ip, mac);
    }

    public LinkEnd withIp(Ipv4Prefix address) {
        return new LinkEnd(node, interfaceName, address, mac);
    }

    public LinkEnd withMac(MacAddress address) {
        return new LinkEnd(node, interfaceName, ip, address);
    }

    @Override
    public String toString() {
        return node + ":" + interfaceName;
    }
}
