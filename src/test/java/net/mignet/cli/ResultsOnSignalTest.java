package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.Signals;
import net.mignet.report.ResultsFiles;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped by a signal (a script's `kill`, `mignet clean --id`) still writes its results and report. */
class ResultsOnSignalTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void sigterm_writes_the_requests_and_the_report_before_the_network_goes_down(@TempDir Path dir)
            throws Exception {
        EmulationId id = EmulationId.fresh("sigresults");
        Path results = dir.resolve("results");
        List<String> argv = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--topo", "single,2", "--id", id.value(), "--results", results.toString());
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.startsWith("*** Network " + id + " up"); ) {
                seen.append(line).append('\n');
            }
            p.outputWriter().write("deploy client h1 counter-client --server 10.0.0.2:8888 --interval 50ms\n");
            p.outputWriter().flush();
            for (String line; (line = out.readLine()) != null && !line.startsWith("deployed "); ) {
                seen.append(line).append('\n');
            }
            Signals.send(p.pid(), 15);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).as(seen.toString()).contains("*** Results: 0 migration(s)").contains("*** Report: ");
            assertThat(results.resolve(ResultsFiles.REQUESTS)).exists();
            assertThat(Files.readAllLines(results.resolve(ResultsFiles.REQUESTS)).getFirst()).contains("sent");
            assertThat(results.resolve("report.html")).exists();
            assertThat(rest.indexOf("*** Report: ")).as(rest).isLessThan(rest.indexOf("*** Network " + id + " down"));
            // The apps were stopped first, so the recorder saw them end (and read their last lines).
            assertThat(Files.readAllLines(results.resolve(ResultsFiles.EVENTS)))
                    .anyMatch(l -> l.contains("\"app-exited\"") && l.contains("\"client\""));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Cleaner.removeEmulation(id, line -> { });
        }
    }
}
