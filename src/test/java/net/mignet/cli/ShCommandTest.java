package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mininet's {@code sh}: a command on the machine itself, outside every host, through /bin/sh as typed. */
class ShCommandTest {
    private static Emulation net;
    private static AppManager apps;
    private static Shell shell;

    @BeforeAll
    static void network() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("setsid");
        net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
        apps = new AppManager(net);
        shell = new Shell(net, new CoreCommands(net, apps));
    }

    @AfterAll
    static void tearDown() {
        if (apps != null) {
            apps.close();
        }
        if (net != null) {
            net.close();
        }
    }

    private static String run(String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sh_runs_in_the_machines_network_namespace_not_a_hosts() throws Exception {
        String machine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")) + "\n";
        assertThat(run("h1 readlink /proc/self/ns/net")).as("a host's is another").isNotEqualTo(machine);
        assertThat(run("sh readlink /proc/self/ns/net")).isEqualTo(machine);
    }

    @Test
    void the_rest_of_the_line_goes_to_sh_as_typed_with_host_names_left_alone() {
        assertThat(run("sh echo 'one two' | tr a-z A-Z")).isEqualTo("ONE TWO\n");
        assertThat(run("sh   echo \"a   b\"   h1>/dev/null; echo h2")).isEqualTo("h2\n");
        assertThat(run("sh printf '%s|%s\\n' \"a   b\" h1")).isEqualTo("a   b|h1\n");
        assertThat(run("sh echo $((6 * 7))")).isEqualTo("42\n");
    }

    @Test
    void it_gets_the_environment_a_host_command_gets() {
        assertThat(run("sh echo $PATH:$HOME:$LANG")).isEqualTo(run("h1 echo $PATH:$HOME:$LANG"));
        assertThat(run("sh echo $PATH")).isEqualTo(System.getenv("PATH") + "\n");
    }

    @Test
    void a_failing_command_reports_its_status_and_a_missing_command_its_usage() {
        assertThat(run("sh echo out; exit 3")).isEqualTo("out\n(exit 3)\n");
        assertThat(run("sh ls /nonexistent-mignet-path 2>&1 >/dev/null | wc -l")).isEqualTo("1\n");
        assertThat(run("sh")).isEqualTo("*** missing arguments; usage: sh <command...>\n");
    }

    @Test
    void ctrl_c_stops_it_with_what_it_started() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CountDownLatch done = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            shell.execute("sh sleep 30; echo not-stopped", out);
            done.countDown();
        });
        List<ProcessHandle> sleeping = awaitDescendants("sleep 30");
        long t0 = System.nanoTime();
        shell.interrupt();
        assertThat(done.await(5, TimeUnit.SECONDS)).as("sh returned after Ctrl-C; output: %s", bytes).isTrue();
        System.out.printf("sh: Ctrl-C -> returned in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("^C (stopped)\n");
        for (ProcessHandle p : sleeping) {
            assertThat(p.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).get()).as("%s ended", p).isNotNull();
        }
    }

    /** This JVM's descendants whose command line ends with {@code command}, once there is one. */
    private static List<ProcessHandle> awaitDescendants(String command) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<ProcessHandle> found = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").endsWith(command)).toList();
            if (!found.isEmpty()) {
                return found;
            }
            assertThat(System.nanoTime()).as("'%s' started", command).isLessThan(deadline);
            Thread.sleep(10); // polling /proc: there is nothing to be told by
        }
    }
}
