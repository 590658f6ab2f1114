package net.mignet.flow;

import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.MacAddress;

/**
 * The fields a flow rule matches on; a null field matches anything.
 *
 * @param inPort  switch port the frame arrived on (the switch-side interface name, e.g. {@code s1-h1})
 * @param ethSrc  source MAC
 * @param ethDst  destination MAC
 * @param ethType EtherType, e.g. 0x0800 for IPv4, 0x0806 for ARP
 * @param ipSrc   IPv4 source, a /32 for one address
 * @param ipDst   IPv4 destination, a /32 for one address
 * @param ipProto IP protocol number (1 ICMP, 6 TCP, 17 UDP)
 * @param tpSrc   TCP/UDP source port
 * @param tpDst   TCP/UDP destination port
 */
public record FlowMatch(String inPort, MacAddress ethSrc, MacAddress ethDst, Integer ethType,
        Ipv4Prefix ipSrc, Ipv4Prefix ipDst, Integer ipProto, Integer tpSrc, Integer tpDst) {

    public static final FlowMatch ANY = new FlowMatch(null, null, null, null, null, null, null, null, null);

    public FlowMatch withInPort(String port) {
        return new FlowMatch(port, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst);
    }
}
