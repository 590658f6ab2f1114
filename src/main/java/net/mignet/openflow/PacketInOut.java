package net.mignet.openflow;

import java.util.ArrayList;
import java.util.List;
import net.mignet.flow.FlowMatch;
import net.mignet.net.FlowTable;
import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * PACKET_IN and PACKET_OUT of one switch: frames its flow table sends up become packet-ins to the connections
 * that want them (controllers, and tools that set a miss_send_len), always whole and unbuffered
 * ({@code NO_BUFFER}, the switch keeps no buffers); a packet-out's frame is sent out of the ports its output
 * actions name.
 */
final class PacketInOut {
    /** The cookie OpenFlow 1.3 gives packet-ins that no rule sent (a table miss without a table-miss rule). */
    private static final U64 NO_COOKIE = U64.NO_MASK;

    private final OpenFlowAgent agent;
    private final FlowTable table;
    private final SwitchPorts ports;
    private volatile PuntPath punt;

    PacketInOut(OpenFlowAgent agent, FlowTable table, SwitchPorts ports) {
        this.agent = agent;
        this.table = table;
        this.ports = ports;
    }

    void attach(PuntPath path) {
        this.punt = path;
    }

    /** A frame the flow table sent up (by a rule with id {@code ruleId}, or 0 for the table miss). */
    void packetIn(PuntPath.Punted p) {
        boolean miss = p.ruleId() == 0;
        U64 cookie = NO_COOKIE;
        OFPacketInReason reason = OFPacketInReason.NO_MATCH;
        if (!miss) {
            cookie = U64.of(table.optionsOf(p.ruleId()).cookie());
            reason = isTableMissRule(p.ruleId()) ? OFPacketInReason.NO_MATCH : OFPacketInReason.ACTION;
        }
        send(p.port(), p.frame(), reason, cookie);
    }

    /** OpenFlow 1.3 calls packet-ins of the table-miss rule (priority 0, matching all) no-match ones too. */
    private boolean isTableMissRule(long id) {
        return table.rule(id).map(r -> r.priority() == 0 && r.match().equals(FlowMatch.ANY)).orElse(false);
    }

    private void send(int inPort, byte[] frame, OFPacketInReason reason, U64 cookie) {
        for (OpenFlowSession s : agent.sessions()) {
            if (!s.wantsPacketIns()) {
                continue;
            }
            OFFactory f = s.factory();
            OFPacketIn.Builder b = f.buildPacketIn().setXid(0).setBufferId(OFBufferId.NO_BUFFER)
                    .setTotalLen(frame.length).setReason(reason).setData(frame);
            if (f.getVersion() == OFVersion.OF_10) {
                b.setInPort(OFPort.of(inPort));
            } else {
                b.setTableId(TableId.of(0)).setCookie(cookie)
                        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(inPort)).build());
            }
            s.send(b.build());
        }
    }

    /**
     * Sends a packet-out's frame out of the ports its actions name: port numbers, IN_PORT, FLOOD and ALL (every
     * port but the one it came in on), CONTROLLER (back as a packet-in). Every action is checked before any frame
     * leaves, so a refused packet-out sends nothing.
     */
    void packetOut(OFPacketOut m) {
        if (!m.getBufferId().equals(OFBufferId.NO_BUFFER)) {
            throw OpenFlowError.badRequest(OFBadRequestCode.BUFFER_UNKNOWN, "buffer " + m.getBufferId()
                    + " is unknown: the switch keeps no buffers (n_buffers 0), send the frame in the packet-out");
        }
        OFPort in = m.getInPort();
        int inPort = ports.name(in.getPortNumber()).isPresent() ? in.getPortNumber() : 0;
        byte[] data = m.getData();
        if (data == null || data.length < 14) {
            throw OpenFlowError.badRequest(OFBadRequestCode.BAD_LEN, "a packet-out needs a whole Ethernet frame");
        }
        List<Integer> outPorts = new ArrayList<>();
        boolean toController = false;
        for (OFAction a : m.getActions()) {
            if (!(a instanceof OFActionOutput out)) {
                throw OpenFlowError.badAction(OFBadActionCode.BAD_TYPE, "action " + a.getType()
                        + " is not supported in a packet-out (only output)");
            }
            OFPort p = out.getPort();
            if (p.equals(OFPort.FLOOD) || p.equals(OFPort.ALL)) {
                for (int n = 1; n <= ports.names().size(); n++) {
                    if (n != inPort) {
                        outPorts.add(n);
                    }
                }
            } else if (p.equals(OFPort.IN_PORT)) {
                if (inPort == 0) {
                    throw OpenFlowError.badAction(OFBadActionCode.BAD_OUT_PORT, "output to IN_PORT needs the"
                            + " packet-out's in_port to be a port of the switch, not " + in);
                }
                outPorts.add(inPort);
            } else if (p.equals(OFPort.CONTROLLER)) {
                toController = true;
            } else if (ports.name(p.getPortNumber()).isPresent()) {
                // As in OpenFlow, a frame does not go back out of its in_port unless IN_PORT says so.
                if (p.getPortNumber() != inPort) {
                    outPorts.add(p.getPortNumber());
                }
            } else {
                throw OpenFlowError.badAction(OFBadActionCode.BAD_OUT_PORT, "output to " + p + " is not supported"
                        + " in a packet-out (ports 1.." + ports.names().size() + ", IN_PORT, FLOOD, ALL, CONTROLLER)");
            }
        }
        PuntPath path = punt;
        for (int n : outPorts.stream().distinct().toList()) {
            path.inject(n, data);
        }
        if (toController) {
            send(inPort == 0 ? OFPort.CONTROLLER.getPortNumber() : inPort, data, OFPacketInReason.ACTION, NO_COOKIE);
        }
    }
}
