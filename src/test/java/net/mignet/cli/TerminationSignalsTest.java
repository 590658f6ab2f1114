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
import org.junit.jupiter.api.BeforeEach;
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
}
