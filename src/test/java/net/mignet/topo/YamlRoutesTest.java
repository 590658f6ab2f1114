package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code routes:} of a host, in the file and from the Java builder: what is read, and what is refused where. */
class YamlRoutesTest {
    /** h1 on 10.0.1.0/24 (line 2 holds its routes), r1 on both subnets. */
    private static String network(String h1Routes) {
        return """
                hosts:
                  h1: {ip: 10.0.1.10/24, routes: %s}
                  h3: {ip: 10.0.2.10/24}
                  r1: {sysctls: {net.ipv4.ip_forward: 1}}
                switches:
                  s1:
                  s2:
                links:
                  - ends: [h1, s1]
                  - ends: [h3, s2]
                  - ends: [{node: r1, ip: 10.0.1.1/24}, s1]
                  - ends: [{node: r1, ip: 10.0.2.1/24}, s2]
                """.formatted(h1Routes);
    }

    private static TopologyException refused(String yaml) {
        return catchThrowableOfType(TopologyException.class, () -> YamlTopologyLoader.parse(yaml, "t.yaml"));
    }

    @Test
    void routes_are_read_in_order_with_default_as_the_whole_address_space() {
        Topology t = YamlTopologyLoader.parse(network("[default via 10.0.1.1, 10.9.0.0/16 via 10.0.1.1,"
                + " 10.8.0.0/16 via 10.0.1.2]"), "t.yaml");
        HostSpec h1 = t.host("h1").orElseThrow();
        assertThat(h1.routes()).containsExactly(HostRoute.of("0.0.0.0/0", "10.0.1.1"),
                HostRoute.of("10.9.0.0/16", "10.0.1.1"), HostRoute.of("10.8.0.0/16", "10.0.1.2"));
        assertThat(h1.routes().getFirst().isDefault()).isTrue();
        assertThat(h1.routes().getFirst()).hasToString("default via 10.0.1.1");
        assertThat(t.host("r1").orElseThrow().routes()).isEmpty();
    }

    @Test
    void the_router_example_gives_each_host_a_default_route_through_r1() {
        Topology t = YamlTopologyLoader.load(Path.of("examples/router.yaml"));
        assertThat(t.host("h1").orElseThrow().routes()).containsExactly(HostRoute.parse("default via 10.0.1.1"));
        assertThat(t.host("h3").orElseThrow().routes()).containsExactly(HostRoute.parse("default via 10.0.2.1"));
        assertThat(t.sysctlsOf("r1")).containsEntry("net.ipv4.ip_forward", "1");
        assertThat(t.interfacesOf("r1")).extracting(e -> e.ip().toString()).containsExactly("10.0.1.1/24",
                "10.0.2.1/24");
        // Every subnet has a router address, so the start-up notes have nothing to say.
        assertThat(SegmentSubnets.notes(t)).isEmpty();
    }

    @Test
    void entries_that_do_not_parse_are_refused_with_their_line() {
        TopologyException e = refused("""
                hosts:
                  h1:
                    ip: 10.0.1.10/24
                    routes:
                      - default 10.0.1.1
                      - 10.0.2.5/24 via 10.0.1.1
                      - 10.0.2.0 via 10.0.1.1
                      - default via 10.0.1
                      - [default, via, 10.0.1.1]
                switches: {s1: }
                links: [{ends: [h1, s1]}]
                """);
        assertThat(e.problems()).containsExactly(
                "t.yaml:5: host 'h1': route 'default 10.0.1.1' must be 'DESTINATION via GATEWAY', e.g. 'default via"
                        + " 10.0.1.1' or '10.0.2.0/24 via 10.0.1.1'",
                "t.yaml:6: host 'h1': route '10.0.2.5/24 via 10.0.1.1': the destination 10.0.2.5/24 has host bits"
                        + " set; write the network 10.0.2.0/24",
                "t.yaml:7: host 'h1': route '10.0.2.0 via 10.0.1.1': the destination '10.0.2.0' must be 'default'"
                        + " or a network with its prefix length, e.g. 10.0.2.0/24 ('10.0.2.0' has no prefix length"
                        + " (write it like 10.0.0.1/24))",
                "t.yaml:8: host 'h1': route 'default via 10.0.1': the gateway must be an address such as 10.0.1.1"
                        + " ('10.0.1' is not an IPv4 address (write it like 10.0.0.1))",
                "t.yaml:9: a route of host 'h1' must be one line 'DESTINATION via GATEWAY', e.g. 'default via"
                        + " 10.0.1.1'; found a list");
    }

    @Test
    void routes_must_be_a_list() {
        assertThat(refused(network("default via 10.0.1.1")).problems()).containsExactly("t.yaml:2: routes of host"
                + " 'h1' must be a list, e.g. 'routes: [default via 10.0.1.1]'; found 'default via 10.0.1.1'");
    }

    @Test
    void a_destination_given_twice_is_refused_at_the_second() {
        TopologyException e = refused("""
                hosts:
                  h1:
                    ip: 10.0.1.10/24
                    routes:
                      - default via 10.0.1.1
                      - 0.0.0.0/0 via 10.0.1.2
                switches: {s1: }
                links: [{ends: [h1, s1]}]
                """);
        assertThat(e.problems()).containsExactly("t.yaml:6: host 'h1': the route to default is given twice (first"
                + " on line 5); keep one");
    }

    @Test
    void a_gateway_off_the_hosts_subnets_is_refused_naming_them() {
        assertThat(refused(network("[default via 10.0.2.1]")).problems()).containsExactly("t.yaml:2: host 'h1':"
                + " route 'default via 10.0.2.1': the gateway 10.0.2.1 is on none of h1's subnets (10.0.1.0/24), so"
                + " the kernel would refuse the route; name a router's address on one of them");
    }

    @Test
    void the_hosts_own_address_its_broadcast_and_its_own_subnet_are_refused() {
        TopologyException e = refused(network("""
                [default via 10.0.1.10,
                      10.0.5.0/24 via 10.0.1.255,
                      10.0.1.0/24 via 10.0.1.1]"""));
        assertThat(e.problems()).containsExactly(
                "t.yaml:2: host 'h1': route 'default via 10.0.1.10': 10.0.1.10 is h1's own address (on h1-eth0),"
                        + " through which nothing leaves; name the router's address on that subnet",
                "t.yaml:3: host 'h1': route '10.0.5.0/24 via 10.0.1.255': 10.0.1.255 is the broadcast address of"
                        + " 10.0.1.0/24, which the kernel refuses as a gateway; name the router's address on that"
                        + " subnet",
                "t.yaml:4: host 'h1': route '10.0.1.0/24 via 10.0.1.1': 10.0.1.0/24 is h1's own subnet on h1-eth0,"
                        + " reached without a gateway; drop the route");
    }

    @Test
    void a_host_without_an_address_has_no_gateway() {
        assertThat(refused("""
                hosts:
                  h1: {routes: [default via 10.0.1.1]}
                switches: {s1: }
                links: [{ends: [h1, s1]}]
                """).problems()).containsExactly("t.yaml:2: host 'h1': route 'default via 10.0.1.1': the gateway must"
                + " be on one of h1's subnets, and h1 has no address; give it one (ip: 10.0.1.10/24, or ip: on a link"
                + " end)");
    }

    @Test
    void the_java_builder_makes_the_same_checks() {
        assertThat(Topology.builder("j").addHost("h1", "10.0.1.10/24").route("h1", "default", "10.0.1.1")
                .addSwitch("s1").addLink("h1", "s1").build().host("h1").orElseThrow().routes())
                .containsExactly(new HostRoute(HostRoute.DEFAULT, Ipv4Address.parse("10.0.1.1")));
        assertThatThrownBy(() -> Topology.builder("j").addHost("h1", "10.0.1.10/24")
                .route("h1", "default", "10.0.2.1").addSwitch("s1").addLink("h1", "s1").build())
                .isInstanceOf(TopologyException.class)
                .hasMessage("host 'h1': route 'default via 10.0.2.1': the gateway 10.0.2.1 is on none of h1's"
                        + " subnets (10.0.1.0/24), so the kernel would refuse the route; name a router's address on"
                        + " one of them");
        assertThatThrownBy(() -> Topology.builder("j").addHost("h1", "10.0.1.10/24")
                .route("h1", "10.0.2.0/24", "10.0.1.1").route("h1", "10.0.2.0/24", "10.0.1.2"))
                .isInstanceOf(TopologyException.class)
                .hasMessage("host 'h1': the route to 10.0.2.0/24 is given twice ('10.0.2.0/24 via 10.0.1.1' and"
                        + " '10.0.2.0/24 via 10.0.1.2'); keep one");
        assertThatThrownBy(() -> Topology.builder("j").addHost("h1").route("h1", "10.0.2.1/24", "10.0.1.1"))
                .isInstanceOf(TopologyException.class)
                .hasMessage("host 'h1': route '10.0.2.1/24 via 10.0.1.1': the destination 10.0.2.1/24 has host bits"
                        + " set; write the network 10.0.2.0/24");
        assertThatThrownBy(() -> Topology.builder("j").route("h9", "default", "10.0.1.1"))
                .isInstanceOf(TopologyException.class)
                .hasMessage("route for host 'h9', which is not declared; call addHost first");
    }

    /** sysctl() used to rebuild the host from its name, address and sysctls only: the image was lost. */
    @Test
    void adding_a_sysctl_or_a_route_keeps_the_rest_of_the_host() {
        HostContainer container = new HostContainer(null, ResourceLimits.parse(List.of("cpu=0.5")));
        Topology t = Topology.builder("j").addHost("h1", Ipv4Prefix.parse("10.0.1.10/24"), container)
                .route("h1", "default", "10.0.1.1").sysctl("h1", "net.ipv4.ip_forward", "1")
                .addSwitch("s1").addLink("h1", "s1").build();
        HostSpec h1 = t.host("h1").orElseThrow();
        assertThat(h1.container()).isEqualTo(container);
        assertThat(h1.routes()).hasSize(1);
        assertThat(h1.sysctls()).containsEntry("net.ipv4.ip_forward", "1");
    }
}
