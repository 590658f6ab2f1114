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
 * @param ipSrc   IPv4 source, a /32 for one address; in an ARP frame the sender's protocol address (arp_spa)
 * @param ipDst   IPv4 destination, a /32 for one address; in an ARP frame the target's protocol address (arp_tpa)
 * @param ipProto IP protocol number (1 ICMP, 6 TCP, 17 UDP); in an ARP frame the opcode (arp_op: 1 request,
 *                2 reply), as in OpenFlow, where nw_src, nw_dst and nw_proto are these ARP fields
 * @param tpSrc   TCP/UDP source port
 * @param tpDst   TCP/UDP destination port
 * @param arpSha  ARP sender hardware address
 * @param arpTha  ARP target hardware address
 * @param ethSrcMask the bits of {@code ethSrc} that must be equal (null: all of them)
 * @param ethDstMask the bits of {@code ethDst} that must be equal (null: all of them)
 * @param vlanVid the 802.1Q VLAN id (0..4095) a frame must be tagged with, or {@link #VLAN_NONE} for untagged
 *                frames only
 */
public record FlowMatch(String inPort, MacAddress ethSrc, MacAddress ethDst, Integer ethType,
        Ipv4Prefix ipSrc, Ipv4Prefix ipDst, Integer ipProto, Integer tpSrc, Integer tpDst,
        MacAddress arpSha, MacAddress arpTha, MacAddress ethSrcMask, MacAddress ethDstMask, Integer vlanVid) {

    /** {@code vlanVid} of a match of frames without a VLAN tag (ovs-ofctl's {@code dl_vlan=0xffff}). */
    public static final int VLAN_NONE = 0xffff;

    public static final FlowMatch ANY = new FlowMatch(null, null, null, null, null, null, null, null, null);

    public FlowMatch {
        // A full mask is no mask: one form for one meaning, so equal matches are equal records.
        if (ethSrcMask != null && (ethSrcMask.bits() == 0xffff_ffff_ffffL || ethSrc == null)) {
            ethSrcMask = null;
        }
        if (ethDstMask != null && (ethDstMask.bits() == 0xffff_ffff_ffffL || ethDst == null)) {
            ethDstMask = null;
        }
        if (ethSrc != null && ethSrcMask != null) {
            ethSrc = new MacAddress(ethSrc.bits() & ethSrcMask.bits());
        }
        if (ethDst != null && ethDstMask != null) {
            ethDst = new MacAddress(ethDst.bits() & ethDstMask.bits());
        }
        if (vlanVid != null && vlanVid != VLAN_NONE && (vlanVid < 0 || vlanVid > 4095)) {
            throw new IllegalArgumentException("VLAN id " + vlanVid + " is out of range 0..4095 (0xffff: no VLAN)");
        }
    }

    /** A match without masks or VLAN. */
    public FlowMatch(String inPort, MacAddress ethSrc, MacAddress ethDst, Integer ethType, Ipv4Prefix ipSrc,
            Ipv4Prefix ipDst, Integer ipProto, Integer tpSrc, Integer tpDst, MacAddress arpSha, MacAddress arpTha) {
        this(inPort, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst, arpSha, arpTha, null, null, null);
    }

    /** A match without ARP hardware addresses, masks or VLAN. */
    public FlowMatch(String inPort, MacAddress ethSrc, MacAddress ethDst, Integer ethType, Ipv4Prefix ipSrc,
            Ipv4Prefix ipDst, Integer ipProto, Integer tpSrc, Integer tpDst) {
        this(inPort, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst, null, null);
    }

    public FlowMatch withInPort(String port) {
        return new FlowMatch(port, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst, arpSha, arpTha,
                ethSrcMask, ethDstMask, vlanVid);
    }

    /** True when the frame must be ARP, so the IP fields name ARP's addresses and opcode. */
    public boolean isArp() {
        return ethType != null && ethType == 0x0806;
    }
}
