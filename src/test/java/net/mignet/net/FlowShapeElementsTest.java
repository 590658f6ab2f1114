package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Command;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flows of one shape are elements of a set (NftFlowShape): they count, keep their counts when their action changes
 * (the flow moves to another shape's set) and when the table is loaded whole, and they take their place in the
 * priority order among rules.
 */
class FlowShapeElementsTest {
    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void element_flows_count_and_keep_their_counts_across_moves_and_whole_loads() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"))) {
            FlowTable table = net.switchNamed("s1").flowTable();
            String h2 = net.host("h2").ip().toString();
            long id = table.add(FlowRuleParser.parse("priority=10,in_port=s1-h1,icmp,nw_dst=" + h2
                    + " actions=output:s1-h2"));
            assertThat(listing(net)).contains("ip daddr @flows");
            assertThat(net.host("h1").ping(h2, 2).allReceived()).isTrue();
            long before = packets(table, id);
            assertThat(before).isGreaterThanOrEqualTo(2);

            table.replaceActions(Map.of(id, new FlowAction.Normal()));
            assertThat(packets(table, id)).isGreaterThanOrEqualTo(before);
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
            long moved = packets(table, id);
            assertThat(moved).isGreaterThan(before);

            table.rebind();
            assertThat(packets(table, id)).isGreaterThanOrEqualTo(moved);
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
            long reloaded = packets(table, id);
            assertThat(reloaded).isGreaterThan(moved);

            // To the controller too: a rule (its mark carries the id), and back to an element, counts carried.
            table.replaceActions(Map.of(id, new FlowAction.WithController(new FlowAction.Normal())));
            assertThat(listing(net)).doesNotContain("@flows");
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
            long asRule = packets(table, id);
            assertThat(asRule).isGreaterThan(reloaded);
            table.replaceActions(Map.of(id, new FlowAction.Output(List.of("s1-h2"))));
            assertThat(listing(net)).contains("ip daddr @flows");
            assertThat(packets(table, id)).isGreaterThanOrEqualTo(asRule);
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
            long back = packets(table, id);
            assertThat(back).isGreaterThan(asRule);
            // Once more, now that the tail table is there: the change is incremental, not a whole load.
            table.replaceActions(Map.of(id, new FlowAction.WithController(new FlowAction.Normal())));
            assertThat(packets(table, id)).isGreaterThanOrEqualTo(back);
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
            assertThat(packets(table, id)).isGreaterThan(back);
            assertThat(table.kernelHandleMismatches()).isEmpty();

            table.remove(List.of(id));
            assertThat(listing(net)).doesNotContain("@flows");
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
        }
    }

    @Test
    void elements_and_rules_follow_priorities() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"))) {
            FlowTable table = net.switchNamed("s1").flowTable();
            String h2 = net.host("h2").ip().toString();
            long low = table.add(FlowRuleParser.parse("priority=10,in_port=s1-h1,icmp,nw_dst=" + h2
                    + " actions=output:s1-h2"));
            long drop = table.add(FlowRuleParser.parse("priority=20,in_port=s1-h1,icmp actions=drop"));
            assertThat(net.host("h1").ping(h2, 1).received()).isZero();
            assertThat(packets(table, low)).isZero();
            long high = table.add(FlowRuleParser.parse("priority=30,in_port=s1-h1,icmp,nw_dst=" + h2
                    + " actions=output:s1-h2"));
            assertThat(net.host("h1").ping(h2, 2).allReceived()).isTrue();
            assertThat(packets(table, high)).isGreaterThanOrEqualTo(2);
            table.remove(List.of(high, drop));
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
            assertThat(packets(table, low)).isPositive();
        }
    }

    private static long packets(FlowTable table, long id) {
        return table.entries().stream().filter(e -> e.id() == id).findFirst().orElseThrow().packets();
    }

    private static String listing(Emulation net) {
        return Command.check(List.of("ip", "netns", "exec", net.switchNamed("s1").fabricNamespace(), "nft", "list",
                "ruleset")).stdout();
    }
}
