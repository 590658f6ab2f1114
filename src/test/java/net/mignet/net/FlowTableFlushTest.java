package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Command;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch whose element changes go to the kernel in parts while the batch goes on ({@link FlowTable#flushBatch}):
 * the kernel ends up with what the table holds, and when the kernel refuses a part the whole batch is undone, as
 * when it refuses a batch committed at its end.
 */
class FlowTableFlushTest {
    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void parts_committed_early_leave_the_kernel_with_what_the_table_holds() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"))) {
            FlowTable table = net.switchNamed("s1").flowTable();
            List<Long> ids = new ArrayList<>();
            table.batch(() -> {
                for (int i = 0; i < 1200; i++) {
                    ids.add(table.add(udpFlow(1 + i)));
                    if (i % 250 == 249) {
                        assertThat(table.flushBatch()).isTrue();
                    }
                    if (i == 600) {
                        // A rule among the elements, and an element of an earlier part removed again.
                        table.add(FlowRuleParser.parse("priority=10,in_port=s1-h1,ip,nw_dst=10.0.0.0/8"
                                + " actions=output:s1-h3"));
                        table.remove(List.of(ids.get(3)));
                    }
                }
            });
            assertThat(table.entries()).hasSize(1200);
            assertThat(elements(net)).isEqualTo(1199);
            assertThat(table.kernelHandleMismatches()).isEmpty();
            // The next change goes on from there, incrementally.
            table.remove(ids.subList(0, 3));
            assertThat(elements(net)).isEqualTo(1196);
        }
    }

    @Test
    void a_refused_part_undoes_the_whole_batch_and_the_table_goes_on() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"))) {
            FlowTable table = net.switchNamed("s1").flowTable();
            long kept = table.add(udpFlow(50_000));
            String namespace = net.switchNamed("s1").fabricNamespace();
            assertThatThrownBy(() -> table.batch(() -> {
                for (int i = 0; i < 300; i++) {
                    table.add(udpFlow(1 + i));
                }
                assertThat(table.flushBatch()).isTrue();
                // The shape's table vanishes behind the switch's back: adding the next part's elements fails.
                awaitShapeTables(namespace, 1);
                String shape = shapeTables(namespace).getFirst();
                Command.check(List.of("ip", "netns", "exec", namespace, "nft", "delete", "table", "netdev", shape));
                for (int i = 300; i < 600; i++) {
                    table.add(udpFlow(1 + i));
                }
                table.flushBatch();
                for (int i = 600; i < 700; i++) {
                    table.add(udpFlow(1 + i));
                }
            })).isInstanceOf(IllegalStateException.class).hasMessageContaining("refused");
            assertThat(table.entries()).extracting(FlowEntry::id).containsExactly(kept);
            assertThat(elements(net)).isEqualTo(1);
            table.add(udpFlow(7));
            assertThat(table.entries()).hasSize(2);
            assertThat(elements(net)).isEqualTo(2);
        }
    }

    private static net.mignet.flow.FlowRule udpFlow(int port) {
        return FlowRuleParser.parse("priority=10,in_port=s1-h1,udp,tp_dst=" + port + " actions=output:s1-h2");
    }

    private static List<String> shapeTables(String namespace) {
        return Command.check(List.of("ip", "netns", "exec", namespace, "nft", "list", "tables", "netdev")).stdout()
                .lines().map(l -> l.replace("table netdev ", "").strip()).filter(t -> t.contains("__10_k")).toList();
    }

    private static void awaitShapeTables(String namespace, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (shapeTables(namespace).size() != count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the shape table did not appear in " + namespace);
            }
            Thread.onSpinWait();
        }
    }

    /** The elements of the switch's shape sets, as the kernel lists them. */
    private static int elements(Emulation net) {
        String namespace = net.switchNamed("s1").fabricNamespace();
        int n = 0;
        for (String t : shapeTables(namespace)) {
            String json = Command.check(List.of("ip", "netns", "exec", namespace, "nft", "-j", "list", "set",
                    "netdev", t, "flows")).stdout();
            n += json.split("\"val\"", -1).length - 1;
        }
        return n;
    }
}
