package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.kernel.Command;
import net.mignet.kernel.NamespaceThread;
import net.mignet.net.Emulation;
import net.mignet.topo.FailMode;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/** Frames to and from a controller: packet-ins with their port, packet-outs to ports, fail modes and misses. */
class PacketInOutTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @ParameterizedTest
    @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_10"})
    void udp_goes_to_the_controller_and_its_packet_out_reaches_h2(OFVersion version) throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                TinyController c = new TinyController(agent.listenAddress(), version);
                DatagramSocket h1 = udpSocket(net, "h1", 0);
                DatagramSocket h2 = udpSocket(net, "h2", 9999)) {
            HostOffloads.disableChecksumOffload(net);
            OFFactory f = c.factory();
            List<OFAction> toController = List.of(f.actions().buildOutput().setPort(OFPort.CONTROLLER)
                    .setMaxLen(0xffff).build());
            var mod = f.buildFlowAdd().setPriority(10).setCookie(U64.of(0x77)).setMatch(f.buildMatch()
                    .setExact(MatchField.IN_PORT, OFPort.of(1)).setExact(MatchField.ETH_TYPE, EthType.IPv4)
                    .setExact(MatchField.IP_PROTO, IpProtocol.UDP).build());
            c.send(c.withActions(mod, toController));
            c.barrier();
            assertThat(net.switchNamed("s1").flowTable().entries()).singleElement()
                    .satisfies(e -> assertThat(e.rule().action()).isEqualTo(new FlowAction.Controller()));

            InetSocketAddress h2At = new InetSocketAddress(net.host("h2").ip().toString(), 9999);
            send(h1, "hello", h2At);
            OFPacketIn in = c.next(OFType.PACKET_IN, WAIT);
            assertThat(in).as("packet-in").isNotNull();
            assertThat(in.getBufferId()).isEqualTo(OFBufferId.NO_BUFFER);
            assertThat(new String(in.getData(), StandardCharsets.ISO_8859_1)).endsWith("hello");
            assertThat(in.getTotalLen()).isEqualTo(in.getData().length);
            if (version == OFVersion.OF_10) {
                assertThat(in.getInPort()).isEqualTo(OFPort.of(1));
            } else {
                assertThat(in.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
                assertThat(in.getCookie()).isEqualTo(U64.of(0x77));
                assertThat(in.getReason()).isEqualTo(OFPacketInReason.ACTION);
            }
            // The rule sent the frame up instead of on: h2 has nothing until the controller sends it.
            assertThat(receive(h2, Duration.ofMillis(200))).isNull();

            c.send(f.buildPacketOut().setBufferId(OFBufferId.NO_BUFFER).setInPort(OFPort.of(1))
                    .setActions(List.of(f.actions().output(OFPort.of(2), 0))).setData(in.getData()).build());
            assertThat(receive(h2, WAIT)).isEqualTo("hello");

            long h3Before = net.host("h3").counters("h3-eth0").rxPackets();
            c.send(f.buildPacketOut().setBufferId(OFBufferId.NO_BUFFER).setInPort(OFPort.of(1))
                    .setActions(List.of(f.actions().output(OFPort.FLOOD, 0))).setData(in.getData()).build());
            assertThat(receive(h2, WAIT)).isEqualTo("hello");
            assertThat(net.host("h3").counters("h3-eth0").rxPackets()).isGreaterThan(h3Before);

            // Output to CONTROLLER comes back as a packet-in (reason ACTION) on the packet-out's in_port.
            c.send(f.buildPacketOut().setBufferId(OFBufferId.NO_BUFFER).setInPort(OFPort.of(3))
                    .setActions(List.of(f.actions().output(OFPort.CONTROLLER, 0xffff))).setData(in.getData()).build());
            OFPacketIn back = c.next(OFType.PACKET_IN, WAIT);
            assertThat(back).isNotNull();
            assertThat(back.getReason()).isEqualTo(OFPacketInReason.ACTION);
            assertThat(back.getData()).isEqualTo(in.getData());
            assertThat(version == OFVersion.OF_10 ? back.getInPort() : back.getMatch().get(MatchField.IN_PORT))
                    .isEqualTo(OFPort.of(3));

            // A buffer id the switch never gave is refused, and nothing is sent.
            c.send(f.buildPacketOut().setBufferId(OFBufferId.of(5)).setInPort(OFPort.of(1))
                    .setActions(List.of(f.actions().output(OFPort.of(2), 0))).setData(in.getData()).build());
            assertThat((Object) c.next(OFType.ERROR, WAIT)).isNotNull();
            assertThat(receive(h2, Duration.ofMillis(200))).isNull();
        }
    }

    @Test
    void packet_in_rate_is_limited_per_switch() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { },
                        FailMode.STANDALONE, 50);
                TinyController c = new TinyController(agent.listenAddress(), OFVersion.OF_13);
                DatagramSocket h1 = udpSocket(net, "h1", 0)) {
            OFFactory f = c.factory();
            c.send(f.buildFlowAdd().setPriority(10).setMatch(f.buildMatch().setExact(MatchField.ETH_TYPE,
                    EthType.IPv4).setExact(MatchField.IP_PROTO, IpProtocol.UDP).build())
                    .setInstructions(List.of(f.instructions().applyActions(List.of(f.actions().buildOutput()
                            .setPort(OFPort.CONTROLLER).setMaxLen(0xffff).build())))).build());
            c.barrier();
            net.host("h1").ping(net.host("h2").ip().toString(), 1); // resolves h2's MAC first
            InetSocketAddress h2At = new InetSocketAddress(net.host("h2").ip().toString(), 9999);
            long start = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                send(h1, "storm" + i, h2At);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int got = 0;
            while (c.next(OFType.PACKET_IN, Duration.ofMillis(300)) != null) {
                got++;
            }
            // 50/s with a burst of 5: what the storm lasted allows, with a margin for the burst and timing.
            assertThat(got).isBetween(1, (int) (5 + 50 * (seconds + 0.5)) + 5);
            assertThat(got).isLessThan(2000);
        }
    }

    @Test
    void secure_drops_misses_without_controller_and_standalone_bridges_them() throws Exception {
        List<String> said = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"))) {
            String h2 = net.host("h2").ip().toString();
            try (OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), said::add,
                    FailMode.SECURE, 1000)) {
                assertThat(net.host("h1").ping(h2, 1).received()).isZero();
                // A tool on the passive listener is no controller: still secure.
                try (TinyController tool = new TinyController(agent.listenAddress(), OFVersion.OF_13)) {
                    tool.barrier();
                    assertThat(agent.controllers()).isZero();
                    assertThat(net.host("h1").ping(h2, 1).received()).isZero();
                }
            }
            try (OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), said::add,
                    FailMode.STANDALONE, 1000);
                    ServerSocket controllerPort = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
                assertThat(reaches(net, h2)).as(() -> diagnosis(net, said, h2)).isTrue();
                agent.connectTo((InetSocketAddress) controllerPort.getLocalSocketAddress());
                controllerPort.setSoTimeout(5000);
                Socket accepted = controllerPort.accept();
                // An OpenFlow 1.0 controller gets the misses as packet-ins; nothing reaches the bridge.
                try (TinyController c = new TinyController(accepted, OFVersion.OF_10)) {
                    c.barrier();
                    awaitMiss(net, new FlowAction.Controller());
                    c.clear(OFType.PACKET_IN);
                    assertThat(net.host("h1").ping(h2, 1).received()).isZero();
                    OFPacketIn in = c.next(OFType.PACKET_IN, WAIT);
                    assertThat(in).isNotNull();
                    assertThat(in.getReason()).isEqualTo(OFPacketInReason.NO_MATCH);
                }
                // Standalone: the bridge again once the controller is gone.
                awaitMiss(net, new FlowAction.Normal());
                assertThat(reaches(net, h2)).as(() -> diagnosis(net, said, h2)).isTrue();
            }
        }
    }

    /** What the agents said, the switch's nftables and h1's neighbours, and whether h1 reaches h2 a second on. */
    private static String diagnosis(Emulation net, List<String> said, String h2) {
        String ns = net.switchNamed("s1").fabricNamespace();
        String rules = Command.run(List.of("ip", "netns", "exec", ns, "nft", "list", "ruleset"))
                .stdout();
        String neighbours = Command.run(List.of("ip", "-n", net.host("h1").namespace(), "neigh"))
                .stdout();
        String fdb = Command.run(List.of("bridge", "-n", ns, "fdb", "show")).stdout();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "the agents said " + said + "; table miss " + net.switchNamed("s1").flowTable().tableMiss()
                + "\nnft:\n" + rules + "\nh1 neighbours:\n" + neighbours + "\nfdb:\n" + fdb
                + "\na second later h1 reaches h2: " + reaches(net, h2);
    }

    /**
     * Whether h1 reaches h2: a reply to any of three pings. h1's and h2's neighbour caches are emptied first: while
     * the switch dropped their ARP requests, an entry may have been left mid-resolution with its last probe spent,
     * and the kernel would then drop the pings queued behind it when the entry fails a second later.
     */
    private static boolean reaches(Emulation net, String h2) {
        for (String h : List.of("h1", "h2")) {
            Command.check(List.of("ip", "-n", net.host(h).namespace(), "neigh", "flush", "all"));
        }
        return net.host("h1").ping(h2, 3).received() > 0;
    }

    private static void awaitMiss(Emulation net, FlowAction expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!net.switchNamed("s1").flowTable().tableMiss().equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the table miss stayed " + net.switchNamed("s1").flowTable().tableMiss()
                        + ", expected " + expected);
            }
            Thread.sleep(20);
        }
    }

    static DatagramSocket udpSocket(Emulation net, String host, int port) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                return new DatagramSocket(new InetSocketAddress(port));
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void send(DatagramSocket from, String text, InetSocketAddress to) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(data, data.length, to));
    }

    static String receive(DatagramSocket socket, Duration timeout) throws Exception {
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
