package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Command;
import net.mignet.kernel.NftShard;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Single rules change over netlink without reloading the table: after any sequence of changes the kernel holds
 * exactly what loading the whole table would give (same rules, same order), and counters of untouched rules go on.
 */
class IncrementalFlowTableTest {
    private static final String[] RULES = {
        "priority=%d,in_port=s1-h1,udp,tp_dst=%d actions=output:s1-h2",
        "priority=%d,ip,nw_dst=10.0.0.0/23,nw_proto=%d actions=drop",
        "priority=%d,udp,nw_dst=10.0.0.9,tp_src=%d actions=mod_nw_dst:10.0.0.3,mod_dl_dst:00:00:00:00:00:03,output:s1-h3",
        "priority=%d,arp,arp_op=1,arp_spa=10.0.0.%d,arp_sha=00:00:00:00:00:01 actions=normal",
        "priority=%d,dl_src=00:00:00:00:00:00/01:00:00:00:00:00,dl_type=0x%04x actions=flood",
        "priority=%d,in_port=s1-h2,dl_vlan=%d actions=output:s1-h1,output:s1-h3",
    };

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void random_changes_leave_the_kernel_as_a_whole_load_would() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"))) {
            FlowTable table = net.switchNamed("s1").flowTable();
            Random random = new Random(12);
            List<Long> ids = new ArrayList<>();
            for (int step = 0; step < 600; step++) {
                int op = random.nextInt(10);
                if (op < 5 || ids.isEmpty()) {
                    String text = String.format(RULES[random.nextInt(RULES.length)], random.nextInt(5) * 10,
                            1 + random.nextInt(200));
                    ids.add(table.add(FlowRuleParser.parse(text)));
                } else if (op < 7) {
                    table.remove(List.of(ids.remove(random.nextInt(ids.size()))));
                } else if (op < 8) {
                    long id = ids.get(random.nextInt(ids.size()));
                    table.replaceActions(Map.of(id, new FlowAction.Output(List.of("s1-h" + (1 + random.nextInt(3))))));
                } else if (op < 9) {
                    table.batch(() -> {
                        for (int i = 0; i < 5; i++) {
                            ids.add(table.add(FlowRuleParser.parse(String.format(RULES[0], 10 * i, 1000 + i))));
                        }
                        table.remove(List.of(ids.removeFirst()));
                    });
                } else {
                    table.modify(FlowMatch.ANY.withInPort("s1-h2"), null, new FlowAction.Normal());
                }
            }
            assertThat(table.kernelHandleMismatches()).isEmpty();
            String incremental = listing(net);
            table.rebind();
            assertThat(listing(net)).isEqualTo(incremental);
            assertThat(incremental).contains("ip daddr set 10.0.0.3", "ether saddr & 01:00:00:00:00:00",
                    "vlan id", "arp saddr ip", "mignet_s1__40_");
            assertThat(table.rules().size()).isGreaterThan(NftShard.BLOCK);
        }
    }

    @Test
    void counters_of_untouched_rules_go_on_and_traffic_follows_each_change() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"))) {
            FlowTable table = net.switchNamed("s1").flowTable();
            String h2 = net.host("h2").ip().toString();
            String h3 = net.host("h3").ip().toString();
            long icmp = table.add(FlowRuleParser.parse("priority=10,icmp actions=normal"));
            assertThat(net.host("h1").ping(h2, 2).allReceived()).isTrue();
            long before = packets(table, icmp);
            assertThat(before).isPositive();
            long drop = table.add(FlowRuleParser.parse("priority=20,in_port=s1-h1,ip,nw_dst=" + h3
                    + " actions=drop"));
            assertThat(net.host("h1").ping(h3, 1).received()).isZero();
            assertThat(packets(table, icmp)).isGreaterThanOrEqualTo(before);
            table.remove(List.of(drop));
            assertThat(net.host("h1").ping(h3, 1).allReceived()).isTrue();
            // A rule the kernel refuses changes nothing, and the table goes on working.
            assertThatThrownBy(() -> table.add(FlowRuleParser.parse("in_port=s1-h9 actions=drop")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(table.rules()).hasSize(1);
            assertThat(net.host("h1").ping(h2, 1).allReceived()).isTrue();
        }
    }

    private static long packets(FlowTable table, long id) {
        return table.entries().stream().filter(e -> e.id() == id).findFirst().orElseThrow().packets();
    }

    /**
     * The switch's tables (head and slices) by name, each with its chains' rules in order and its counters' names,
     * without handles and counter values, which differ between loads, and the order tables and counters were made.
     */
    private static String listing(Emulation net) {
        String text = Command.check(List.of("ip", "netns", "exec", net.switchNamed("s1").fabricNamespace(), "nft",
                "list", "ruleset")).stdout();
        java.util.TreeMap<String, List<String>> tables = new java.util.TreeMap<>();
        String table = null;
        List<String> counters = new ArrayList<>();
        for (String line : text.lines().map(String::strip).toList()) {
            if (line.startsWith("table netdev ")) {
                table = line.substring("table netdev ".length(), line.indexOf(' ', "table netdev ".length()));
                tables.put(table, new ArrayList<>());
            } else if (line.startsWith("counter r")) {
                counters.add(table + " " + line);
            } else if (table != null && table.startsWith("mignet_s1") && !line.isEmpty() && !line.equals("}")
                    && !line.startsWith("packets")) {
                tables.get(table).add(line);
            }
        }
        tables.keySet().removeIf(t -> !t.startsWith("mignet_s1"));
        java.util.Collections.sort(counters);
        return tables + "\n" + counters;
    }
}
