package net.mignet.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code actions=controller} in ovs-ofctl syntax, both ways. */
class ControllerActionSyntaxTest {
    @Test
    void parses_and_formats_controller() {
        FlowRule r = FlowRuleParser.parse("priority=0 actions=controller");
        assertThat(r.action()).isEqualTo(new FlowAction.Controller());
        assertThat(FlowRuleParser.parse("actions=CONTROLLER").action()).isEqualTo(new FlowAction.Controller());
        assertThat(FlowRuleFormatter.formatAction(r.action())).isEqualTo("controller");
        assertThat(FlowRuleParser.parse("actions=controller:65535").action()).isEqualTo(new FlowAction.Controller());
    }

    @Test
    void controller_beside_outputs_normal_or_flood_sends_on_and_to_the_controller() {
        FlowRule out = FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h2,output:s1-h3,controller");
        assertThat(out.action()).isEqualTo(new FlowAction.WithController(
                new FlowAction.Output(java.util.List.of("s1-h2", "s1-h3"))));
        assertThat(FlowRuleFormatter.format(out))
                .isEqualTo("in_port=s1-h1 actions=output:s1-h2,output:s1-h3,controller");
        assertThat(FlowRuleParser.parse(FlowRuleFormatter.format(out))).isEqualTo(out);
        // In either order, in ovs-ofctl's spellings.
        assertThat(FlowRuleParser.parse("actions=CONTROLLER:65535,NORMAL").action())
                .isEqualTo(new FlowAction.WithController(new FlowAction.Normal()));
        FlowRule flood = FlowRuleParser.parse("ip actions=mod_nw_dst:10.0.0.3,flood,controller");
        assertThat(flood.action()).isEqualTo(new FlowAction.WithController(new FlowAction.Flood()));
        assertThat(flood.rewrites()).hasSize(1);
        assertThat(FlowRuleFormatter.formatActions(flood)).isEqualTo("mod_nw_dst:10.0.0.3,flood,controller");
        assertThat(out.action().outputPorts()).containsExactly("s1-h2", "s1-h3");
        assertThat(out.action().withPortsMoved(java.util.Map.of("s1-h2", "s1-h4"))).isEqualTo(
                new FlowAction.WithController(new FlowAction.Output(java.util.List.of("s1-h4", "s1-h3"))));
    }

    @Test
    void refuses_controller_with_drop_twice_or_before_a_rewrite() {
        assertThatThrownBy(() -> FlowRuleParser.parse("actions=drop,controller"))
                .hasMessageContaining("drop cannot be combined with controller");
        assertThatThrownBy(() -> FlowRuleParser.parse("actions=controller,controller"))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> FlowRuleParser.parse("ip actions=controller,mod_nw_dst:10.0.0.3,normal"))
                .hasMessageContaining("write rewrites first");
        assertThatThrownBy(() -> FlowRuleParser.parse("actions=controller:x"))
                .hasMessageContaining("controller:MAX_LEN");
        assertThatThrownBy(() -> new FlowAction.WithController(new FlowAction.Drop()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
