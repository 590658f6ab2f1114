package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Options of {@code run} that cannot work are refused before anything is built, each with what is wrong: found
 * after the build (as they were), they cost a build and teardown and left a results directory behind.
 */
class RunOptionsTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run mignet(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void a_results_path_that_is_a_file_or_lies_under_one_is_refused_up_front() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine\n");
        List<String> namespaces = NetnsPaths.list();

        Run onFile = mignet("run", "--topo", "single,2", "--results", file.toString());
        assertThat(onFile.exitCode()).isEqualTo(1);
        assertThat(onFile.err()).isEqualTo("mignet: --results " + file + ": is a file, not a directory; give a"
                + " directory (created if missing), or --no-results" + System.lineSeparator());

        Run under = mignet("run", "--topo", "single,2", "--results", file.resolve("sub").toString());
        assertThat(under.err()).isEqualTo("mignet: --results " + file.resolve("sub") + ": " + file + " is a file, so"
                + " no directory can be made under it; give a directory (created if missing), or --no-results"
                + System.lineSeparator());

        assertThat(Files.readString(file)).isEqualTo("mine\n");
        assertThat(NetnsPaths.list()).isEqualTo(namespaces);

        // Root passes the permission bits of /proc, which takes no directory all the same.
        Run inProc = mignet("run", "--topo", "single,2", "--results", "/proc/mignet-results");
        assertThat(inProc.exitCode()).isEqualTo(1);
        assertThat(inProc.err()).startsWith("mignet: --results /proc/mignet-results: cannot make files in /proc (");
        assertThat(NetnsPaths.list()).isEqualTo(namespaces);
    }

    @Test
    void an_openflow_listen_base_outside_the_ports_is_refused_up_front() {
        List<String> namespaces = NetnsPaths.list();
        for (String base : List.of("0", "99999", "-1")) {
            EmulationId id = EmulationId.fresh("ofbase");
            Run run = mignet("run", "--topo", "single,2", "--id", id.value(), "--openflow-listen-base", base);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("mignet: --openflow-listen-base " + base + " is not a port; give one of"
                    + " 1-65535, e.g. 6634" + System.lineSeparator());
            assertThat(Path.of("mignet-results", id.value())).doesNotExist();
        }
        EmulationId id = EmulationId.fresh("ofbase");
        Run run = mignet("run", "--topo", "linear,3", "--id", id.value(), "--openflow-listen-base", "65535");
        assertThat(run.err()).isEqualTo("mignet: --openflow-listen-base 65535 leaves no room for the 3 switches'"
                + " ports 65535..65537 (the last port is 65535); give at most 65533" + System.lineSeparator());
        assertThat(Path.of("mignet-results", id.value())).doesNotExist();
        assertThat(NetnsPaths.list()).isEqualTo(namespaces);
    }

    @Test
    void the_help_lists_every_verb_the_launcher_takes() {
        StringWriter usage = new StringWriter();
        Main.commandLine().usage(new PrintWriter(usage, true));
        assertThat(usage.toString()).containsPattern("(?m)^  script +Run your own Java program");
        // Started without the launcher, the verb says how to use it instead of doing nothing.
        assertThat(mignet("script", "Mine.java").err()).startsWith("mignet: script runs through the launcher:"
                + " ./mignet script Mine.java");
    }

    @Test
    void a_commands_file_that_cannot_be_read_or_has_no_shell_to_run_in_is_refused_up_front() throws Exception {
        List<String> namespaces = NetnsPaths.list();
        Run missing = mignet("run", "--topo", "single,2", "--no-results", "--commands", tmp.resolve("no.txt")
                .toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("mignet: cannot read " + tmp.resolve("no.txt") + ": no such file"
                + System.lineSeparator());
        Path file = Files.writeString(tmp.resolve("pre.txt"), "pingall\n");
        Run autotest = mignet("run", "--topo", "single,2", "--no-results", "--autotest", "--commands",
                file.toString());
        assertThat(autotest.exitCode()).isEqualTo(1);
        assertThat(autotest.err()).startsWith("mignet: --commands runs before the shell's prompt; --autotest opens"
                + " no shell");
        assertThat(NetnsPaths.list()).isEqualTo(namespaces);
    }

    @Test
    void a_file_that_sweeps_several_runs_needs_autotest_and_says_how_to_run_one() throws Exception {
        Path file = Files.writeString(tmp.resolve("sweep.yaml"), """
                hosts: {h1: , h2: }
                switches: {s1: }
                links:
                  - {ends: [h1, s1], delay: "${d}"}
                  - ends: [h2, s1]
                sweep:
                  d: [1ms, 2ms]
                """);
        List<String> namespaces = NetnsPaths.list();
        Run two = mignet("run", "--no-results", file.toString());
        assertThat(two.exitCode()).isEqualTo(1);
        assertThat(two.err()).contains("the file sweeps [d] (2 runs); run it unattended with --autotest, or give"
                + " each sweep key one value");
        assertThat(NetnsPaths.list()).isEqualTo(namespaces);
    }
}
