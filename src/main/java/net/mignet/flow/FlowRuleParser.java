package net.mignet.flow;

import java.util.ArrayList;
import java.util.List;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.MacAddress;

/**
 * Parses flow rules written in ovs-ofctl syntax: match fields separated by commas (or spaces), then
 * {@code actions=} and a comma-separated action list, e.g.
 * {@code priority=100,in_port=s1-h1,udp,tp_dst=8888 actions=output:s1-h2}.
 */
public final class FlowRuleParser {
    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    private static final String EXAMPLE = "e.g. 'priority=100,in_port=s1-h1,udp,tp_dst=8888 actions=output:s1-h2'";

    private FlowRuleParser() {
    }

    /** A match with the priority written beside it (null when none was), as {@code mod} and {@code del} take. */
    public record MatchSpec(FlowMatch match, Integer priority) {
    }

    /**
     * Parses one rule, e.g. {@code priority=100,in_port=s1-h1,udp,tp_dst=8888 actions=output:s1-h2}.
     *
     * @throws IllegalArgumentException naming the bad part and what to write instead
     */
    public static FlowRule parse(String text) {
        int at = actionsStart(text);
        if (at < 0) {
            throw new IllegalArgumentException("a rule needs 'actions=...' after its match, " + EXAMPLE);
        }
        MatchSpec spec = parseMatch(text.substring(0, at));
        Actions actions = parseActionList(text.substring(at + "actions=".length()));
        return new FlowRule(spec.priority() == null ? FlowRule.DEFAULT_PRIORITY : spec.priority(), spec.match(),
                actions.action(), actions.rewrites());
    }

    /** Parses a match alone (for {@code del} and the selector of {@code mod}); actions are not allowed here. */
    public static MatchSpec parseMatch(String text) {
        if (actionsStart(text) >= 0) {
            throw new IllegalArgumentException("'actions=' does not belong in a match; write only fields, "
                    + "e.g. 'in_port=s1-h1,udp'");
        }
        MatchBuilder m = new MatchBuilder();
        for (String token : text.strip().split("[,\\s]+")) {
            if (!token.isEmpty()) {
                m.field(token);
            }
        }
        return new MatchSpec(m.build(), m.priority);
    }

    /** Where {@code actions=} starts as a whole word, or -1. */
    private static int actionsStart(String text) {
        int i = text.indexOf("actions=");
        while (i > 0 && !(Character.isWhitespace(text.charAt(i - 1)) || text.charAt(i - 1) == ',')) {
            i = text.indexOf("actions=", i + 1);
        }
        return i;
    }

    /** An action list: the rewrites, then what happens to the frame. */
    public record Actions(FlowAction action, List<SetField> rewrites) {
    }

    static FlowAction parseActions(String text) {
        return parseActionList(text).action();
    }

    /**
     * Parses an action list such as {@code mod_nw_dst:10.0.0.3,mod_dl_dst:00:00:00:00:00:03,output:s1-h3}; a
     * {@code controller} beside outputs, {@code normal} or {@code flood} sends the frame on and to the controller.
     */
    public static Actions parseActionList(String text) {
        String[] parts = text.strip().split("\\s*,\\s*");
        List<String> outputs = new ArrayList<>();
        List<SetField> rewrites = new ArrayList<>();
        FlowAction single = null;
        boolean controller = false;
        for (String part : parts) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty action list: write e.g. 'actions=output:s1-h2',"
                        + " 'actions=drop', 'actions=normal' or 'actions=flood'");
            }
            SetField rewrite = rewrite(p);
            if (rewrite != null) {
                if (single != null || controller || !outputs.isEmpty()) {
                    throw new IllegalArgumentException("'" + p + "' comes after an output: write rewrites first"
                            + " (the switch rewrites a frame once, before it sends it anywhere)");
                }
                rewrites.add(rewrite);
                continue;
            }
            if (p.startsWith("output:")) {
                String port = p.substring("output:".length());
                if (port.isEmpty()) {
                    throw new IllegalArgumentException("'output:' needs a port, e.g. 'output:s1-h2'");
                }
                outputs.add(port);
                continue;
            }
            if (isController(p)) {
                if (controller) {
                    throw new IllegalArgumentException("'controller' is given twice");
                }
                controller = true;
                continue;
            }
            FlowAction a = switch (p) {
                case "drop" -> new FlowAction.Drop();
                case "normal", "NORMAL" -> new FlowAction.Normal();
                case "flood", "FLOOD", "all", "ALL" -> new FlowAction.Flood();
                default -> throw new IllegalArgumentException("unknown action '" + p + "': use output:PORT"
                        + " (repeatable), drop, normal, flood or controller");
            };
            if (single != null) {
                throw new IllegalArgumentException("'" + p + "' cannot be combined with another action");
            }
            single = a;
        }
        if (single != null && !outputs.isEmpty()) {
            throw new IllegalArgumentException("output:PORT cannot be combined with " + describe(single)
                    + "; write only the output actions, or only " + describe(single));
        }
        if (single instanceof FlowAction.Drop && controller) {
            throw new IllegalArgumentException("drop cannot be combined with controller: write only 'controller'"
                    + " to send frames to the controller and nowhere else");
        }
        if (single == null && outputs.isEmpty() && !controller) {
            throw new IllegalArgumentException("rewrites need an action after them, e.g. 'mod_nw_dst:10.0.0.3,"
                    + "output:s1-h3' or '...,normal'");
        }
        FlowAction forward = single != null ? single : outputs.isEmpty() ? null : new FlowAction.Output(outputs);
        FlowAction action = !controller ? forward
                : forward == null ? new FlowAction.Controller() : new FlowAction.WithController(forward);
        return new Actions(action, rewrites);
    }

    /** {@code controller}, or ovs-ofctl's {@code controller:MAX_LEN} (whole frames are always sent). */
    private static boolean isController(String p) {
        String lower = p.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("controller")) {
            return true;
        }
        if (!lower.startsWith("controller:")) {
            return false;
        }
        String maxLen = p.substring("controller:".length());
        if (!maxLen.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("'" + p + "': write controller or controller:MAX_LEN, e.g."
                    + " controller:65535 (the switch always sends whole frames)");
        }
        return true;
    }

    /** A set-field action in ovs-ofctl's forms, or null when {@code p} is none. */
    private static SetField rewrite(String p) {
        String field;
        String value;
        if (p.startsWith("set_field:")) {
            int arrow = p.indexOf("->");
            if (arrow < 0) {
                throw new IllegalArgumentException("'" + p + "': write set_field:VALUE->FIELD, e.g."
                        + " set_field:10.0.0.3->ip_dst");
            }
            value = p.substring("set_field:".length(), arrow);
            field = p.substring(arrow + 2);
        } else if (p.startsWith("mod_") && p.indexOf(':') > 0) {
            field = p.substring(0, p.indexOf(':'));
            value = p.substring(p.indexOf(':') + 1);
        } else {
            return null;
        }
        try {
            return switch (field) {
                case "eth_src", "dl_src", "mod_dl_src" -> new SetField.EthSrc(MacAddress.parse(value));
                case "eth_dst", "dl_dst", "mod_dl_dst" -> new SetField.EthDst(MacAddress.parse(value));
                case "ip_src", "nw_src", "ipv4_src", "mod_nw_src" -> new SetField.Ipv4Src(Ipv4Address.parse(value));
                case "ip_dst", "nw_dst", "ipv4_dst", "mod_nw_dst" -> new SetField.Ipv4Dst(Ipv4Address.parse(value));
                default -> throw new IllegalArgumentException("cannot rewrite '" + field + "': the switch rewrites"
                        + " eth_src, eth_dst, ip_src and ip_dst (mod_dl_src, mod_dl_dst, mod_nw_src, mod_nw_dst)");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + p + "': " + e.getMessage(), e);
        }
    }

    private static String describe(FlowAction a) {
        return switch (a) {
            case FlowAction.Drop d -> "drop";
            case FlowAction.Normal n -> "normal";
            case FlowAction.Flood f -> "flood";
            case FlowAction.Controller c -> "controller";
            case FlowAction.WithController w -> describe(w.forward()) + ",controller";
            case FlowAction.Output o -> "output";
        };
    }

    /** Accumulates match fields, rejecting repeated and contradictory ones. */
    private static final class MatchBuilder {
        private Integer priority;
        private String inPort;
        private MacAddress ethSrc;
        private MacAddress ethDst;
        private Integer ethType;
        private Ipv4Prefix ipSrc;
        private Ipv4Prefix ipDst;
        private Integer ipProto;
        private Integer tpSrc;
        private Integer tpDst;
        private MacAddress arpSha;
        private MacAddress arpTha;
        private MacAddress ethSrcMask;
        private MacAddress ethDstMask;
        private Integer vlanVid;

        void field(String token) {
            int eq = token.indexOf('=');
            if (eq < 0) {
                shorthand(token);
                return;
            }
            String key = token.substring(0, eq);
            String value = token.substring(eq + 1);
            if (value.isEmpty()) {
                throw new IllegalArgumentException("'" + token + "' has no value after '='");
            }
            switch (key) {
                case "priority" -> priority = once(key, priority, number(key, value, 0, 65535));
                case "in_port" -> inPort = once(key, inPort, value);
                case "dl_src", "eth_src" -> {
                    ethSrc = once(key, ethSrc, mac(key, unmasked(value)));
                    ethSrcMask = macMask(key, value);
                }
                case "dl_dst", "eth_dst" -> {
                    ethDst = once(key, ethDst, mac(key, unmasked(value)));
                    ethDstMask = macMask(key, value);
                }
                case "dl_vlan" -> vlanVid = once(key, vlanVid, vlan(value));
                case "dl_type" -> setEthType(number(key, value, 0, 0xffff));
                case "nw_src" -> ipSrc = once(key, ipSrc, prefix(key, value));
                case "nw_dst" -> ipDst = once(key, ipDst, prefix(key, value));
                case "nw_proto" -> setProto(number(key, value, 0, 255));
                case "tp_src" -> tpSrc = once(key, tpSrc, number(key, value, 0, 65535));
                case "tp_dst" -> tpDst = once(key, tpDst, number(key, value, 0, 65535));
                // ovs-ofctl's ARP fields; arp_spa/arp_tpa/arp_op are nw_src/nw_dst/nw_proto of an ARP frame.
                case "arp_spa" -> ipSrc = once("nw_src/arp_spa", arp(ipSrc), prefix(key, value));
                case "arp_tpa" -> ipDst = once("nw_dst/arp_tpa", arp(ipDst), prefix(key, value));
                case "arp_op" -> ipProto = once("nw_proto/arp_op", arp(ipProto), number(key, value, 0, 65535));
                case "arp_sha" -> arpSha = once(key, arp(arpSha), mac(key, value));
                case "arp_tha" -> arpTha = once(key, arp(arpTha), mac(key, value));
                default -> throw new IllegalArgumentException("unknown match field '" + key + "': use in_port,"
                        + " dl_src, dl_dst (MAC or MAC/MASK), dl_type, dl_vlan, nw_src, nw_dst, nw_proto, tp_src,"
                        + " tp_dst, arp_spa, arp_tpa,"
                        + " arp_sha, arp_tha, arp_op, priority or one of ip, arp, icmp, tcp, udp");
            }
        }

        private void shorthand(String token) {
            switch (token) {
                case "ip" -> setEthType(ETH_IPV4);
                case "arp" -> setEthType(ETH_ARP);
                case "icmp" -> ipWithProto(PROTO_ICMP);
                case "tcp" -> ipWithProto(PROTO_TCP);
                case "udp" -> ipWithProto(PROTO_UDP);
                default -> throw new IllegalArgumentException("'" + token + "' is neither a field=value nor one of"
                        + " ip, arp, icmp, tcp, udp");
            }
        }

        /** Marks the match as ARP (an ARP field implies it) and passes the field's old value through. */
        private <T> T arp(T old) {
            setEthType(ETH_ARP);
            return old;
        }

        private void ipWithProto(int proto) {
            setEthType(ETH_IPV4);
            setProto(proto);
        }

        private void setEthType(int type) {
            if (ethType != null && ethType != type) {
                throw new IllegalArgumentException(String.format("contradictory EtherTypes 0x%04x and 0x%04x:"
                        + " a frame has one", ethType, type));
            }
            ethType = type;
        }

        private void setProto(int proto) {
            if (ipProto != null && ipProto != proto) {
                throw new IllegalArgumentException("contradictory IP protocols " + ipProto + " and " + proto
                        + ": write only one of icmp, tcp, udp, nw_proto=N");
            }
            ipProto = proto;
        }

        FlowMatch build() {
            boolean ipFields = ipSrc != null || ipDst != null || ipProto != null;
            boolean arp = ethType != null && ethType == ETH_ARP;
            if (ipFields && !arp) {
                setEthType(ETH_IPV4);
            }
            if ((tpSrc != null || tpDst != null) && (arp || !(Integer.valueOf(PROTO_TCP).equals(ipProto)
                    || Integer.valueOf(PROTO_UDP).equals(ipProto)))) {
                throw new IllegalArgumentException("tp_src/tp_dst need a transport protocol: add tcp or udp,"
                        + " e.g. 'udp,tp_dst=8888'");
            }
            return new FlowMatch(inPort, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst, arpSha, arpTha,
                    ethSrcMask, ethDstMask, vlanVid);
        }

        private static String unmasked(String value) {
            int slash = value.indexOf('/');
            return slash < 0 ? value : value.substring(0, slash);
        }

        private static MacAddress macMask(String key, String value) {
            int slash = value.indexOf('/');
            return slash < 0 ? null : mac(key + " mask", value.substring(slash + 1));
        }

        /** A VLAN id 0..4095, or 0xffff for frames without a tag, as ovs-ofctl's dl_vlan. */
        private static int vlan(String value) {
            int vid = number("dl_vlan", value, 0, 0xffff);
            if (vid > 4095 && vid != FlowMatch.VLAN_NONE) {
                throw new IllegalArgumentException("dl_vlan=" + value + ": a VLAN id is 0..4095, or 0xffff for"
                        + " frames without a VLAN tag");
            }
            return vid;
        }

        private static <T> T once(String key, T old, T value) {
            if (old != null) {
                throw new IllegalArgumentException("'" + key + "' is given twice");
            }
            return value;
        }

        private static int number(String key, String value, int min, int max) {
            try {
                int n = value.startsWith("0x") || value.startsWith("0X") ? Integer.parseInt(value.substring(2), 16)
                        : Integer.parseInt(value);
                if (n < min || n > max) {
                    throw new IllegalArgumentException(key + "=" + value + " is out of range " + min + ".." + max);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + value + " is not a number (decimal or 0x hex)");
            }
        }

        private static MacAddress mac(String key, String value) {
            try {
                return MacAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }

        private static Ipv4Prefix prefix(String key, String value) {
            try {
                return value.contains("/") ? Ipv4Prefix.parse(value) : Ipv4Prefix.parse(value + "/32");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
    }
}
