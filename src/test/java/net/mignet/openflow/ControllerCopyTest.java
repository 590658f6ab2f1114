package net.mignet.openflow;

import static net.mignet.openflow.PacketInOutTest.receive;
import static net.mignet.openflow.PacketInOutTest.send;
import static net.mignet.openflow.PacketInOutTest.udpSocket;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.net.Emulation;
import net.mignet.net.FlowTable;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.FailMode;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * A rule that sends frames on (to ports, the bridge or every port) and to the controller, from OpenFlow, the
 * shell's syntax and ovs-ofctl: the frame arrives where it was sent and a PACKET_IN (reason ACTION, the rule's
 * cookie) reaches the controller, within the packet-in rate; without an agent only the copy is missing.
 */
class ControllerCopyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @ParameterizedTest
    @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_10"})
    void output_normal_and_flood_beside_controller_deliver_and_punt(OFVersion version) throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                TinyController c = new TinyController(agent.listenAddress(), version);
                DatagramSocket h1 = udpSocket(net, "h1", 0);
                DatagramSocket h2 = udpSocket(net, "h2", 9999)) {
            HostOffloads.disableChecksumOffload(net);
            OFFactory f = c.factory();
            List<OFAction> toH2AndController = List.of(f.actions().output(OFPort.of(2), 0),
                    f.actions().buildOutput().setPort(OFPort.CONTROLLER).setMaxLen(0xffff).build());
            var mod = f.buildFlowAdd().setPriority(10).setCookie(U64.of(0x55)).setMatch(udpFromPort1(f, 9999));
            c.send(c.withActions(mod, toH2AndController));
            c.barrier();
            FlowTable table = net.switchNamed("s1").flowTable();
            assertThat(table.entries()).singleElement().satisfies(e -> assertThat(e.rule().action()).isEqualTo(
                    new FlowAction.WithController(new FlowAction.Output(List.of("s1-h2")))));
            // The controller reads back what it gave, CONTROLLER included.
            c.send(f.buildFlowStatsRequest().setXid(7).build());
            OFFlowStatsReply stats = c.next(OFType.STATS_REPLY, WAIT);
            assertThat(stats).isNotNull();
            List<OFAction> given = version == OFVersion.OF_10 ? stats.getEntries().getFirst().getActions()
                    : ((OFInstructionApplyActions) stats.getEntries().getFirst().getInstructions().getFirst())
                            .getActions();
            assertThat(given.stream().map(a -> ((OFActionOutput) a).getPort()).toList())
                    .containsExactly(OFPort.of(2), OFPort.CONTROLLER);

            InetSocketAddress h2At = new InetSocketAddress(net.host("h2").ip().toString(), 9999);
            send(h1, "both ways", h2At);
            assertThat(receive(h2, WAIT)).isEqualTo("both ways");
            assertPacketIn(c.next(OFType.PACKET_IN, WAIT), version, "both ways", 0x55);

            // The shell's syntax, added beside: to the bridge and to the controller (this one goes in over netlink
            // alone, the tail being there already).
            table.add(FlowRuleParser.parse("priority=20,in_port=s1-h1,udp,tp_dst=7777 actions=normal,controller"));
            try (DatagramSocket h3b = udpSocket(net, "h3", 7777)) {
                send(h1, "to the bridge", new InetSocketAddress(net.host("h3").ip().toString(), 7777));
                assertThat(receive(h3b, WAIT)).isEqualTo("to the bridge");
                assertPacketIn(c.next(OFType.PACKET_IN, WAIT), version, "to the bridge", 0);
            }

            // Modified to flood: both h2 and h3 get the frame, and the controller too.
            var flood = List.<OFAction>of(f.actions().output(OFPort.FLOOD, 0),
                    f.actions().buildOutput().setPort(OFPort.CONTROLLER).setMaxLen(0xffff).build());
            var modify = f.buildFlowModifyStrict().setPriority(10).setMatch(udpFromPort1(f, 9999));
            c.send(c.withActions(modify, flood));
            c.barrier();
            long h3Before = net.host("h3").counters("h3-eth0").rxPackets();
            send(h1, "everywhere", h2At);
            assertThat(receive(h2, WAIT)).isEqualTo("everywhere");
            assertPacketIn(c.next(OFType.PACKET_IN, WAIT), version, "everywhere", 0x55);
            assertThat(net.host("h3").counters("h3-eth0").rxPackets()).isGreaterThan(h3Before);
            assertThat((Object) c.next(OFType.PACKET_IN, Duration.ofMillis(300))).as("one packet-in per frame")
                    .isNull();
        }
    }

    @Test
    void frames_go_on_in_full_while_packet_ins_keep_to_the_rate() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { },
                        FailMode.STANDALONE, 50);
                TinyController c = new TinyController(agent.listenAddress(), OFVersion.OF_13);
                DatagramSocket h1 = udpSocket(net, "h1", 0)) {
            net.switchNamed("s1").flowTable().add(FlowRuleParser.parse("udp actions=output:s1-h2,controller"));
            net.host("h1").ping(net.host("h2").ip().toString(), 1); // resolves h2's MAC first
            InetSocketAddress h2At = new InetSocketAddress(net.host("h2").ip().toString(), 9999);
            long before = net.host("h2").counters("h2-eth0").rxPackets();
            int frames = 2000;
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                send(h1, "storm" + i, h2At);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int got = 0;
            while (c.next(OFType.PACKET_IN, Duration.ofMillis(300)) != null) {
                got++;
            }
            assertThat(net.host("h2").counters("h2-eth0").rxPackets() - before).isGreaterThanOrEqualTo(frames);
            // 50/s with a burst of 5: what the storm lasted allows, with a margin for the burst and timing.
            assertThat(got).isBetween(1, (int) (5 + 50 * (seconds + 0.5)) + 5);
        }
    }

    @Test
    void without_an_agent_frames_still_go_on_and_only_controller_alone_drops() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                DatagramSocket h1 = udpSocket(net, "h1", 0);
                DatagramSocket h2 = udpSocket(net, "h2", 9999);
                DatagramSocket h3 = udpSocket(net, "h3", 9999)) {
            FlowTable table = net.switchNamed("s1").flowTable();
            table.add(FlowRuleParser.parse("priority=30,udp,nw_dst=" + net.host("h2").ip()
                    + " actions=output:s1-h2,controller"));
            table.add(FlowRuleParser.parse("priority=20,udp,nw_dst=" + net.host("h3").ip()
                    + " actions=normal,controller"));
            net.host("h1").ping(net.host("h2").ip().toString(), 1);
            net.host("h1").ping(net.host("h3").ip().toString(), 1);
            send(h1, "to h2", new InetSocketAddress(net.host("h2").ip().toString(), 9999));
            assertThat(receive(h2, WAIT)).isEqualTo("to h2");
            send(h1, "to h3", new InetSocketAddress(net.host("h3").ip().toString(), 9999));
            assertThat(receive(h3, WAIT)).isEqualTo("to h3");
            table.modify(FlowRuleParser.parseMatch("udp,nw_dst=" + net.host("h3").ip()).match(), 20,
                    new FlowAction.Controller());
            send(h1, "to nobody", new InetSocketAddress(net.host("h3").ip().toString(), 9999));
            assertThat(receive(h3, Duration.ofMillis(300))).isNull();
        }
    }

    /**
     * Frames a rule on s1 copies to the controller and hands to the bridge cross to s2 with the mark s1 gave
     * them; s2 must not take them for its own packet-ins.
     */
    @Test
    void the_next_switch_does_not_punt_what_the_first_one_did() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("linear,2"));
                OpenFlowAgent a1 = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                OpenFlowAgent a2 = OpenFlowAgent.start(net.switchNamed("s2"), 2,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                TinyController c1 = new TinyController(a1.listenAddress(), OFVersion.OF_13);
                TinyController c2 = new TinyController(a2.listenAddress(), OFVersion.OF_13);
                DatagramSocket h1 = udpSocket(net, "h1", 0);
                DatagramSocket h2 = udpSocket(net, "h2", 9999)) {
            c1.barrier();
            c2.barrier();
            String h2Ip = net.host("h2").ip().toString();
            net.switchNamed("s1").flowTable().add(FlowRuleParser.parse("udp,nw_dst=" + h2Ip
                    + " actions=normal,controller"));
            net.host("h1").ping(h2Ip, 1);
            send(h1, "once", new InetSocketAddress(h2Ip, 9999));
            assertThat(receive(h2, WAIT)).isEqualTo("once");
            OFPacketIn in = c1.next(OFType.PACKET_IN, WAIT);
            assertThat(in).as("packet-in from s1").isNotNull();
            assertThat(new String(in.getData(), StandardCharsets.ISO_8859_1)).endsWith("once");
            assertThat(in.getReason()).isEqualTo(OFPacketInReason.ACTION);
            assertThat((Object) c2.next(OFType.PACKET_IN, Duration.ofMillis(500))).as("packet-in from s2").isNull();
        }
    }

    @Test
    void ovs_ofctl_adds_and_dumps_output_with_controller() throws Exception {
        KernelAssumptions.assumeTool("ovs-ofctl");
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                TinyController c = new TinyController(agent.listenAddress(), OFVersion.OF_13);
                DatagramSocket h1 = udpSocket(net, "h1", 0);
                DatagramSocket h2 = udpSocket(net, "h2", 9999)) {
            HostOffloads.disableChecksumOffload(net);
            for (String version : List.of("OpenFlow10", "OpenFlow13")) {
                ofctl(agent, version, "del-flows");
                ofctl(agent, version, "add-flow", "cookie=0x9,priority=10,in_port=s1-h1,udp,actions=output:s1-h2,"
                        + "controller");
                assertThat(ofctl(agent, version, "dump-flows")).contains("cookie=0x9",
                        "actions=output:\"s1-h2\",CONTROLLER:65535");
                c.clear(OFType.PACKET_IN);
                send(h1, "from " + version, new InetSocketAddress(net.host("h2").ip().toString(), 9999));
                assertThat(receive(h2, WAIT)).isEqualTo("from " + version);
                assertPacketIn(c.next(OFType.PACKET_IN, WAIT), OFVersion.OF_13, "from " + version, 0x9);
            }
        }
    }

    private static String ofctl(OpenFlowAgent agent, String version, String command, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", version, "--names", command,
                "tcp:127.0.0.1:" + agent.listenAddress().getPort()));
        argv.addAll(List.of(args));
        CommandResult r = Command.run(argv, null, Duration.ofSeconds(20));
        assertThat(r.ok()).as("%s: %s%s", String.join(" ", argv), r.stdout(), r.stderr()).isTrue();
        return r.stdout();
    }

    private static org.projectfloodlight.openflow.protocol.match.Match udpFromPort1(OFFactory f, int port) {
        return f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1)).setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.UDP).setExact(MatchField.UDP_DST, TransportPort.of(port))
                .build();
    }

    private static void assertPacketIn(OFPacketIn in, OFVersion version, String payload, long cookie) {
        assertThat(in).as("packet-in of '%s'", payload).isNotNull();
        assertThat(new String(in.getData(), StandardCharsets.ISO_8859_1)).endsWith(payload);
        assertThat(in.getReason()).isEqualTo(OFPacketInReason.ACTION);
        if (version == OFVersion.OF_10) {
            assertThat(in.getInPort()).isEqualTo(OFPort.of(1));
        } else {
            assertThat(in.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
            assertThat(in.getCookie()).isEqualTo(U64.of(cookie));
        }
    }
}
