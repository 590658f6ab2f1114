package net.mignet.openflow;

import java.util.ArrayList;
import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.flow.FlowRuleParser;
import net.mignet.flow.SetField;
import org.projectfloodlight.openflow.protocol.action.OFActionSetDlDst;
import org.projectfloodlight.openflow.protocol.action.OFActionSetDlSrc;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.action.OFActionSetNwDst;
import org.projectfloodlight.openflow.protocol.action.OFActionSetNwSrc;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmEthDst;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmEthSrc;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmIpv4Dst;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmIpv4Src;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.MacAddress;
import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteActions;
import org.projectfloodlight.openflow.protocol.OFMatchV3;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.types.OFValueType;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.match.MatchFields;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.Masked;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TransportPort;

/**
 * Translates between OpenFlow matches and actions and the flow model of {@code flow/}. What the model (and so the
 * nftables flow table) cannot express is refused with the OpenFlow error a switch gives for it.
 */
final class FlowTranslator {
    private final SwitchPorts ports;

    FlowTranslator(SwitchPorts ports) {
        this.ports = ports;
    }

    SwitchPorts ports() {
        return ports;
    }

    FlowMatch toFlowMatch(Match match) {
        MatchParts parts = new MatchParts();
        if (match instanceof OFMatchV3 v3) {
            // One look at each field: Match.get and its kin check the field's prerequisites again on every call,
            // which was a good part of a controller's burst of flow changes.
            for (OFOxm<?> oxm : v3.getOxmList()) {
                MatchField<?> field = oxm.getMatchField();
                // Match.getMatchFields leaves out a field whose prerequisites are missing; so does this.
                if (field.arePrerequisitesOK(match)) {
                    parts.add(field.id, oxm.getValue(), oxm.isMasked() ? oxm.getMask() : null);
                }
            }
        } else {
            for (MatchField<?> field : match.getMatchFields()) {
                addFrom(parts, match, field);
            }
        }
        return parts.toFlowMatch();
    }

    private static <T extends OFValueType<T>> void addFrom(MatchParts parts, Match match, MatchField<T> field) {
        if (match.isExact(field)) {
            parts.add(field.id, match.get(field), null);
        } else {
            Masked<T> masked = match.getMasked(field);
            parts.add(field.id, masked.getValue(), masked.getMask());
        }
    }

    /** The fields of a match as they are read, one by one: each with its value and its mask (null: exact). */
    private final class MatchParts {
        String inPort;
        MacAddress ethSrc;
        MacAddress ethDst;
        Integer ethType;
        Ipv4Prefix ipSrc;
        Ipv4Prefix ipDst;
        Integer ipProto;
        Integer tpSrc;
        Integer tpDst;
        MacAddress arpSha;
        MacAddress arpTha;
        MacAddress ethSrcMask;
        MacAddress ethDstMask;
        Integer vlanVid;

        void add(MatchFields id, Object value, Object mask) {
            switch (id) {
                case IN_PORT -> {
                    int n = ((OFPort) value).getPortNumber();
                    inPort = ports.name(n).orElseThrow(() -> OpenFlowError.badMatch(OFBadMatchCode.BAD_VALUE,
                            "in_port " + n + " is no port of this switch"));
                }
                case ETH_SRC -> {
                    ethSrc = mac(value);
                    ethSrcMask = mask == null ? null : mac(mask);
                }
                case ETH_DST -> {
                    ethDst = mac(value);
                    ethDstMask = mask == null ? null : mac(mask);
                }
                case VLAN_VID -> vlanVid = vlan((OFVlanVidMatch) value, mask != null);
                case ARP_OP -> ipProto = ((ArpOpcode) value).getOpcode();
                case ARP_SPA, IPV4_SRC -> ipSrc = prefix(id, (IPv4Address) value, (IPv4Address) mask);
                case ARP_TPA, IPV4_DST -> ipDst = prefix(id, (IPv4Address) value, (IPv4Address) mask);
                case ARP_SHA -> arpSha = exactMac(id, value, mask);
                case ARP_THA -> arpTha = exactMac(id, value, mask);
                case ETH_TYPE -> ethType = ((EthType) value).getValue();
                case IP_PROTO -> ipProto = (int) ((IpProtocol) value).getIpProtocolNumber();
                case TCP_SRC, UDP_SRC -> tpSrc = exactPort(id, value, mask);
                case TCP_DST, UDP_DST -> tpDst = exactPort(id, value, mask);
                default -> throw OpenFlowError.badMatch(OFBadMatchCode.BAD_FIELD,
                        "matching on " + id + " is not supported by mignet's flow table");
            }
        }

        FlowMatch toFlowMatch() {
            return new FlowMatch(inPort, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst, arpSha,
                    arpTha, ethSrcMask, ethDstMask, vlanVid);
        }
    }

    private static MacAddress mac(Object value) {
        return new MacAddress(((org.projectfloodlight.openflow.types.MacAddress) value).getLong());
    }

    /**
     * OpenFlow's VLAN_VID: OFPVID_NONE for untagged frames, OFPVID_PRESENT with a VID for frames of that VLAN.
     * "Any tag" (PRESENT under a mask of PRESENT alone) has no nftables form here and is refused.
     */
    private static Integer vlan(OFVlanVidMatch v, boolean masked) {
        if (masked) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_WILDCARDS, "masked vlan_vid is not supported: match"
                    + " one VLAN id or frames without a tag");
        }
        if (v.equals(OFVlanVidMatch.NONE) || v.getRawVid() == (short) 0xffff) {
            return FlowMatch.VLAN_NONE;
        }
        return (int) v.getVlan();
    }

    Match toMatch(OFFactory f, FlowMatch m) {
        Match.Builder b = f.buildMatch();
        if (m.inPort() != null) {
            b.setExact(MatchField.IN_PORT, OFPort.of(ports.number(m.inPort()).orElseThrow()));
        }
        setMac(b, MatchField.ETH_SRC, m.ethSrc(), m.ethSrcMask());
        setMac(b, MatchField.ETH_DST, m.ethDst(), m.ethDstMask());
        if (m.vlanVid() != null) {
            b.setExact(MatchField.VLAN_VID, m.vlanVid() == FlowMatch.VLAN_NONE ? OFVlanVidMatch.NONE
                    : OFVlanVidMatch.ofVlan(m.vlanVid()));
        }
        if (m.ethType() != null) {
            b.setExact(MatchField.ETH_TYPE, EthType.of(m.ethType()));
        }
        if (m.isArp()) {
            if (m.ipProto() != null) {
                b.setExact(MatchField.ARP_OP, ArpOpcode.of(m.ipProto()));
            }
            if (m.ipSrc() != null) {
                setPrefix(b, MatchField.ARP_SPA, m.ipSrc());
            }
            if (m.ipDst() != null) {
                setPrefix(b, MatchField.ARP_TPA, m.ipDst());
            }
            setMac(b, MatchField.ARP_SHA, m.arpSha(), null);
            setMac(b, MatchField.ARP_THA, m.arpTha(), null);
            return b.build();
        }
        if (m.ipProto() != null) {
            b.setExact(MatchField.IP_PROTO, IpProtocol.of(m.ipProto().shortValue()));
        }
        if (m.ipSrc() != null) {
            setPrefix(b, MatchField.IPV4_SRC, m.ipSrc());
        }
        if (m.ipDst() != null) {
            setPrefix(b, MatchField.IPV4_DST, m.ipDst());
        }
        boolean udp = m.ipProto() != null && m.ipProto() == 17;
        if (m.tpSrc() != null) {
            b.setExact(udp ? MatchField.UDP_SRC : MatchField.TCP_SRC, TransportPort.of(m.tpSrc()));
        }
        if (m.tpDst() != null) {
            b.setExact(udp ? MatchField.UDP_DST : MatchField.TCP_DST, TransportPort.of(m.tpDst()));
        }
        return b.build();
    }

    /** The actions of a 1.3 flow mod's instructions: apply- and write-actions alike, as a one-table switch may. */
    List<OFAction> actionsOf(List<OFInstruction> instructions) {
        if (instructions.size() == 1 && instructions.getFirst() instanceof OFInstructionApplyActions a) {
            return a.getActions();
        }
        List<OFAction> actions = new ArrayList<>();
        for (OFInstruction i : instructions) {
            switch (i) {
                case OFInstructionApplyActions a -> actions.addAll(a.getActions());
                case OFInstructionWriteActions w -> actions.addAll(w.getActions());
                default -> throw OpenFlowError.badInstruction(OFBadInstructionCode.UNSUP_INST,
                        "instruction " + i.getType() + " is not supported: mignet's switches have one table");
            }
        }
        return actions;
    }

    FlowAction toFlowAction(List<OFAction> actions) {
        return toTreatment(actions).action();
    }

    /** The last action list translated and what it became: a controller's burst repeats the same actions. */
    private record Translated(List<OFAction> actions, FlowRuleParser.Actions treatment) {
    }

    private volatile Translated lastTranslated;

    /** An OpenFlow action list as the flow table's rewrites and action. */
    FlowRuleParser.Actions toTreatment(List<OFAction> actions) {
        Translated last = lastTranslated;
        if (last != null && last.actions().equals(actions)) {
            return last.treatment();
        }
        FlowRuleParser.Actions treatment = translate(actions);
        lastTranslated = new Translated(List.copyOf(actions), treatment);
        return treatment;
    }

    private FlowRuleParser.Actions translate(List<OFAction> actions) {
        List<String> outputs = new ArrayList<>();
        List<SetField> rewrites = new ArrayList<>();
        FlowAction special = null;
        boolean controller = false;
        for (OFAction a : actions) {
            SetField rewrite = rewrite(a);
            if (rewrite != null) {
                if (special != null || controller || !outputs.isEmpty()) {
                    throw OpenFlowError.badAction(OFBadActionCode.UNSUPPORTED_ORDER, "set-field after an output"
                            + " is not supported: the switch rewrites a frame once, before sending it anywhere");
                }
                rewrites.add(rewrite);
                continue;
            }
            if (!(a instanceof OFActionOutput out)) {
                throw OpenFlowError.badAction(OFBadActionCode.BAD_TYPE, "action " + a.getType()
                        + " is not supported: the nftables flow table rewrites MAC and IPv4 addresses only and"
                        + " cannot push, pop or change VLAN tags");
            }
            OFPort p = out.getPort();
            if (p.equals(OFPort.CONTROLLER)) {
                controller = true;
                continue;
            }
            FlowAction named = p.equals(OFPort.NORMAL) ? new FlowAction.Normal()
                    : p.equals(OFPort.FLOOD) || p.equals(OFPort.ALL) ? new FlowAction.Flood() : null;
            if (named != null) {
                if (special != null && !special.equals(named)) {
                    throw OpenFlowError.badAction(OFBadActionCode.UNSUPPORTED_ORDER,
                            "NORMAL and FLOOD (or ALL) cannot be combined");
                }
                special = named;
            } else {
                int n = p.getPortNumber();
                outputs.add(ports.name(n).orElseThrow(() -> OpenFlowError.badAction(OFBadActionCode.BAD_OUT_PORT,
                        "output to port " + p + " is not supported (ports 1.." + ports.names().size()
                                + ", NORMAL, FLOOD, ALL)")));
            }
        }
        if (special != null && !outputs.isEmpty()) {
            throw OpenFlowError.badAction(OFBadActionCode.UNSUPPORTED_ORDER,
                    "NORMAL or FLOOD cannot be combined with outputs to ports");
        }
        FlowAction forward = special != null ? special : outputs.isEmpty() ? null
                : new FlowAction.Output(outputs.stream().distinct().toList());
        // CONTROLLER beside other outputs: the frame goes on and a copy to the controller.
        FlowAction action = controller ? (forward == null ? new FlowAction.Controller()
                : new FlowAction.WithController(forward)) : forward == null ? new FlowAction.Drop() : forward;
        if (!rewrites.isEmpty() && action instanceof FlowAction.Drop) {
            rewrites.clear();
        }
        return new FlowRuleParser.Actions(action, List.copyOf(rewrites));
    }

    /** OpenFlow 1.0's set-dl/nw actions and 1.3's set-field of the four fields the switch rewrites. */
    private static SetField rewrite(OFAction a) {
        return switch (a) {
            case OFActionSetDlSrc s -> new SetField.EthSrc(new MacAddress(s.getDlAddr().getLong()));
            case OFActionSetDlDst d -> new SetField.EthDst(new MacAddress(d.getDlAddr().getLong()));
            case OFActionSetNwSrc s -> new SetField.Ipv4Src(new Ipv4Address(s.getNwAddr().getInt()));
            case OFActionSetNwDst d -> new SetField.Ipv4Dst(new Ipv4Address(d.getNwAddr().getInt()));
            case OFActionSetField f -> switch (f.getField()) {
                case OFOxmEthSrc o -> new SetField.EthSrc(new MacAddress(o.getValue().getLong()));
                case OFOxmEthDst o -> new SetField.EthDst(new MacAddress(o.getValue().getLong()));
                case OFOxmIpv4Src o -> new SetField.Ipv4Src(new Ipv4Address(o.getValue().getInt()));
                case OFOxmIpv4Dst o -> new SetField.Ipv4Dst(new Ipv4Address(o.getValue().getInt()));
                default -> throw OpenFlowError.badAction(OFBadActionCode.BAD_TYPE, "set-field of "
                        + f.getField().getMatchField().id + " is not supported: the switch rewrites eth_src,"
                        + " eth_dst, ipv4_src and ipv4_dst");
            };
            default -> null;
        };
    }

    /** The actions of a rule: its rewrites (as set-field, or 1.0's set actions), then its outputs. */
    List<OFAction> toActions(OFFactory f, FlowRule rule) {
        List<OFAction> actions = new ArrayList<>();
        for (SetField r : rule.rewrites()) {
            actions.add(setAction(f, r));
        }
        actions.addAll(toActions(f, rule.action()));
        return actions;
    }

    List<OFInstruction> toInstructions(OFFactory f, FlowRule rule) {
        List<OFAction> actions = toActions(f, rule);
        return actions.isEmpty() ? List.of() : List.of(f.instructions().applyActions(actions));
    }

    private static OFAction setAction(OFFactory f, SetField r) {
        boolean v10 = f.getVersion() == OFVersion.OF_10;
        return switch (r) {
            case SetField.EthSrc s -> v10 ? f.actions().setDlSrc(ofMac(s.mac()))
                    : f.actions().setField(f.oxms().ethSrc(ofMac(s.mac())));
            case SetField.EthDst d -> v10 ? f.actions().setDlDst(ofMac(d.mac()))
                    : f.actions().setField(f.oxms().ethDst(ofMac(d.mac())));
            case SetField.Ipv4Src s -> v10 ? f.actions().setNwSrc(IPv4Address.of(s.address().bits()))
                    : f.actions().setField(f.oxms().ipv4Src(IPv4Address.of(s.address().bits())));
            case SetField.Ipv4Dst d -> v10 ? f.actions().setNwDst(IPv4Address.of(d.address().bits()))
                    : f.actions().setField(f.oxms().ipv4Dst(IPv4Address.of(d.address().bits())));
        };
    }

    private static org.projectfloodlight.openflow.types.MacAddress ofMac(MacAddress m) {
        return org.projectfloodlight.openflow.types.MacAddress.of(m.bits());
    }

    private static void setMac(Match.Builder b, MatchField<org.projectfloodlight.openflow.types.MacAddress> f,
            MacAddress value, MacAddress mask) {
        if (value == null) {
            return;
        }
        if (mask == null) {
            b.setExact(f, ofMac(value));
        } else {
            b.setMasked(f, ofMac(value), ofMac(mask));
        }
    }

    List<OFAction> toActions(OFFactory f, FlowAction action) {
        return switch (action) {
            case FlowAction.Drop d -> List.of();
            case FlowAction.Normal n -> List.of(output(f, OFPort.NORMAL));
            case FlowAction.Flood fl -> List.of(output(f, OFPort.FLOOD));
            case FlowAction.Controller c -> List.of(output(f, OFPort.CONTROLLER));
            case FlowAction.WithController w -> java.util.stream.Stream.concat(toActions(f, w.forward()).stream(),
                    java.util.stream.Stream.of(output(f, OFPort.CONTROLLER))).toList();
            case FlowAction.Output o -> o.ports().stream()
                    .map(p -> output(f, OFPort.of(ports.number(p).orElseThrow()))).toList();
        };
    }

    List<OFInstruction> toInstructions(OFFactory f, FlowAction action) {
        List<OFAction> actions = toActions(f, action);
        return actions.isEmpty() ? List.of() : List.of(f.instructions().applyActions(actions));
    }

    boolean outputsTo(FlowAction action, OFPort port) {
        if (port.equals(OFPort.ANY)) {
            return true;
        }
        return switch (action) {
            case FlowAction.Output o -> o.ports().stream().anyMatch(p -> ports.number(p).orElse(-1)
                    == port.getPortNumber());
            case FlowAction.Flood fl -> port.equals(OFPort.FLOOD);
            case FlowAction.Normal n -> port.equals(OFPort.NORMAL);
            case FlowAction.Controller c -> port.equals(OFPort.CONTROLLER);
            case FlowAction.WithController w -> port.equals(OFPort.CONTROLLER) || outputsTo(w.forward(), port);
            case FlowAction.Drop d -> false;
        };
    }

    private static OFAction output(OFFactory f, OFPort port) {
        // To the controller, whole frames (max_len 0 would mean none of it); elsewhere max_len means nothing.
        int maxLen = port.equals(OFPort.CONTROLLER) ? 0xffff : f.getVersion() == OFVersion.OF_10 ? 0 : 0xffe5;
        return f.actions().buildOutput().setPort(port).setMaxLen(maxLen).build();
    }

    private static MacAddress exactMac(MatchFields id, Object value, Object mask) {
        if (mask != null) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_WILDCARDS, "masked " + id
                    + " is not supported yet: match the whole address");
        }
        return mac(value);
    }

    private static Integer exactPort(MatchFields id, Object value, Object mask) {
        if (mask != null) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_WILDCARDS, "masked " + id + " is not supported");
        }
        return ((TransportPort) value).getPort();
    }

    private static Ipv4Prefix prefix(MatchFields id, IPv4Address value, IPv4Address mask) {
        if (mask == null) {
            return new Ipv4Prefix(new Ipv4Address(value.getInt()), 32);
        }
        if (!mask.isCidrMask()) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_NW_ADDR_MASK, id + " mask " + mask
                    + " is not a prefix");
        }
        int length = mask.asCidrMaskLength();
        return new Ipv4Prefix(new Ipv4Address(value.getInt() & mask.getInt()), length);
    }

    private static void setPrefix(Match.Builder b, MatchField<IPv4Address> f, Ipv4Prefix p) {
        IPv4Address value = IPv4Address.of(p.address().bits());
        if (p.length() == 32) {
            b.setExact(f, value);
        } else {
            b.setMasked(f, value, IPv4Address.ofCidrMaskLength(p.length()));
        }
    }
}
