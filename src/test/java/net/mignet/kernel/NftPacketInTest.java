package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import org.junit.jupiter.api.Test;

/**
 * How output:CONTROLLER and the table miss are compiled: the rule marks the frame with its id in its slice, the
 * tail table (after every slice) hands punt-marked frames to the rate-limited log chain and meets the misses.
 */
class NftPacketInTest {
    private static final List<String> PORTS = List.of("s1-h1", "s1-h2");
    private static final List<NftFlowCompiler.NumberedRule> RULES = List.of(new NftFlowCompiler.NumberedRule(7,
            new FlowRule(10, FlowMatch.ANY.withInPort("s1-h1"), new FlowAction.Controller())));

    private static String compile(NftPacketIn packetIn, FlowAction miss, List<String> existing) {
        return NftFlowCompiler.compile("t", PORTS, RULES, List.of(), existing, false, Map.of(), packetIn, miss);
    }

    @Test
    void controller_rules_mark_with_their_id_and_the_tail_jumps_to_the_limited_log_chain() {
        String script = compile(new NftPacketIn(3, 500), new FlowAction.Controller(), List.of());
        assertThat(script).contains("counter name \"r7\" meta mark set 0x30000007 accept")
                .contains("table netdev t__tail {")
                .contains("limit packet_in { rate 500/second burst 50 packets }")
                .contains("limit name \"packet_in\" log group 3 queue-threshold 1")
                .contains("priority 2147483647; policy accept;")
                .contains("meta mark & 0x20000000 == 0x20000000 jump packet_in")
                // the miss, last in every port's chain of the tail
                .containsPattern("accept\\n    meta mark set 0x20000000 jump packet_in\\n  }");
        assertThat(NftPacketIn.ruleId(0x30000007L)).isEqualTo(7);
    }

    @Test
    void without_a_punt_path_frames_for_the_controller_are_dropped_and_so_are_misses_of_a_dropping_miss() {
        String script = compile(null, new FlowAction.Drop(), List.of("t__tail"));
        assertThat(script).doesNotContain("packet_in").contains("delete table netdev t__tail")
                .contains("meta mark & 0x60000000 == 0x20000000 drop")
                .containsPattern("accept\\n    drop\\n  }");
    }

    @Test
    void a_switch_without_openflow_or_controller_rules_has_no_tail_and_loses_a_stale_one() {
        List<NftFlowCompiler.NumberedRule> plain = List.of(new NftFlowCompiler.NumberedRule(1,
                new FlowRule(10, FlowMatch.ANY, new FlowAction.Normal())));
        assertThat(NftFlowCompiler.compile("t", PORTS, plain, List.of(), List.of(), false, Map.of()))
                .doesNotContain("t__tail");
        assertThat(NftFlowCompiler.compile("t", PORTS, plain, List.of(), List.of("t__tail"), false, Map.of()))
                .contains("delete table netdev t__tail").doesNotContain("table netdev t__tail {");
    }

    @Test
    void controller_beside_outputs_copies_first_and_marks_after_and_beside_normal_passes_after_the_log() {
        List<NftFlowCompiler.NumberedRule> rules = List.of(
                new NftFlowCompiler.NumberedRule(5, new FlowRule(20, FlowMatch.ANY, new FlowAction.WithController(
                        new FlowAction.Output(List.of("s1-h1", "s1-h2"))))),
                new NftFlowCompiler.NumberedRule(6, new FlowRule(10, FlowMatch.ANY, new FlowAction.WithController(
                        new FlowAction.Normal()))));
        String script = NftFlowCompiler.compile("t", PORTS, rules, List.of(), List.of(), false, Map.of(),
                new NftPacketIn(3, 500), new FlowAction.Normal());
        // Never back out of the port the frame came in on; the copy goes before the mark, which it must not carry.
        assertThat(script).contains("counter name \"r5\" dup to \"s1-h2\" meta mark set 0x30000005 accept")
                .contains("counter name \"r5\" dup to \"s1-h1\" meta mark set 0x30000005 accept")
                .contains("counter name \"r6\" meta mark set 0x70000006 accept")
                .contains("log group 3 queue-threshold 1\n    meta mark & 0x40000000 == 0x40000000 accept\n    drop");
        assertThat(NftPacketIn.ruleId(0x70000006L)).isEqualTo(6);
        assertThat(NftFlowCompiler.hasTail(null, new FlowAction.Normal(), rules)).isTrue();
    }

    @Test
    void refuses_groups_and_rates_out_of_range() {
        assertThatThrownBy(() -> new NftPacketIn(0, 10)).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> new NftPacketIn(1, 0)).hasMessageContaining("at least 1");
    }
}
