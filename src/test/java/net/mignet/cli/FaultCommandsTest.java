package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.net.LinkFlap;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultCommandsTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void the_fault_verbs_crash_restart_freeze_thaw_and_flap_from_the_shell() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "help")).contains("crash <host>", "freeze <host>", "flap <a> <b> <period>|cancel [count]");
            run(shell, "deploy sleeper h2 sleep 600");
            assertThat(run(shell, "crash h2")).contains("h2 crashed: ", "interfaces down", "sleeper crashed");
            assertThat(run(shell, "apps")).containsPattern("sleeper\\s+h2\\s+pid \\d+\\s+crashed \\(h2 crashed\\)");
            assertThat(run(shell, "logs sleeper")).contains("*** mignet: sleeper crashed: its host h2 crashed");
            assertThat(run(shell, "faults")).contains("h2 crashed");
            assertThat(run(shell, "pingall")).contains("h1 -> X h3");
            assertThat(run(shell, "crash h2")).contains("*** h2 has crashed already; restart h2 first");
            assertThat(run(shell, "restart h2")).contains("h2 restarted: interfaces up");

            run(shell, "deploy sleeper2 h3 sleep 600");
            assertThat(run(shell, "freeze h3")).contains("h3 frozen: 1 process stopped (");
            assertThat(run(shell, "apps")).containsPattern("sleeper2\\s+h3\\s+pid \\d+\\s+frozen");
            assertThat(run(shell, "thaw h3")).contains("h3 thawed: 1 process running again");
            assertThat(run(shell, "thaw h3")).contains("*** h3 is not frozen (it is up)");

            assertThat(run(shell, "flap h1 s1 200ms 2")).contains("flapping h1 <-> s1: 2 cycles of 200 ms");
            LinkFlap flap = net.faults().flaps().isEmpty() ? null : net.faults().flaps().getFirst();
            if (flap != null) {
                flap.await(Duration.ofSeconds(10));
            }
            assertThat(run(shell, "faults")).contains("(no faults: every host is up, no link flaps)");
            assertThat(run(shell, "flap h1 s1 cancel")).contains("*** no flap of h1 <-> s1 is running");
            assertThat(run(shell, "flap h1 s1 2s")).contains("*** usage: flap <a> <b> <period> <count>");
            assertThat(run(shell, "flap h1 s1 2s 5 6")).contains("too many arguments");
            assertThat(run(shell, "crash h9")).contains("*** no host named 'h9'");
            assertThat(run(shell, "freeze")).contains("*** missing arguments; usage: freeze <host>");
        }
    }
}
