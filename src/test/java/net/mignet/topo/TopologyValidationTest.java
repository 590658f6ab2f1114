package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import org.junit.jupiter.api.Test;

class TopologyValidationTest {

    @Test
    void aNameUsedByTwoNodesIsRefused() {
        assertThatThrownBy(() -> Topology.builder("t").addHost("h1").addHost("h1").build())
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("node 'h1' is declared twice");
        assertThatThrownBy(() -> Topology.builder("t").addHost("x1").addSwitch("x1").build())
                .hasMessageContaining("node 'x1' is declared twice");
    }

    @Test
    void aLinkToAnUndeclaredNodeNamesItAndTheKnownOnes() {
        assertThatThrownBy(() -> Topology.builder("t").addHost("h1").addSwitch("s1").addLink("h1", "s2").build())
                .hasMessageContaining("names node 's2', which is not declared")
                .hasMessageContaining("known: h1, s1");
    }

    @Test
    void anInterfaceNameOf16BytesIsRefusedWithAShorterSuggestion() {
        assertThatThrownBy(() -> Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.intfName1("h1-sixteen-bytes")).build())
                .hasMessageContaining("'h1-sixteen-bytes' is 16 bytes; Linux allows at most 15")
                .hasMessageContaining("e.g. h1-sixteen-byte");
    }

    @Test
    void anInterfaceNameOf15BytesIsAccepted() {
        Topology t = Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.intfName1("h1-fifteen-byte")).build();

        assertThat(t.interfacesOf("h1").getFirst().interfaceName()).hasSize(15);
    }

    @Test
    void anInterfaceNameWithOtherCharactersIsRefused() {
        assertThatThrownBy(() -> Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.intfName1("h1/eth0")).build())
                .hasMessageContaining("'h1/eth0' may use only letters, digits, '_', '.' and '-'");
    }

    @Test
    void aLinkFromANodeToItselfIsRefused() {
        assertThatThrownBy(() -> Topology.builder("t").addSwitch("s1").addLink("s1", "s1").build())
                .hasMessageContaining("connects node 's1' to itself");
    }

    @Test
    void anAddressOnASwitchPortIsRefused() {
        assertThatThrownBy(() -> Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.ip2("10.0.0.1/24")).build())
                .hasMessageContaining("gives switch port s1:s1-h1 the address 10.0.0.1/24")
                .hasMessageContaining("put it on the host's end");
    }

    @Test
    void aFlowNamingAPortTheSwitchLacksIsRefused() {
        FlowRule rule = new FlowRule(FlowRule.DEFAULT_PRIORITY, FlowMatch.ANY.withInPort("s1-h1"),
                new FlowAction.Output(List.of("s1-h9")));

        assertThatThrownBy(() -> Topology.builder("t").addHost("h1").addSwitch("s1").addLink("h1", "s1")
                .addFlow("s1", rule).build())
                .hasMessageContaining("flow on switch 's1' names port 's1-h9', which 's1' does not have (its ports: s1-h1)");
    }

    @Test
    void aFlowOnExistingPortsIsKept() {
        FlowRule rule = new FlowRule(100, FlowMatch.ANY.withInPort("s1-h1"), new FlowAction.Output(List.of("s1-h2")));

        Topology t = Topology.builder("t").addHost("h1").addHost("h2").addSwitch("s1")
                .addLink("h1", "s1").addLink("h2", "s1").addFlow("s1", rule).build();

        assertThat(t.switchNamed("s1").orElseThrow().flows()).containsExactly(rule);
    }

    @Test
    void badTopologyAndNodeNamesAreRefused() {
        assertThatThrownBy(() -> Topology.builder("Service Migration").build())
                .hasMessageContaining("topology name 'Service Migration' must be 1-24 characters");
        assertThatThrownBy(() -> Topology.builder("t").addHost("1h"))
                .hasMessageContaining("node name '1h' must start with a letter");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        TopologyException e = catchThrowableOfType(TopologyException.class, () -> Topology.builder("t")
                .addHost("h1").addHost("h1").addSwitch("s1").addLink("s1", "s1").addLink("h1", "h7").build());

        assertThat(e.problems()).hasSize(3);
        assertThat(e).hasMessageStartingWith("3 problems in topology:");
    }
}
