package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.NamespaceThread;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Set-field over OpenFlow on real traffic, as a load balancer uses it: h1's UDP to a virtual address reaches h3
 * (destination IP and MAC rewritten) and h3's reply comes back from the virtual address (source rewritten), with
 * checksums the receiving kernels accept. ARP and masked-MAC matches arrive over OpenFlow too.
 */
class OpenFlowRewriteTest {
    private static final String VIP = "10.0.0.100";
    private static final String VMAC = "02:00:00:00:01:00";

    @BeforeEach
    void needsKernelAndOvsOfctl() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ovs-ofctl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OpenFlow13", "OpenFlow10"})
    void udp_to_a_virtual_address_reaches_h3_and_the_reply_comes_back_rewritten(String version) throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                DatagramSocket h3 = udpSocket(net, "h3", new InetSocketAddress(9999));
                DatagramSocket h1 = udpSocket(net, "h1", new InetSocketAddress(0))) {
            String h3Ip = net.host("h3").ip().toString();
            String h3Mac = mac(net, "h3");
            String h1If = net.host("h1").interfaces().getFirst().interfaceName();
            net.host("h1").exec("ip", "neigh", "replace", VIP, "lladdr", VMAC, "dev", h1If, "nud", "permanent")
                    .orThrow();
            String toBackend = version.equals("OpenFlow13")
                    ? "set_field:" + h3Ip + "->ip_dst,set_field:" + h3Mac + "->eth_dst"
                    : "mod_nw_dst:" + h3Ip + ",mod_dl_dst:" + h3Mac;
            ofctl(version, agent, "add-flow", "priority=100,in_port=s1-h1,udp,nw_dst=" + VIP + ",actions="
                    + toBackend + ",output:s1-h3");
            ofctl(version, agent, "add-flow", "priority=100,in_port=s1-h3,udp,nw_src=" + h3Ip
                    + ",actions=mod_nw_src:" + VIP + ",mod_dl_src:" + VMAC + ",output:s1-h1");

            send(h1, "ping", new InetSocketAddress(VIP, 9999));
            DatagramPacket request = receive(h3);
            assertThat(text(request)).isEqualTo("ping");
            send(h3, "pong", (InetSocketAddress) request.getSocketAddress());
            DatagramPacket reply = receive(h1);
            assertThat(text(reply)).isEqualTo("pong");
            assertThat(reply.getAddress().getHostAddress()).isEqualTo(VIP);

            String dump = ofctl(version, agent, "dump-flows");
            assertThat(dump).contains(VIP, h3Ip).doesNotContain("n_packets=0,");
            assertThat(dump.toLowerCase()).contains(h3Mac);
            assertThat(net.switchNamed("s1").flowTable().entries()).allSatisfy(e ->
                    assertThat(e.rule().rewrites()).hasSize(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"OpenFlow13", "OpenFlow10"})
    void arp_and_masked_mac_matches_arrive_and_vlan_actions_are_refused(String version) throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { })) {
            String h2 = net.host("h2").ip().toString();
            ofctl(version, agent, "add-flow", "priority=200,arp,arp_tpa=" + h2 + ",arp_op=1,actions=drop");
            assertThat(net.host("h1").ping(h2, 1).received()).isZero();
            assertThat(ofctl(version, agent, "dump-flows")).contains("arp_tpa=" + h2, "arp_op=1");
            ofctl(version, agent, "del-flows");
            assertThat(net.switchNamed("s1").flowTable().entries()).isEmpty();
            // h1's neighbour entry for h2 may still be probing from the dropped request: allow a few seconds.
            assertThat(net.host("h1").ping(h2, 4).received()).isPositive();
            if (version.equals("OpenFlow13")) {
                // OpenFlow 1.0 cannot mask MACs (ovs-ofctl would need Nicira extensions for it).
                ofctl(version, agent, "add-flow", "priority=50,dl_src=00:00:00:00:00:00/01:00:00:00:00:00,"
                        + "actions=NORMAL");
                assertThat(ofctl(version, agent, "dump-flows")).contains("dl_src=00:00:00:00:00:00/01:00:00:00:00:00");
                assertThat(net.switchNamed("s1").flowTable().entries()).singleElement()
                        .satisfies(e -> assertThat(e.rule().match().ethSrcMask()).isNotNull());
            }
            CommandResult vlan = run(version, agent, "add-flow", version.equals("OpenFlow13")
                    ? "actions=push_vlan:0x8100,output:1" : "actions=mod_vlan_vid:5,output:1");
            assertThat(vlan.ok()).isFalse();
            assertThat(vlan.stdout() + vlan.stderr()).contains("BAD_TYPE");
        }
    }

    private static String mac(Emulation net, String host) {
        String ifName = net.host(host).interfaces().getFirst().interfaceName();
        return net.host(host).exec("cat", "/sys/class/net/" + ifName + "/address").orThrow().stdout().strip();
    }

    private static CommandResult run(String version, OpenFlowAgent agent, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", version, "--names", args[0],
                "tcp:127.0.0.1:" + agent.listenAddress().getPort()));
        argv.addAll(List.of(args).subList(1, args.length));
        return Command.run(argv, null, Duration.ofSeconds(20));
    }

    private static String ofctl(String version, OpenFlowAgent agent, String... args) {
        CommandResult r = run(version, agent, args);
        assertThat(r.ok()).as("ovs-ofctl %s: %s%s", String.join(" ", args), r.stdout(), r.stderr()).isTrue();
        return r.stdout();
    }

    private static DatagramSocket udpSocket(Emulation net, String host, InetSocketAddress bind) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                DatagramSocket s = new DatagramSocket(bind);
                s.setSoTimeout(5000);
                return s;
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void send(DatagramSocket from, String text, InetSocketAddress to) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(data, data.length, to));
    }

    private static DatagramPacket receive(DatagramSocket socket) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
        socket.receive(p);
        return p;
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
}
