package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.experiment.LabApps;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Lab;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code recipe} and {@code migrate} with options, in the shell, on the published programs. */
class MigrationCommandsTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_recipe_given_in_the_shell_and_options_on_migrate_move_the_server() throws Exception {
        Lab lab = YamlTopologyLoader.loadLab(Path.of("examples/original-programs.yaml"));
        try (Emulation net = Emulation.start(lab.topology()); AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "deploy server h2 python3 examples/original/server.py h2")).contains("deployed");
            App server = apps.get("server");
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20))).isPresent();
            assertThat(run(shell, "recipe server")).contains("server migrates by checkpoint");
            assertThat(run(shell, "recipe server ready=udp:9999 trigger=TREM")).contains("'TREM' is not a signal name");
            assertThat(run(shell, "recipe server successor='python3 examples/original/server.py {host} --get_state'"
                    + " ready=udp:9999 trigger=TERM 'done=log:^Got the counter'"))
                    .contains("server migrates by its recipe:").contains("ready: udp:9999")
                    .contains("done: log:^Got the counter");

            assertThat(run(shell, "migrate server h3 --strategy teleport")).contains("unknown strategy 'teleport'");
            assertThat(run(shell, "migrate server h3 --frobnicate 1")).contains("unknown option --frobnicate");
            assertThat(run(shell, "migrate server h3 --strategy checkpoint --successor x --ready udp:9999"))
                    .contains("are the recipe strategy's; strategy checkpoint would ignore them");
            String moved = run(shell, "migrate server h3");
            assertThat(moved).contains("Migrated server h2 -> h3:").contains("by recipe")
                    .contains("flow now: s1: in_port=s1-h1 actions=output:s1-h3");
            assertThat(apps.get("server").host().name()).isEqualTo("h3");

            // Options on migrate override the recipe's keys for this migration, and imply the recipe strategy.
            String back = run(shell, "migrate server h2 --done udp:8888 --grace 200ms");
            assertThat(back).contains("Migrated server h3 -> h2:").contains("by recipe");
            assertThat(apps.get("server").host().name()).isEqualTo("h2");
            assertThat(apps.get("server").log().lines()).anyMatch(l -> l.text().startsWith("Got the counter"));
        }
    }

    @Test
    void a_failed_migration_is_reported_once() throws Exception {
        Lab lab = YamlTopologyLoader.loadLab(Path.of("examples/original-programs.yaml"));
        try (Emulation net = Emulation.start(lab.topology()); AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "deploy srv h2 sleep 600")).contains("deployed");
            String failed = run(shell, "migrate srv h3 --successor \"sh -c 'exit 2'\" --ready udp:9999");
            // The migration's own line says it failed, why, and where the app runs now; the shell adds no second.
            assertThat(failed.lines().filter(l -> l.contains("failed")).toList()).as(failed).singleElement()
                    .asString().startsWith("!!! migration of srv to h3 failed and was rolled back (srv still runs on"
                            + " h2): ").contains("exited (status 2)");
            assertThat(failed).doesNotContain("*** migration of");
            assertThat(apps.get("srv").host().name()).isEqualTo("h2");
            assertThat(run(shell, "migrate srv h3 --strategy teleport")).contains("*** unknown strategy 'teleport'");
        }
    }

    @Test
    void the_apps_of_a_topology_file_start_in_order_with_their_recipes() throws Exception {
        Lab lab = YamlTopologyLoader.loadLab(Path.of("examples/original-programs.yaml"));
        try (Emulation net = Emulation.start(lab.topology()); AppManager apps = new AppManager(net)) {
            LabApps.deployAll(apps, lab, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "recipe server")).contains("server migrates by its recipe:")
                    .contains("trigger: TERM");
            App client = apps.get("client");
            assertThat(client.log().await(l -> l.text().equals("Current counter: 2"), Duration.ofSeconds(20)))
                    .as("client log: %s", client.log().lines()).isPresent();
        }
    }

    @Test
    void an_app_deployed_with_its_own_pid_namespace_migrates_lazily_from_the_shell() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(net.mignet.image.CriuInstallation.find().isAvailable(),
                "no working criu");
        org.junit.jupiter.api.Assumptions.assumeTrue(net.mignet.kernel.PidNamespaceInit.installed().isPresent(),
                "tini is not installed");
        Lab lab = YamlTopologyLoader.loadLab(Path.of("examples/original-programs.yaml"));
        try (Emulation net = Emulation.start(lab.topology()); AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "deploy --pid-ns --no-tty x h2 sleep 1")).contains("--no-tty");
            assertThat(run(shell, "deploy --pid-ns server h2 python3 examples/original/server.py h2 --pause 0"))
                    .contains("deployed");
            App server = apps.get("server");
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20))).isPresent();
            assertThat(run(shell, "apps")).contains("(pid-ns, init tini)");
            String moved = run(shell, "migrate server h3 --strategy checkpoint --lazy");
            assertThat(moved).contains("Migrated server h2 -> h3:").contains("by checkpoint").contains("pages");
            assertThat(apps.get("server").host().name()).isEqualTo("h3");
            assertThat(run(shell, "logs server")).contains("Serving from 0");
        }
    }
}
