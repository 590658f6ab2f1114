package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowRuleParser;
import org.junit.jupiter.api.Test;

class NftFlowCompilerTest {
    private static final List<String> PORTS = List.of("s1-h1", "s1-h2", "s1-h3");

    private static NftFlowCompiler.NumberedRule rule(long id, String text) {
        return new NftFlowCompiler.NumberedRule(id, FlowRuleParser.parse(text));
    }

    @Test
    void a_rule_with_in_port_goes_only_into_that_port_chain() {
        String script = NftFlowCompiler.compile("mignet_s1", PORTS,
                List.of(rule(1, "in_port=s1-h1 actions=output:s1-h2")), List.of(), List.of(), false, Map.of());
        assertThat(script).contains("counter r1 { }")
                .contains("ingress device \"s1-h1\"")
                .contains("counter name \"r1\" fwd to \"s1-h2\"");
        assertThat(script.lines().filter(l -> l.contains("fwd to"))).hasSize(1);
    }

    @Test
    void the_script_is_one_transaction_that_replaces_the_tables_and_drops_old_counters_and_slices() {
        // Rule 7 (priority 32768) is gone from a slice that still has rule 8; the slice of priority 5 is empty now.
        String script = NftFlowCompiler.compile("mignet_s1", PORTS, List.of(rule(8, "actions=drop")),
                List.of(rule(7, "actions=drop")), List.of("mignet_s1__32768_0", "mignet_s1__5_0"), false, Map.of());
        assertThat(script).startsWith("table netdev mignet_s1 { }\nflush table netdev mignet_s1\n")
                .contains("delete table netdev mignet_s1__5_0\n", "flush table netdev mignet_s1__32768_0\n")
                .endsWith("delete counter netdev mignet_s1__32768_0 r7\n");
    }

    @Test
    void slices_hook_in_table_order_and_pass_frames_a_slice_before_handed_to_the_bridge() {
        assertThat(NftShard.of(100, 1).hookPriority()).isLessThan(NftShard.of(100, 300).hookPriority());
        assertThat(NftShard.of(100, 9999).hookPriority()).isLessThan(NftShard.of(99, 0).hookPriority());
        assertThat(NftShard.of(65535, 0).hookPriority()).isGreaterThan(NftShard.HEAD_HOOK_PRIORITY);
        assertThat(NftShard.of(0, Long.MAX_VALUE).hookPriority()).isLessThanOrEqualTo(Integer.MAX_VALUE);
        assertThat(NftShard.parse("mignet_s1", NftShard.of(7, 600).table("mignet_s1"))).isEqualTo(NftShard.of(7, 600));
        String script = NftFlowCompiler.compile("mignet_s1", PORTS, List.of(rule(1, "actions=normal")), List.of(),
                List.of(), false, Map.of());
        assertThat(script).contains("meta mark set meta mark & 0x80000000",
                "meta mark & 0x10000000 == 0x10000000 accept",
                "counter name \"r1\" meta mark set meta mark | 0x10000000 accept");
    }

    @Test
    void matches_become_nft_expressions() {
        var r = rule(3, "udp,nw_src=10.0.0.5/24,nw_dst=10.0.0.12,tp_dst=8888,dl_dst=00:00:00:00:00:12 actions=drop");
        assertThat(NftFlowCompiler.ruleText(r, "s1-h1", PORTS)).isEqualTo(
                "ether daddr 00:00:00:00:00:12 ether type 0x0800 ip saddr 10.0.0.0/24 ip daddr 10.0.0.12"
                        + " ip protocol 17 udp dport 8888 counter name \"r3\" drop comment \"r3\"");
    }

    @Test
    void actions_never_send_a_frame_back_where_it_came_from() {
        assertThat(NftFlowCompiler.actionWords(FlowRuleParser.parse("actions=flood").action(), "s1-h2", PORTS))
                .isEqualTo("dup to \"s1-h1\" fwd to \"s1-h3\"");
        assertThat(NftFlowCompiler.actionWords(FlowRuleParser.parse("actions=output:s1-h2").action(), "s1-h2",
                PORTS)).isEqualTo("drop");
        assertThat(NftFlowCompiler.actionWords(FlowRuleParser.parse("actions=normal").action(), "s1-h2", PORTS))
                .isEqualTo("meta mark set meta mark | 0x10000000 accept");
    }

    @Test
    void outputs_to_a_held_port_go_to_its_hold_device_and_nothing_else_changes() {
        Map<String, String> held = Map.of("s1-h2", "_hold0");
        assertThat(NftFlowCompiler.actionWords(FlowRuleParser.parse("actions=output:s1-h2").action(), "s1-h1", PORTS,
                held)).isEqualTo("fwd to \"_hold0\"");
        assertThat(NftFlowCompiler.actionWords(FlowRuleParser.parse("actions=output:s1-h2,output:s1-h3").action(),
                "s1-h1", PORTS, held)).isEqualTo("dup to \"_hold0\" fwd to \"s1-h3\"");
        // A frame that came in on the held port is still never sent back to it, held or not.
        assertThat(NftFlowCompiler.actionWords(FlowRuleParser.parse("actions=output:s1-h2").action(), "s1-h2", PORTS,
                held)).isEqualTo("drop");
        String script = NftFlowCompiler.compile("mignet_s1", PORTS,
                List.of(rule(4, "in_port=s1-h1 actions=output:s1-h2")), List.of(), List.of(), false, held);
        assertThat(script).contains("counter r4 { }").contains("counter name \"r4\" fwd to \"_hold0\"")
                .doesNotContain("ingress device \"_hold0\"");
    }

    @Test
    void counters_are_read_back_by_rule_id() {
        String listing = """
                table netdev mignet_s1 {
                	counter r1 {
                		packets 3 bytes 252
                	}
                	counter r12 {
                		packets 0 bytes 0
                	}
                }
                """;
        assertThat(NftCounters.parse(listing)).isEqualTo(Map.of(
                1L, new NftCounters.FlowCounters(3, 252), 12L, new NftCounters.FlowCounters(0, 0)));
    }

    @Test
    void arp_fields_match_the_arp_header() {
        var r = rule(4, "arp,nw_dst=10.1.0.100,nw_src=10.1.0.0/24,arp_op=1,arp_sha=02:00:00:00:00:01,"
                + "arp_tha=00:00:00:00:00:00 actions=drop");
        assertThat(NftFlowCompiler.ruleText(r, "s1-h1", PORTS)).isEqualTo(
                "ether type 0x0806 arp operation 1 arp saddr ip 10.1.0.0/24 arp daddr ip 10.1.0.100"
                        + " arp saddr ether 02:00:00:00:00:01 arp daddr ether 00:00:00:00:00:00"
                        + " counter name \"r4\" drop comment \"r4\"");
    }
}
