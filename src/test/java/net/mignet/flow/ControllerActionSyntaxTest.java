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
        assertThatThrownBy(() -> FlowRuleParser.parse("actions=output:s1-h1,controller"))
                .hasMessageContaining("cannot be combined with controller");
    }
}
