package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two subnets joined by a router host (examples/router.yaml, Mininet's linuxrouter): the hosts' routes go in at
 * build, and a ping crosses r1 as one hop.
 */
class RoutedSubnetsTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration REPLY_WAIT = Duration.ofSeconds(1);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void hosts_on_two_subnets_reach_each_other_through_the_router() {
        Topology t = YamlTopologyLoader.load(Path.of("examples/router.yaml"));
        try (Emulation net = Emulation.start(t)) {
            PingResult there = net.host("h1").ping("10.0.2.10", 2, INTERVAL, REPLY_WAIT);
            assertThat(there.allReceived()).as(there.output()).isTrue();
            // Linux starts at TTL 64; r1's forwarding takes one off.
            assertThat(there.output()).contains("ttl=63");
            PingResult back = net.host("h3").ping("10.0.1.11", 1, INTERVAL, REPLY_WAIT);
            assertThat(back.allReceived()).as(back.output()).isTrue();
            assertThat(net.host("h1").exec("ip", "route", "show").orThrow().stdout())
                    .contains("default via 10.0.1.1 dev h1-eth0");
        }
    }

    /** The same network from the Java builder, with r1 not forwarding: the routes are there, the ping is not. */
    @Test
    void without_ip_forward_the_router_does_not_forward() {
        Topology t = routerNetwork("0");
        try (Emulation net = Emulation.start(t)) {
            assertThat(net.host("h1").ping("10.0.2.1", 1, INTERVAL, REPLY_WAIT).allReceived())
                    .as("r1 itself answers on its far address").isTrue();
            PingResult r = net.host("h1").ping("10.0.2.10", 1, INTERVAL, REPLY_WAIT);
            assertThat(r.received()).as(r.output()).isZero();
        }
    }

    /**
     * Taking an interface down makes the kernel delete the routes through it; a restart after a crash brings them
     * back with the interface, or the restarted host could no longer leave its subnet.
     */
    @Test
    void a_crashed_host_gets_its_routes_back_when_it_restarts() {
        try (Emulation net = Emulation.start(routerNetwork("1"))) {
            net.faults().crash("h1");
            assertThat(net.host("h1").exec("ip", "route", "show").orThrow().stdout()).doesNotContain("default");
            net.faults().restart("h1");
            PingResult r = net.host("h1").ping("10.0.2.10", 1, INTERVAL, REPLY_WAIT);
            assertThat(r.allReceived()).as(r.output()).isTrue();
        }
    }

    private static Topology routerNetwork(String ipForward) {
        return Topology.builder("routed")
                .addHost("h1", "10.0.1.10/24").addHost("h3", "10.0.2.10/24").addHost("r1")
                .sysctl("r1", "net.ipv4.ip_forward", ipForward)
                .route("h1", "default", "10.0.1.1").route("h3", "10.0.1.0/24", "10.0.2.1")
                .addSwitch("s1").addSwitch("s2")
                .addLink("h1", "s1").addLink("h3", "s2")
                .addLink("r1", "s1", o -> o.ip1("10.0.1.1/24")).addLink("r1", "s2", o -> o.ip1("10.0.2.1/24"))
                .build();
    }
}
