package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.kernel.Signals;
import net.mignet.testing.KernelAssumptions;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A mignet without a terminal (a script, CI) tears its network down on each signal that would end it. */
class TerminationSignalsTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "HUP, 1", "INT, 2", "USR1, 10"})
    void a_signal_tears_the_network_down_and_says_so(String name, int number) throws Exception {
        // A shell without job control starts background commands with SIGINT ignored, and an ignored signal
        // stays ignored in every child: mignet then never sees it, as POSIX wants.
        boolean ignored = ignoredHere(number);
        if (ignored) {
            System.err.println("SKIPPED: SIG" + name + " is ignored in this test's process (started in the"
                    + " background by a shell), so the mignet it starts ignores it too");
        }
        assumeFalse(ignored, "SIG" + name + " is ignored in this process");
        EmulationId id = EmulationId.fresh("sig" + name.toLowerCase(java.util.Locale.ROOT));
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--topo", "single,2", "--id", id.value()));
        Process p = new ProcessBuilder(argv).start(); // stdin stays open: the shell waits for commands
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = err.readLine()) != null && !line.startsWith("*** Network " + id + " up"); ) {
                seen.append(line).append('\n');
            }
            assertThat(NetnsPaths.list()).as(seen.toString()).filteredOn(ns -> ns.startsWith(id.namespacePrefix()))
                    .hasSize(3);
            Signals.send(p.pid(), number);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String rest = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).contains("mignet: SIG" + name + ": tearing the network down and exiting")
                    .contains("*** Network " + id + " down: removed 3 namespaces");
            assertThat(p.exitValue()).isEqualTo(128 + number);
            assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
            assertThat(id.stateDirectory()).doesNotExist();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Cleaner.removeEmulation(id, line -> { });
        }
    }

    @Test
    void a_second_signal_during_the_teardown_says_nothing_more() throws Exception {
        assumeFalse(ignoredHere(2), "SIGINT is ignored in this process");
        EmulationId id = EmulationId.fresh("sigtwice");
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--topo", "single,2", "--id", id.value(), "--no-results"));
        Process p = new ProcessBuilder(argv).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            for (String line; (line = err.readLine()) != null && !line.startsWith("*** Network " + id + " up"); ) {
                // the build's lines
            }
            Signals.send(p.pid(), 15);
            Signals.send(p.pid(), 15);
            Signals.send(p.pid(), 2);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String rest = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            // Pending signals are delivered lowest number first, so either may be the one that counts.
            List<String> said = rest.lines().filter(l -> l.contains("tearing the network down and exiting")).toList();
            assertThat(said).as(rest).hasSize(1);
            assertThat(said.getFirst()).matches("mignet: SIG(TERM|INT): tearing the network down and exiting");
            assertThat(rest).contains("*** Network " + id + " down");
            assertThat(p.exitValue()).isEqualTo(128 + (said.getFirst().contains("SIGTERM") ? 15 : 2));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Cleaner.removeEmulation(id, line -> { });
        }
    }

    @Test
    void a_signal_during_the_build_stops_it_and_leaves_nothing() throws Exception {
        assumeFalse(ignoredHere(15), "SIGTERM is ignored in this process");
        EmulationId id = EmulationId.fresh("sigbuild");
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--topo", "single,300", "--id", id.value(), "--no-results"));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.startsWith("*** Creating 1 switches"); ) {
                seen.append(line).append('\n');
            }
            Signals.send(p.pid(), 15);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // The build stopped at its next step, and the teardown came after it, not beside it.
            assertThat(rest).as(seen + rest).doesNotContain("*** Network " + id + " up")
                    .contains("*** Network " + id + " not built");
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
            assertThat(id.stateDirectory()).doesNotExist();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Cleaner.removeEmulation(id, line -> { });
        }
    }

    private static boolean ignoredHere(int number) throws java.io.IOException {
        return TerminationSignalsTestSupport.ignoredHere(number);
    }
}
