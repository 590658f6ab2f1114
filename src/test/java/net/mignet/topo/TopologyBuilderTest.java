package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopologyBuilderTest {

    @Test
    void unnamedInterfacesAreNamedLikeMininetOnHostsAndAfterThePeerOnSwitches() {
        Topology t = Topology.builder("t").addHost("h1").addSwitch("s1").addSwitch("s2")
                .addLink("h1", "s1").addLink("s1", "s2").addLink("h1", "s2").build();

        assertThat(t.interfacesOf("h1")).extracting(LinkEnd::interfaceName).containsExactly("h1-eth0", "h1-eth1");
        assertThat(t.portsOf("s1")).containsExactly("s1-h1", "s1-s2");
        assertThat(t.portsOf("s2")).containsExactly("s2-s1", "s2-h1");
    }

    @Test
    void secondLinkToTheSamePeerGetsANumberedPort() {
        Topology t = Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1").addLink("h1", "s1").build();

        assertThat(t.portsOf("s1")).containsExactly("s1-h1", "s1-h1-2");
    }

    @Test
    void chosenNamesNeverTakeANameWrittenOnALaterLink() {
        Topology t = Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1")
                .addLink("h1", "s1", o -> o.intfName1("h1-eth0").intfName2("s1-h1"))
                .build();

        assertThat(t.links().getFirst().a().interfaceName()).isEqualTo("h1-eth1");
        assertThat(t.links().getFirst().b().interfaceName()).isEqualTo("s1-h1-2");
    }

    @Test
    void defaultIpGoesToTheFirstInterfaceOnly() {
        Topology t = Topology.builder("t").addHost("h1", "10.0.0.1/24").addSwitch("s1")
                .addLink("h1", "s1").addLink("h1", "s1").build();

        assertThat(t.interfacesOf("h1")).extracting(LinkEnd::ip)
                .containsExactly(Ipv4Prefix.parse("10.0.0.1/24"), null);
        assertThat(t.interfacesOf("s1")).extracting(LinkEnd::ip).containsOnlyNulls();
    }

    @Test
    void defaultIpIsNotMovedToASecondInterfaceWhenTheFirstHasItsOwn() {
        Topology t = Topology.builder("t").addHost("h2", "10.0.0.12/24").addSwitch("s1")
                .addLink("h2", "s1", o -> o.ip1("10.0.0.12/24"))
                .addLink("h2", "s1")
                .build();

        assertThat(t.interfacesOf("h2")).extracting(LinkEnd::ip)
                .containsExactly(Ipv4Prefix.parse("10.0.0.12/24"), null);
    }

    @Test
    void linkOptionsAreKept() {
        Topology t = Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.mac1("00:00:00:00:00:01").bw(100).delay("2ms").jitter("1ms").loss(5))
                .build();

        LinkSpec link = t.links().getFirst();
        assertThat(link.a().mac()).isEqualTo(MacAddress.parse("00:00:00:00:00:01"));
        assertThat(link.params()).isEqualTo(new LinkParams(100.0, Duration.ofMillis(2), Duration.ofMillis(1), 5.0));
    }
}
