package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.mignet.kernel.ProcessTree;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.MigrationRecipe;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stopping an app ends what it started; waiting for its first line sees a line printed at once. */
class AppStopTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void stop_ends_the_children_a_shell_script_left_running_with_terminals_and_with_pipes() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            for (DeployOptions options : List.of(DeployOptions.DEFAULT, DeployOptions.NO_TTY)) {
                String name = options.tty() ? "tty" : "pipes";
                // sh waits for its sleep; SIGTERM ends sh alone, and the sleep, adopted by the init, lived on.
                App app = apps.deploy(name, net.host("h2"), List.of("sh", "-c", "echo hello; sleep 30"), options);
                AppConditions.await("until", new MigrationRecipe.Condition.LogMatch(
                        java.util.regex.Pattern.compile("^hello")), app, app.started(), Duration.ofSeconds(10));
                long sid = app.pid();
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ProcessTree.inSession(sid).size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10); // sh forks its sleep after printing hello
                }
                assertThat(ProcessTree.inSession(sid)).as(name).hasSize(2);

                app.stop(Duration.ofSeconds(5));

                assertThat(ProcessTree.inSession(sid)).as(name + ": the script's sleep").isEmpty();
            }
        }
    }

    @Test
    void a_wait_for_a_line_printed_at_once_sees_it_every_time() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            for (int i = 0; i < 20; i++) {
                App app = apps.deploy("quick" + i, net.host("h1"), List.of("sh", "-c", "echo ready; sleep 5"));
                AppConditions.await("until", new MigrationRecipe.Condition.LogMatch(
                        java.util.regex.Pattern.compile("^ready$")), app, app.started(), Duration.ofSeconds(5));
                apps.remove("quick" + i);
            }
        }
    }
}
