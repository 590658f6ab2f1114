package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NetnsPaths;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmulationTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void two_hosts_on_a_switch_ping_each_other() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"))) {
            PingResult r = net.host("h1").ping(net.host("h2").ip().toString(), 3);
            assertThat(r.received()).as(r.output()).isEqualTo(3);
            assertThat(net.host("h2").ping(net.host("h1").ip().toString(), 1).allReceived()).isTrue();
        }
    }

    @Test
    void a_host_with_two_interfaces_on_two_subnets_reaches_both() {
        Topology t = Topology.builder("two-subnets")
                .addHost("h1").addHost("h2").addHost("h3").addSwitch("s1").addSwitch("s2")
                .addLink("h1", "s1", o -> o.ip1("10.0.1.1/24"))
                .addLink("h1", "s2", o -> o.ip1("10.0.2.1/24"))
                .addLink("h2", "s1", o -> o.ip1("10.0.1.2/24"))
                .addLink("h3", "s2", o -> o.ip1("10.0.2.3/24"))
                .build();
        try (Emulation net = Emulation.start(t)) {
            assertThat(net.host("h1").ping("10.0.1.2", 1).allReceived()).isTrue();
            assertThat(net.host("h1").ping("10.0.2.3", 1).allReceived()).isTrue();
            // The subnets are separate: h2 has no route to h3's.
            assertThat(net.host("h2").ping("10.0.2.3", 1).received()).isZero();
        }
    }

    @Test
    void hosts_have_no_route_to_the_real_network() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"))) {
            String routes = net.host("h1").exec("ip", "route", "show").orThrow().stdout();
            assertThat(routes).doesNotContain("default");
            assertThat(routes.lines()).allMatch(l -> l.startsWith("10."));
        }
    }

    @Test
    void flow_rules_steer_udp_between_hosts_sharing_an_address() throws Exception {
        Topology t = YamlTopologyLoader.load(java.nio.file.Path.of("examples/service-migration.yaml"));
        try (Emulation net = Emulation.start(t);
                DatagramSocket h2 = udpSocket(net, "h2", new InetSocketAddress("10.0.0.12", 8888));
                DatagramSocket h3 = udpSocket(net, "h3", new InetSocketAddress("10.0.0.12", 8888));
                DatagramSocket h1 = udpSocket(net, "h1", new InetSocketAddress(0))) {
            send(h1, "one");
            assertThat(receive(h2)).isEqualTo("one");
            assertThat(receive(h3, Duration.ofMillis(300))).isNull();

            net.switchNamed("s1").flowTable().modify(FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h3").match(),
                    null, FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h3").action());
            send(h1, "two");
            assertThat(receive(h3)).isEqualTo("two");
            assertThat(receive(h2, Duration.ofMillis(300))).isNull();

            List<FlowEntry> entries = net.switchNamed("s1").flowTable().entries();
            FlowEntry fromH1 = entries.stream().filter(e -> "s1-h1".equals(e.rule().match().inPort())).findFirst()
                    .orElseThrow();
            // Counters survive the modification: ARP, "one" and "two" all came in on s1-h1.
            assertThat(fromH1.packets()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void two_emulations_of_the_same_file_run_at_once() {
        Topology t = YamlTopologyLoader.load(java.nio.file.Path.of("examples/two-hosts.yaml"));
        try (Emulation a = Emulation.start(t); Emulation b = Emulation.start(t)) {
            assertThat(a.id()).isNotEqualTo(b.id());
            String target = a.host("h2").ip().toString();
            assertThat(a.host("h1").ping(target, 2).allReceived()).isTrue();
            assertThat(b.host("h1").ping(target, 2).allReceived()).isTrue();
        }
    }

    @Test
    void closing_removes_namespaces_and_processes() throws Exception {
        Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
        String prefix = net.id().namespacePrefix();
        Process sleeper = net.host("h1").processBuilder(List.of("sleep", "600")).start();
        assertThat(NetnsPaths.list()).filteredOn(ns -> ns.startsWith(prefix)).hasSize(4);
        net.close();
        assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(prefix));
        assertThat(net.id().stateDirectory()).doesNotExist();
    }

    /**
     * What a killed owner left under an id is not the new network's to remove: starting with that id is refused,
     * saying how to remove it, and it stays (a build that failed on its namespaces used to remove them, and kill
     * its processes, unasked). A build that fails halfway on its own is in {@code SetupFailureTest}.
     */
    @Test
    void an_id_left_behind_by_a_killed_owner_is_refused_and_left_alone() {
        EmulationId id = EmulationId.fresh("leftover");
        Command.check(List.of("ip", "netns", "add", id.hostNamespace("h2")));
        try {
            assertThatThrownBy(() -> Emulation.start(TopologyGenerators.fromSpec("single,3"), id, s -> { }))
                    .hasMessageContaining("is half-built").hasMessageContaining("mignet clean --id " + id);
            assertThat(NetnsPaths.list()).filteredOn(ns -> ns.startsWith(id.namespacePrefix()))
                    .containsExactly(id.hostNamespace("h2"));
        } finally {
            Cleaner.removeEmulation(id, s -> { });
        }
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
    }

    @Test
    void hosts_sharing_an_address_and_overlapping_subnets_are_named_at_start() {
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        Topology scenario = YamlTopologyLoader.load(java.nio.file.Path.of("examples/service-migration.yaml"));
        try (Emulation net = Emulation.start(scenario, EmulationId.fresh("shared"), said::add)) {
            assertThat(said).contains("*** h2 and h3 share 10.0.0.12: which of them answers is up to the flow rules,"
                    + " as for a service that migrates between them");
        }
        said.clear();
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"), EmulationId.fresh("apart"),
                said::add)) {
            assertThat(said).noneMatch(l -> l.contains(" share ") || l.contains("overlapping"));
        }
        said.clear();
        Topology overlapping = Topology.builder("overlap").addHost("h1").addHost("h2").addSwitch("s1")
                .addLink("h1", "s1", o -> o.ip1("10.0.0.1/24")).addLink("h1", "s1", o -> o.ip1("10.0.1.1/16"))
                .addLink("h2", "s1", o -> o.ip1("10.0.0.2/24")).build();
        try (Emulation net = Emulation.start(overlapping, EmulationId.fresh("overlap"), said::add)) {
            assertThat(said).contains("!!! h1: 10.0.0.1/24 on h1-eth0 and 10.0.1.1/16 on h1-eth1 are overlapping"
                    + " subnets; the kernel sends to their overlap through the longer prefix only");
        }
    }

    @Test
    void every_host_of_a_large_network_is_configured() {
        // Enough hosts that namespaces are created and configured by several threads at once.
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,80"))) {
            assertThat(NetnsPaths.list()).filteredOn(ns -> ns.startsWith(net.id().namespacePrefix())).hasSize(81);
            for (Host h : net.hosts()) {
                String addr = h.exec("ip", "-o", "-4", "addr", "show").orThrow().stdout();
                assertThat(addr).as(h.name()).contains(h.ip() + "/8").contains("lo ");
                assertThat(h.exec("cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6").orThrow().stdout().strip())
                        .as(h.name()).isEqualTo("1");
            }
            assertThat(net.host("h1").ping(net.host("h80").ip().toString(), 1).allReceived()).isTrue();
            assertThat(net.host("h41").ping(net.host("h40").ip().toString(), 1).allReceived()).isTrue();
        }
    }

    @Test
    void frames_crossing_a_switch_skip_the_fabric_s_ip_hooks() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"))) {
            CommandResult hooks = Command.run(List.of("ip", "netns", "exec", net.id().fabricNamespace(), "sh", "-c",
                    "cat /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-arptables"));
            KernelAssumptions.assumeMachineState(hooks.ok(), "no br_netfilter switches in a network namespace"
                    + " (br_netfilter absent, or kept for the root one only)");
            assertThat(hooks.stdout().strip().split("\\s+")).containsExactly("0", "0");
            assertThat(net.host("h1").ping(net.host("h2").ip().toString(), 1).allReceived()).isTrue();
        }
    }

    @Test
    void every_switch_gets_its_flow_table_with_its_initial_rules() {
        Topology t = Topology.builder("two-switches")
                .addHost("h1", "10.0.0.1/24").addHost("h2", "10.0.0.2/24").addSwitch("s1").addSwitch("s2")
                .addLink("h1", "s1").addLink("s1", "s2").addLink("h2", "s2")
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h1,icmp actions=normal"))
                .addFlow("s2", FlowRuleParser.parse("in_port=s2-h2,icmp actions=drop"))
                .build();
        try (Emulation net = Emulation.start(t)) {
            assertThat(net.switchNamed("s1").flowTable().entries()).hasSize(1);
            assertThat(net.switchNamed("s2").flowTable().entries()).hasSize(1);
            // h2's echo replies are dropped at s2: the requests get through, nothing comes back.
            assertThat(net.host("h1").ping("10.0.0.2", 1).received()).isZero();
            assertThat(net.switchNamed("s1").flowTable().entries().getFirst().packets()).isPositive();
            assertThat(net.switchNamed("s2").flowTable().entries().getFirst().packets()).isPositive();
            net.switchNamed("s2").flowTable().delete(FlowMatch.ANY, null);
            assertThat(net.host("h1").ping("10.0.0.2", 2).received()).isPositive();
        }
    }

    @Test
    void links_go_down_and_up() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"))) {
            String h2 = net.host("h2").ip().toString();
            net.linksBetween("h2", "s1").forEach(l -> l.setUp(false));
            assertThat(net.host("h1").ping(h2, 1).received()).isZero();
            net.linksBetween("h2", "s1").forEach(l -> l.setUp(true));
            assertThat(net.host("h1").ping(h2, 3).received()).isPositive();
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

    private static String receive(DatagramSocket socket) throws Exception {
        return receive(socket, Duration.ofSeconds(5));
    }

    /** The next datagram's text, or null when none arrives within the timeout. */
    private static String receive(DatagramSocket socket, Duration timeout) throws Exception {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
    }
}
