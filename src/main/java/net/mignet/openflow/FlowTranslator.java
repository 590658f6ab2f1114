package net.mignet.openflow;

import java.util.ArrayList;
import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
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
import org.projectfloodlight.openflow.protocol.match.Match;
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

    FlowMatch toFlowMatch(Match match) {
        String inPort = null;
        MacAddress ethSrc = null;
        MacAddress ethDst = null;
        Integer ethType = null;
        Ipv4Prefix ipSrc = null;
        Ipv4Prefix ipDst = null;
        Integer ipProto = null;
        Integer tpSrc = null;
        Integer tpDst = null;
        for (MatchField<?> field : match.getMatchFields()) {
            MatchFields id = field.id;
            switch (id) {
                case IN_PORT -> {
                    int n = match.get(MatchField.IN_PORT).getPortNumber();
                    inPort = ports.name(n).orElseThrow(() -> OpenFlowError.badMatch(OFBadMatchCode.BAD_VALUE,
                            "in_port " + n + " is no port of this switch"));
                }
                case ETH_SRC -> ethSrc = exactMac(match, MatchField.ETH_SRC);
                case ETH_DST -> ethDst = exactMac(match, MatchField.ETH_DST);
                case ETH_TYPE -> ethType = match.get(MatchField.ETH_TYPE).getValue();
                case IP_PROTO -> ipProto = (int) match.get(MatchField.IP_PROTO).getIpProtocolNumber();
                case IPV4_SRC -> ipSrc = prefix(match, MatchField.IPV4_SRC);
                case IPV4_DST -> ipDst = prefix(match, MatchField.IPV4_DST);
                case TCP_SRC -> tpSrc = exactPort(match, MatchField.TCP_SRC);
                case TCP_DST -> tpDst = exactPort(match, MatchField.TCP_DST);
                case UDP_SRC -> tpSrc = exactPort(match, MatchField.UDP_SRC);
                case UDP_DST -> tpDst = exactPort(match, MatchField.UDP_DST);
                default -> throw OpenFlowError.badMatch(OFBadMatchCode.BAD_FIELD,
                        "matching on " + id + " is not supported by mignet's flow table");
            }
        }
        return new FlowMatch(inPort, ethSrc, ethDst, ethType, ipSrc, ipDst, ipProto, tpSrc, tpDst);
    }

    Match toMatch(OFFactory f, FlowMatch m) {
        Match.Builder b = f.buildMatch();
        if (m.inPort() != null) {
            b.setExact(MatchField.IN_PORT, OFPort.of(ports.number(m.inPort()).orElseThrow()));
        }
        if (m.ethSrc() != null) {
            b.setExact(MatchField.ETH_SRC, org.projectfloodlight.openflow.types.MacAddress.of(m.ethSrc().bits()));
        }
        if (m.ethDst() != null) {
            b.setExact(MatchField.ETH_DST, org.projectfloodlight.openflow.types.MacAddress.of(m.ethDst().bits()));
        }
        if (m.ethType() != null) {
            b.setExact(MatchField.ETH_TYPE, EthType.of(m.ethType()));
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
        List<String> outputs = new ArrayList<>();
        FlowAction special = null;
        for (OFAction a : actions) {
            if (!(a instanceof OFActionOutput out)) {
                throw OpenFlowError.badAction(OFBadActionCode.BAD_TYPE, "action " + a.getType()
                        + " is not supported: the nftables flow table cannot rewrite frames or VLAN tags");
            }
            OFPort p = out.getPort();
            if (p.equals(OFPort.NORMAL)) {
                special = new FlowAction.Normal();
            } else if (p.equals(OFPort.FLOOD) || p.equals(OFPort.ALL)) {
                special = new FlowAction.Flood();
            } else if (p.equals(OFPort.CONTROLLER)) {
                special = new FlowAction.Controller();
            } else {
                int n = p.getPortNumber();
                outputs.add(ports.name(n).orElseThrow(() -> OpenFlowError.badAction(OFBadActionCode.BAD_OUT_PORT,
                        "output to port " + p + " is not supported (ports 1.." + ports.names().size()
                                + ", NORMAL, FLOOD, ALL)")));
            }
        }
        if (special != null && !outputs.isEmpty()) {
            throw OpenFlowError.badAction(OFBadActionCode.UNSUPPORTED_ORDER,
                    "NORMAL, FLOOD or CONTROLLER cannot be combined with outputs to ports");
        }
        if (special != null) {
            return special;
        }
        return outputs.isEmpty() ? new FlowAction.Drop() : new FlowAction.Output(outputs.stream().distinct().toList());
    }

    List<OFAction> toActions(OFFactory f, FlowAction action) {
        return switch (action) {
            case FlowAction.Drop d -> List.of();
            case FlowAction.Normal n -> List.of(output(f, OFPort.NORMAL));
            case FlowAction.Flood fl -> List.of(output(f, OFPort.FLOOD));
            case FlowAction.Controller c -> List.of(output(f, OFPort.CONTROLLER));
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
            case FlowAction.Drop d -> false;
        };
    }

    private static OFAction output(OFFactory f, OFPort port) {
        return f.actions().buildOutput().setPort(port).setMaxLen(f.getVersion() == OFVersion.OF_10 ? 0 : 0xffe5)
                .build();
    }

    private static MacAddress exactMac(Match match, MatchField<org.projectfloodlight.openflow.types.MacAddress> f) {
        if (match.isPartiallyMasked(f)) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_WILDCARDS, "masked " + f.id
                    + " is not supported yet: match the whole address");
        }
        return new MacAddress(match.get(f).getLong());
    }

    private static Integer exactPort(Match match, MatchField<TransportPort> f) {
        if (match.isPartiallyMasked(f)) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_WILDCARDS, "masked " + f.id + " is not supported");
        }
        return match.get(f).getPort();
    }

    private static Ipv4Prefix prefix(Match match, MatchField<IPv4Address> f) {
        if (match.isExact(f)) {
            return new Ipv4Prefix(new Ipv4Address(match.get(f).getInt()), 32);
        }
        Masked<IPv4Address> masked = match.getMasked(f);
        IPv4Address mask = masked.getMask();
        IPv4Address value = masked.getValue();
        if (!mask.isCidrMask()) {
            throw OpenFlowError.badMatch(OFBadMatchCode.BAD_NW_ADDR_MASK, f.id + " mask " + mask
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
