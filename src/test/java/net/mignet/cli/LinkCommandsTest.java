package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.mignet.app.AppManager;
import net.mignet.linkemu.LinkEngineChoice;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.LinkParams;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkCommandsTest {

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
    void link_set_changes_each_direction_and_links_shows_values_and_backend() {
        EmulationOptions userspace = EmulationOptions.DEFAULT.withLinkEngine(LinkEngineChoice.USERSPACE);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"), userspace);
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "links")).contains("h1:h1-eth0 <-> s1:s1-h1").containsPattern("s1-h1\\s+-\\s+h1->s1: -");

            assertThat(run(shell, "link h1 s1 set delay=20ms loss=1%"))
                    .contains("h1:h1-eth0 <-> s1:s1-h1: delay=20ms loss=1% [userspace]");
            assertThat(run(shell, "link h1 s1 set from=s1 jitter=1ms distribution=normal loss=none"))
                    .contains("h1->s1: delay=20ms loss=1%; s1->h1: delay=20ms jitter=1ms distribution=normal");
            var link = net.linksBetween("h1", "s1").getFirst();
            assertThat(link.paramsAToB()).isEqualTo(LinkParams.NONE.withDelay(Duration.ofMillis(20)).withLoss(1.0));
            assertThat(link.paramsFrom("s1").jitter()).isEqualTo(Duration.ofMillis(1));

            String table = run(shell, "links");
            assertThat(table).containsPattern("s1-h1\\s+userspace\\s+h1->s1: delay=20ms loss=1%")
                    .contains("    h1->s1: rx ");

            assertThat(run(shell, "link h1 s1 set dealy=5ms")).contains("did you mean 'delay'?");
            assertThat(run(shell, "link h1 s1 set from=h9 delay=5ms")).contains("must start at h1 or s1");
            assertThat(run(shell, "link h1 s1 set clear")).contains("s1:s1-h1: - [userspace]");
            assertThat(link.paramsAToB()).isEqualTo(LinkParams.NONE);
            // One link by its interface, as a timeline's link: names it.
            assertThat(run(shell, "link h1:h1-eth0 s1 set delay=3ms")).contains("h1:h1-eth0 <-> s1:s1-h1: delay=3ms");
            assertThat(run(shell, "link h1:eth9 s1 set delay=3ms")).contains("there is no link");
            assertThat(run(shell, "deploy web --no-tty h1 sleep 1")).contains("options go before the app's name");
        }
    }
}
