package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.Command;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.kernel.ProcessTree;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void a_broken_topology_file_names_its_line_and_creates_nothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                hosts:
                  h1:
                  h2: {ip: 10.0.0.300/24}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s9]
                """);
        List<String> before = NetnsPaths.list();
        Run run = runInProcess("run", file.toString());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("broken.yaml:3").contains("broken.yaml:8");
        assertThat(NetnsPaths.list()).isEqualTo(before);
    }

    @Test
    void a_scripted_shell_session_runs_commands_and_tears_down() throws Exception {
        EmulationId id = EmulationId.fresh("cli");
        Process p = startMignet("run", "--topo", "single,2", "--id", id.value());
        String script = """
                nodes
                h1 ping -c1 h2
                flow s1 add priority=200,in_port=s1-h1,icmp actions=drop
                flows s1
                h1 ping -c1 -W1 h2
                flow s1 del in_port=s1-h1
                deploy greeter h2 echo hello from h2
                apps
                nosuchcommand
                exit
                """;
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("hosts:    h1 h2").contains("1 received").contains("0 received")
                .contains("in_port=s1-h1").contains("deleted 1 rule(s)").contains("greeter")
                .contains("unknown command 'nosuchcommand'");
        assertThat(p.exitValue()).isZero();
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
    }

    @Test
    void run_with_commands_runs_the_files_lines_before_those_typed(@TempDir Path dir) throws Exception {
        EmulationId id = EmulationId.fresh("cli");
        Path commands = Files.writeString(dir.resolve("pre.txt"), "# before the prompt\nh1 echo pre h2\nexit\n"
                + "h1 echo never\n");
        Process p = startMignet("run", "--topo", "single,2", "--id", id.value(), "--no-results", "--commands",
                commands.toString());
        p.getOutputStream().write("h1 echo typed\nexit\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("mignet> source " + commands + "\nmignet> h1 echo pre h2\npre 10.0.0.2\n"
                + "mignet> exit\n(" + commands + ":3: exit ends this file only; the shell goes on)\n"
                + "mignet> h1 echo typed\ntyped\nmignet> exit\n");
        assertThat(p.exitValue()).isZero();
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
    }

    @Test
    void a_file_with_apps_starts_them_and_the_shell_migrates_the_server_by_its_recipe() throws Exception {
        EmulationId id = EmulationId.fresh("apps");
        Process p = startMignet("run", "examples/original-programs.yaml", "--id", id.value());
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        in.write("recipe server\nmigrate server h3\n");
        in.flush();
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.startsWith("Migrated server") || line.contains("failed")) {
                break;
            }
        }
        // The client asks once a second: let it get answers from h3 before looking at its log.
        in.write("h1 sleep 3\nlogs client\nexit\n");
        in.close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(seen).contains("server migrates by its recipe:").contains("ready: udp:9999")
                .contains("Migrated server h2 -> h3:").contains("by recipe");
        List<Long> counters = Pattern.compile("Current counter: (\\d+)").matcher(rest).results()
                .map(m -> Long.parseLong(m.group(1))).toList();
        assertThat(counters.size()).as("client log: %s", rest).isGreaterThan(3);
        for (int i = 0; i < counters.size(); i++) {
            assertThat(counters.get(i)).as("counter #%d of %s", i + 1, counters).isEqualTo(i + 1L);
        }
        assertThat(p.exitValue()).isZero();
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
    }

    @Test
    void clean_removes_everything_after_the_emulator_is_killed_with_sigkill() throws Exception {
        EmulationId id = EmulationId.fresh("kill9");
        Process p = startMignet("run", "--topo", "single,3", "--id", id.value());
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        in.write("deploy sleeper h1 sleep 600\nflow s1 add in_port=s1-h1 actions=output:s1-h2\n");
        in.flush();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long sleeperPid = -1;
        Pattern deployed = Pattern.compile("deployed sleeper on h1 pid (\\d+)");
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = deployed.matcher(line);
            if (m.find()) {
                sleeperPid = Long.parseLong(m.group(1));
            }
            if (line.contains("added rule")) {
                break;
            }
        }
        assertThat(sleeperPid).isPositive();
        assertThat(NetnsPaths.list()).filteredOn(ns -> ns.startsWith(id.namespacePrefix())).hasSize(4);

        p.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(sleeperPid).map(ProcessHandle::isAlive)).as("apps outlive a killed emulator")
                .hasValue(true);

        Run clean = runInProcess("clean", "--id", id.value());
        assertThat(clean.exitCode()).isZero();
        assertThat(clean.out()).contains("killed pid " + sleeperPid).contains("removed 4 namespaces");
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
        // Ended: gone, or a zombie until whoever adopted it reaps it (this JVM, a subreaper, within two sweeps).
        assertThat(ProcessTree.ended(sleeperPid)).isTrue();
        assertThat(id.stateDirectory()).doesNotExist();
        // Nothing was ever in the root namespace: no bridge, no veth end of the emulation is there.
        String rootLinks = Command.check(List.of("ip", "-o", "link", "show")).stdout();
        assertThat(rootLinks).doesNotContain("s1-h1").doesNotContain(" s1:");
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run runInProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream oldOut = System.out;
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("mignet: " + e.getMessage());
            return 1;
        });
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            code = cli.execute(args);
        } finally {
            System.setOut(oldOut);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Process startMignet(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

}
