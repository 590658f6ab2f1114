package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import net.mignet.app.AppManager;
import net.mignet.flow.FlowRuleParser;
import net.mignet.net.Emulation;
import net.mignet.net.FrameHold;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlowsDuringHoldTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void flows_says_which_rules_are_held_and_keeps_their_ids() {
        Topology t = Topology.builder("flowhold").addHost("h1", "10.0.0.1/24").addHost("h2", "10.0.0.2/24")
                .addHost("h3", "10.0.0.3/24").addSwitch("s1").addLink("h1", "s1").addLink("h2", "s1")
                .addLink("h3", "s1").addFlow("s1", FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h2"))
                .build();
        try (Emulation net = Emulation.start(t); AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "flows s1")).contains("id=1,").doesNotContain("held");
            try (FrameHold hold = net.switchNamed("s1").hold("s1-h2")) {
                assertThat(run(shell, "flows s1")).contains("id=1,")
                        .contains("in_port=s1-h1 actions=output:s1-h2  # held: frames for s1-h2 queue at the switch");
                hold.release("s1-h3");
            }
            assertThat(run(shell, "flows s1")).contains("id=1,").contains("actions=output:s1-h3")
                    .doesNotContain("held");
        }
    }
}
