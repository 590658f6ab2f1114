package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.NamespaceThread;
import net.mignet.net.Emulation;
import net.mignet.net.FlowEntry;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.projectfloodlight.openflow.types.U64;

/** The agent against its real peer, ovs-ofctl, in both OpenFlow versions; traffic must follow what it sets. */
class OpenFlowAgentTest {

    @BeforeEach
    void needsKernelAndOvsOfctl() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
        KernelAssumptions.assumeTool("ovs-ofctl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OpenFlow13", "OpenFlow10"})
    void ovs_ofctl_drives_the_flow_table_and_pings_follow(String version) {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = agentOnLoopback(net, 1)) {
            OvsOfctl of = new OvsOfctl(version, agent);
            String h2 = net.host("h2").ip().toString();
            String h3 = net.host("h3").ip().toString();

            assertThat(of.ok("show")).contains("s1-h1", "s1-h2", "s1-h3", "dpid:0000000000000001");
            of.ok("add-flow", "priority=100,in_port=s1-h1,ip,nw_dst=" + h2 + ",actions=drop");
            assertThat(net.host("h1").ping(h2, 1).received()).isZero();
            assertThat(net.host("h1").ping(h3, 1).allReceived()).isTrue();
            assertThat(of.ok("dump-flows")).contains("priority=100", "nw_dst=" + h2, "actions=drop")
                    .doesNotContain("n_packets=0,");
            // The shell's table is the same table.
            assertThat(net.switchNamed("s1").flowTable().entries()).singleElement()
                    .satisfies(e -> assertThat(e.rule().action()).isEqualTo(new FlowAction.Drop()));

            of.ok("mod-flows", "ip,nw_dst=" + h2 + ",actions=NORMAL");
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();

            // A strict delete with another priority leaves the rule; with its own it removes it.
            of.ok("--strict", "del-flows", "priority=99,in_port=s1-h1,ip,nw_dst=" + h2);
            assertThat(net.switchNamed("s1").flowTable().entries()).hasSize(1);
            of.ok("--strict", "del-flows", "priority=100,in_port=s1-h1,ip,nw_dst=" + h2);
            assertThat(net.switchNamed("s1").flowTable().entries()).isEmpty();

            of.ok("add-flow", "cookie=0x42,priority=7,in_port=s1-h1,idle_timeout=60,actions=NORMAL");
            of.ok("add-flow", "cookie=0x43,priority=7,in_port=s1-h2,actions=NORMAL");
            assertThat(of.ok("dump-flows")).contains("cookie=0x42", "idle_timeout=60");
            if (version.equals("OpenFlow13")) {
                // Cookie masks exist from 1.1 on (1.0 has them only through Nicira extensions).
                of.ok("del-flows", "cookie=0x42/-1");
                List<FlowEntry> left = net.switchNamed("s1").flowTable().entries();
                assertThat(left).singleElement().satisfies(e -> assertThat(e.options().cookie()).isEqualTo(0x43));
            }
            of.ok("del-flows");
            assertThat(net.switchNamed("s1").flowTable().entries()).isEmpty();

            assertThat(of.ok("dump-ports")).contains("port  \"s1-h1\": rx pkts=", "port  \"s1-h3\"")
                    .doesNotContain("\"s1-h1\": rx pkts=0,");
            assertThat(of.ok("dump-aggregate")).contains("flow_count=0");
            // What the flow table cannot do is refused with the error, not half done.
            CommandResult vlan = of.run("add-flow", version.equals("OpenFlow13") ? "actions=push_vlan:0x8100,output:1"
                    : "actions=mod_vlan_vid:5,output:1");
            assertThat(vlan.ok()).isFalse();
            assertThat(vlan.stdout() + vlan.stderr()).contains("BAD");
            assertThat(net.switchNamed("s1").flowTable().entries()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"OpenFlow13", "OpenFlow10"})
    void mod_flows_moves_the_clients_udp_to_h3(String version) throws Exception {
        Topology file = YamlTopologyLoader.load(Path.of("examples/service-migration.yaml"));
        // The scenario without the file's rules: ovs-ofctl gives them, as the original topology script does.
        Topology t = withoutFlows(file);
        try (Emulation net = Emulation.start(t);
                OpenFlowAgent agent = agentOnLoopback(net, 1);
                DatagramSocket h2 = udpSocket(net, "h2", new InetSocketAddress("10.0.0.12", 8888));
                DatagramSocket h3 = udpSocket(net, "h3", new InetSocketAddress("10.0.0.12", 8888));
                DatagramSocket h1 = udpSocket(net, "h1", new InetSocketAddress(0))) {
            OvsOfctl of = new OvsOfctl(version, agent);
            of.ok("add-flow", "in_port=s1-h1,actions=output:s1-h2");
            of.ok("add-flow", "in_port=s1-h2,actions=output:s1-h1");
            of.ok("add-flow", "in_port=s1-h3,actions=output:s1-h1");
            send(h1, "one");
            assertThat(receive(h2, Duration.ofSeconds(5))).isEqualTo("one");

            of.ok("mod-flows", "in_port=s1-h1,actions=output:s1-h3");
            send(h1, "two");
            assertThat(receive(h3, Duration.ofSeconds(5))).isEqualTo("two");
            assertThat(receive(h2, Duration.ofMillis(300))).isNull();
            assertThat(of.ok("dump-flows")).contains("actions=output:\"s1-h3\"");
        }
    }

    @org.junit.jupiter.api.Test
    void a_monitoring_peer_hears_of_expired_rules_and_port_changes(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = agentOnLoopback(net, 1)) {
            OvsOfctl of = new OvsOfctl("OpenFlow13", agent);
            Path output = dir.resolve("monitor.out");
            Process monitor = new ProcessBuilder("ovs-ofctl", "--unixctl=" + dir.resolve("ctl"), "-O", "OpenFlow13",
                    "monitor", "tcp:127.0.0.1:" + agent.listenAddress().getPort())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                awaitTrue(() -> agent.connections() == 1, "the monitor connected");
                of.ok("add-flow", "hard_timeout=1,send_flow_rem,priority=9,in_port=s1-h2,actions=NORMAL");
                awaitTrue(() -> net.switchNamed("s1").flowTable().entries().isEmpty(), "the rule expired");
                net.linksBetween("h1", "s1").getFirst().setUp(false);
                awaitTrue(() -> java.nio.file.Files.readString(output).contains("LINK_DOWN")
                        && java.nio.file.Files.readString(output).contains("OFPT_FLOW_REMOVED"), "monitor output");
                assertThat(java.nio.file.Files.readString(output)).contains("reason=hard", "PORT_STATUS", "s1-h1");
            } finally {
                monitor.destroy();
                monitor.waitFor();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void a_pipelined_burst_is_applied_at_once_and_a_bad_rule_in_it_is_refused_alone() throws Exception {
        var f = org.projectfloodlight.openflow.protocol.OFFactories.getFactory(
                org.projectfloodlight.openflow.protocol.OFVersion.OF_13);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = agentOnLoopback(net, 1);
                java.net.Socket socket = connect(agent)) {
            List<org.projectfloodlight.openflow.protocol.OFMessage> burst = new ArrayList<>();
            burst.add(f.buildHello().setXid(1).build());
            for (int i = 0; i < 1201; i++) {
                int outPort = i == 150 ? 9 : 2; // the switch has ports 1 and 2 only
                burst.add(udpFlowFromPort1(f, 10 + i, 1000 + i, outPort));
            }
            burst.add(f.buildBarrierRequest().setXid(9999).build());
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
            burst.forEach(m -> m.writeTo(buf));
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(bytes);
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            List<org.projectfloodlight.openflow.protocol.OFMessage> replies = new ArrayList<>();
            while (replies.isEmpty() || replies.getLast().getType()
                    != org.projectfloodlight.openflow.protocol.OFType.BARRIER_REPLY) {
                replies.add(read(f, in));
            }
            assertThat(replies).filteredOn(m -> m.getType() == org.projectfloodlight.openflow.protocol.OFType.ERROR)
                    .singleElement().satisfies(e -> assertThat(e.getXid()).isEqualTo(160));
            assertThat(net.switchNamed("s1").flowTable().entries()).hasSize(1200);
        }
    }

    @org.junit.jupiter.api.Test
    void flow_mods_pipelined_with_barriers_are_answered_in_order_after_the_change() throws Exception {
        var f = org.projectfloodlight.openflow.protocol.OFFactories.getFactory(
                org.projectfloodlight.openflow.protocol.OFVersion.OF_13);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = agentOnLoopback(net, 1);
                java.net.Socket socket = connect(agent)) {
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
            f.buildHello().setXid(1).build().writeTo(buf);
            for (int i = 0; i < 200; i++) {
                int outPort = i == 100 ? 9 : 2; // the switch has ports 1 and 2 only
                udpFlowFromPort1(f, 10_000 + i, 1000 + i, outPort).writeTo(buf);
                f.buildBarrierRequest().setXid(20_000 + i).build().writeTo(buf);
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(bytes);
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            List<Long> answers = new ArrayList<>();
            while (answers.isEmpty() || answers.getLast() != 20_199) {
                var m = read(f, in);
                if (m.getType() != org.projectfloodlight.openflow.protocol.OFType.HELLO) {
                    answers.add(m.getXid());
                }
            }
            // Every barrier in order, the refused FLOW_MOD's error between the barriers around it.
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                if (i == 100) {
                    expected.add(10_100L);
                }
                expected.add(20_000L + i);
            }
            assertThat(answers).isEqualTo(expected);
            assertThat(net.switchNamed("s1").flowTable().entries()).hasSize(199);
        }
    }

    @org.junit.jupiter.api.Test
    void a_delete_reports_final_counts_to_flows_that_asked_for_flow_removed_only() throws Exception {
        var f = org.projectfloodlight.openflow.protocol.OFFactories.getFactory(
                org.projectfloodlight.openflow.protocol.OFVersion.OF_13);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = agentOnLoopback(net, 1);
                DatagramSocket h2 = udpSocket(net, "h2", new InetSocketAddress(8888));
                DatagramSocket h1 = udpSocket(net, "h1", new InetSocketAddress(0));
                java.net.Socket socket = connect(agent)) {
            socket.setSoTimeout(20_000);
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            write(socket, f.buildHello().setXid(1).build());
            // Both adds go the way without the codec (the first one's instructions are learnt from a third add).
            write(socket, udpFlowFromPort1(f, 2, 7777, 2));
            write(socket, udpFlowFromPort1(f, 3, 8888, 2).createBuilder().setCookie(U64.of(0x77))
                    .setFlags(java.util.Set.of(org.projectfloodlight.openflow.protocol.OFFlowModFlags.SEND_FLOW_REM))
                    .build());
            write(socket, udpFlowFromPort1(f, 4, 9999, 2));
            write(socket, f.buildBarrierRequest().setXid(5).build());
            awaitMessage(f, in, org.projectfloodlight.openflow.protocol.OFType.BARRIER_REPLY);
            String h2Address = net.host("h2").ip().toString();
            for (int i = 0; i < 3; i++) {
                byte[] data = ("n" + i).getBytes(StandardCharsets.UTF_8);
                h1.send(new DatagramPacket(data, data.length, new InetSocketAddress(h2Address, 8888)));
                assertThat(receive(h2, Duration.ofSeconds(5))).isEqualTo("n" + i);
            }
            write(socket, f.buildFlowDelete().setXid(6).setTableId(org.projectfloodlight.openflow.types.TableId.ALL)
                    .build());
            write(socket, f.buildBarrierRequest().setXid(7).build());
            List<org.projectfloodlight.openflow.protocol.OFMessage> replies = new ArrayList<>();
            while (replies.isEmpty() || replies.getLast().getType()
                    != org.projectfloodlight.openflow.protocol.OFType.BARRIER_REPLY) {
                replies.add(read(f, in));
            }
            assertThat(replies).filteredOn(m -> m.getType()
                    == org.projectfloodlight.openflow.protocol.OFType.FLOW_REMOVED).singleElement().satisfies(m -> {
                        var removed = (org.projectfloodlight.openflow.protocol.OFFlowRemoved) m;
                        assertThat(removed.getCookie()).isEqualTo(U64.of(0x77));
                        assertThat(removed.getPacketCount()).isEqualTo(U64.of(3));
                        assertThat(removed.getReason()).isEqualTo(
                                org.projectfloodlight.openflow.protocol.OFFlowRemovedReason.DELETE);
                    });
            assertThat(net.switchNamed("s1").flowTable().entries()).isEmpty();
        }
    }

    private static void awaitMessage(org.projectfloodlight.openflow.protocol.OFFactory f, java.io.DataInputStream in,
            org.projectfloodlight.openflow.protocol.OFType type) throws Exception {
        while (read(f, in).getType() != type) {
            // HELLO and the like.
        }
    }

    @org.junit.jupiter.api.Test
    void the_agent_connects_to_its_controller_and_again_after_the_controller_went_away() throws Exception {
        var f = org.projectfloodlight.openflow.protocol.OFFactories.getFactory(
                org.projectfloodlight.openflow.protocol.OFVersion.OF_13);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = agentOnLoopback(net, 7);
                java.net.ServerSocket controller = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            controller.setSoTimeout(20_000);
            agent.connectTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), controller.getLocalPort()));
            for (int round = 0; round < 2; round++) {
                try (java.net.Socket s = controller.accept()) {
                    s.setSoTimeout(10_000);
                    write(s, f.buildHello().setXid(1).build());
                    write(s, f.buildFeaturesRequest().setXid(2).build());
                    java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                    assertThat(read(f, in).getType()).isEqualTo(org.projectfloodlight.openflow.protocol.OFType.HELLO);
                    var features = (org.projectfloodlight.openflow.protocol.OFFeaturesReply) read(f, in);
                    assertThat(features.getDatapathId().getLong()).isEqualTo(7);
                }
                // Closing the connection: the agent must come back by itself.
            }
        }
    }

    /** s1's agent with datapath id {@code datapathId}, listening on a free loopback port. */
    private static OpenFlowAgent agentOnLoopback(Emulation net, long datapathId) {
        return OpenFlowAgent.start(net.switchNamed("s1"), datapathId,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
    }

    /** A controller's connection to {@code agent}. */
    private static java.net.Socket connect(OpenFlowAgent agent) throws java.io.IOException {
        return new java.net.Socket(InetAddress.getLoopbackAddress(), agent.listenAddress().getPort());
    }

    private static void write(java.net.Socket s, org.projectfloodlight.openflow.protocol.OFMessage m) throws Exception {
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        m.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        s.getOutputStream().write(bytes);
    }

    /** A 1.3 FLOW_MOD adding: UDP from port 1 to {@code udpDst} goes out {@code outPort}, at priority 10. */
    private static org.projectfloodlight.openflow.protocol.OFFlowAdd udpFlowFromPort1(
            org.projectfloodlight.openflow.protocol.OFFactory f, long xid, int udpDst, int outPort) {
        return f.buildFlowAdd().setXid(xid).setPriority(10)
                .setMatch(f.buildMatch().setExact(org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT,
                        org.projectfloodlight.openflow.types.OFPort.of(1))
                        .setExact(org.projectfloodlight.openflow.protocol.match.MatchField.ETH_TYPE,
                                org.projectfloodlight.openflow.types.EthType.IPv4)
                        .setExact(org.projectfloodlight.openflow.protocol.match.MatchField.IP_PROTO,
                                org.projectfloodlight.openflow.types.IpProtocol.UDP)
                        .setExact(org.projectfloodlight.openflow.protocol.match.MatchField.UDP_DST,
                                org.projectfloodlight.openflow.types.TransportPort.of(udpDst)).build())
                .setInstructions(List.of(f.instructions().applyActions(List.of(f.actions().buildOutput()
                        .setPort(org.projectfloodlight.openflow.types.OFPort.of(outPort)).setMaxLen(0xffe5)
                        .build()))))
                .build();
    }

    private static org.projectfloodlight.openflow.protocol.OFMessage read(
            org.projectfloodlight.openflow.protocol.OFFactory f, java.io.DataInputStream in) throws Exception {
        byte[] header = new byte[8];
        in.readFully(header);
        byte[] m = java.util.Arrays.copyOf(header, ((header[2] & 0xff) << 8) | (header[3] & 0xff));
        in.readFully(m, 8, m.length - 8);
        return f.getReader().readFrom(io.netty.buffer.Unpooled.wrappedBuffer(m));
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    private static Topology withoutFlows(Topology t) {
        return new Topology(t.name(), t.hosts(),
                t.switches().stream().map(s -> new net.mignet.topo.SwitchSpec(s.name())).toList(), t.links());
    }

    /** ovs-ofctl against the agent's listener. */
    private record OvsOfctl(String version, OpenFlowAgent agent) {
        CommandResult run(String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", version, "--names"));
            List<String> rest = new ArrayList<>(List.of(args));
            int command = rest.getFirst().startsWith("--") ? 1 : 0;
            argv.addAll(rest.subList(0, command + 1));
            argv.add("tcp:127.0.0.1:" + agent.listenAddress().getPort());
            argv.addAll(rest.subList(command + 1, rest.size()));
            return Command.run(argv, null, Duration.ofSeconds(20));
        }

        String ok(String... args) {
            CommandResult r = run(args);
            assertThat(r.ok()).as("ovs-ofctl %s: %s%s", String.join(" ", args), r.stdout(), r.stderr()).isTrue();
            return r.stdout();
        }
    }

    private static DatagramSocket udpSocket(Emulation net, String host, InetSocketAddress bind) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                return new DatagramSocket(bind);
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void send(DatagramSocket from, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(data, data.length, new InetSocketAddress("10.0.0.12", 8888)));
    }

    private static String receive(DatagramSocket socket, Duration timeout) throws Exception {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
