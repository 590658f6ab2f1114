package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import org.junit.jupiter.api.Test;

/** How output:CONTROLLER and the table miss are compiled: marked, rate-limited, logged to the agent's group. */
class NftPacketInTest {
    private static final List<String> PORTS = List.of("s1-h1", "s1-h2");
    private static final List<NftFlowCompiler.NumberedRule> RULES = List.of(new NftFlowCompiler.NumberedRule(7,
            new FlowRule(10, FlowMatch.ANY.withInPort("s1-h1"), new FlowAction.Controller())));

    @Test
    void controller_rules_mark_with_their_id_and_jump_to_the_limited_log_chain() {
        String script = NftFlowCompiler.compile("t", PORTS, RULES, Set.of(), false, Map.of(),
                new NftPacketIn(3, 500), new FlowAction.Controller());
        assertThat(script).contains("limit packet_in { rate 500/second burst 50 packets }")
                .contains("limit name \"packet_in\" log group 3 queue-threshold 1")
                .contains("counter name \"r7\" meta mark set 7 jump packet_in")
                // the miss, last in every port's chain
                .containsPattern("jump packet_in\\n    meta mark set 0 jump packet_in\\n  }")
                .contains("policy accept;");
    }

    @Test
    void without_a_punt_path_controller_drops_and_a_dropping_miss_is_the_policy() {
        String script = NftFlowCompiler.compile("t", PORTS, RULES, Set.of(), false, Map.of(), null,
                new FlowAction.Drop());
        assertThat(script).doesNotContain("packet_in").contains("counter name \"r7\" drop")
                .contains("priority 0; policy drop;");
        assertThat(NftFlowCompiler.compile("t", PORTS, RULES, Set.of())).contains("policy accept;");
    }

    @Test
    void refuses_groups_and_rates_out_of_range() {
        assertThatThrownBy(() -> new NftPacketIn(0, 10)).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> new NftPacketIn(1, 0)).hasMessageContaining("at least 1");
    }
}
