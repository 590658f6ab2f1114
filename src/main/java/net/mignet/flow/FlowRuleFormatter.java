package net.mignet.flow;

import java.util.ArrayList;
import java.util.List;
import net.mignet.topo.Ipv4Prefix;

/** Writes rules back in the ovs-ofctl syntax {@link FlowRuleParser} reads, shorthands where they fit. */
public final class FlowRuleFormatter {
    private FlowRuleFormatter() {
    }

    public static String format(FlowRule rule) {
        List<String> fields = new ArrayList<>();
        if (rule.priority() != FlowRule.DEFAULT_PRIORITY) {
            fields.add("priority=" + rule.priority());
        }
        fields.addAll(matchFields(rule.match()));
        String match = String.join(",", fields);
        return (match.isEmpty() ? "" : match + " ") + "actions=" + formatActions(rule);
    }

    public static String formatMatch(FlowMatch m) {
        return String.join(",", matchFields(m));
    }

    private static List<String> matchFields(FlowMatch m) {
        List<String> f = new ArrayList<>();
        if (m.inPort() != null) {
            f.add("in_port=" + m.inPort());
        }
        String shorthand = shorthand(m);
        if (shorthand != null) {
            f.add(shorthand);
        } else if (m.ethType() != null) {
            f.add(String.format("dl_type=0x%04x", m.ethType()));
        }
        if (m.vlanVid() != null) {
            f.add(m.vlanVid() == FlowMatch.VLAN_NONE ? "dl_vlan=0xffff" : "dl_vlan=" + m.vlanVid());
        }
        if (m.ethSrc() != null) {
            f.add("dl_src=" + m.ethSrc() + (m.ethSrcMask() == null ? "" : "/" + m.ethSrcMask()));
        }
        if (m.ethDst() != null) {
            f.add("dl_dst=" + m.ethDst() + (m.ethDstMask() == null ? "" : "/" + m.ethDstMask()));
        }
        // ovs-ofctl shows ARP's protocol addresses and opcode by their ARP names.
        String ipPrefix = m.isArp() ? "arp_" : "nw_";
        if (m.ipSrc() != null) {
            f.add((m.isArp() ? "arp_spa=" : "nw_src=") + address(m.ipSrc()));
        }
        if (m.ipDst() != null) {
            f.add((m.isArp() ? "arp_tpa=" : "nw_dst=") + address(m.ipDst()));
        }
        if (m.ipProto() != null && m.isArp()) {
            f.add(ipPrefix + "op=" + m.ipProto());
        } else if (m.ipProto() != null && shorthand != null && shorthand.equals("ip")) {
            f.add("nw_proto=" + m.ipProto());
        }
        if (m.arpSha() != null) {
            f.add("arp_sha=" + m.arpSha());
        }
        if (m.arpTha() != null) {
            f.add("arp_tha=" + m.arpTha());
        }
        if (m.tpSrc() != null) {
            f.add("tp_src=" + m.tpSrc());
        }
        if (m.tpDst() != null) {
            f.add("tp_dst=" + m.tpDst());
        }
        return f;
    }

    /** The shorthand for the EtherType and protocol pair, or null when none covers it. */
    private static String shorthand(FlowMatch m) {
        if (m.ethType() == null) {
            return null;
        }
        if (m.ethType() == FlowRuleParser.ETH_ARP) {
            return "arp";
        }
        if (m.ethType() != FlowRuleParser.ETH_IPV4) {
            return null;
        }
        if (m.ipProto() == null) {
            return "ip";
        }
        return switch (m.ipProto()) {
            case FlowRuleParser.PROTO_ICMP -> "icmp";
            case FlowRuleParser.PROTO_TCP -> "tcp";
            case FlowRuleParser.PROTO_UDP -> "udp";
            default -> "ip";
        };
    }

    private static String address(Ipv4Prefix p) {
        return p.length() == 32 ? p.address().toString() : p.toString();
    }

    /** The rule's rewrites, then its action, as ovs-ofctl writes them. */
    public static String formatActions(FlowRule rule) {
        List<String> parts = new ArrayList<>();
        for (SetField f : rule.rewrites()) {
            parts.add(switch (f) {
                case SetField.EthSrc s -> "mod_dl_src:" + s.mac();
                case SetField.EthDst d -> "mod_dl_dst:" + d.mac();
                case SetField.Ipv4Src s -> "mod_nw_src:" + s.address();
                case SetField.Ipv4Dst d -> "mod_nw_dst:" + d.address();
            });
        }
        parts.add(formatAction(rule.action()));
        return String.join(",", parts);
    }

    public static String formatAction(FlowAction action) {
        return switch (action) {
            case FlowAction.Output o -> String.join(",", o.ports().stream().map(p -> "output:" + p).toList());
            case FlowAction.Drop d -> "drop";
            case FlowAction.Normal n -> "normal";
            case FlowAction.Flood f -> "flood";
            case FlowAction.Controller c -> "controller";
            case FlowAction.WithController w -> formatAction(w.forward()) + ",controller";
        };
    }
}
