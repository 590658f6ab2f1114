package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.kernel.Signals;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unattended experiment stopped by a signal starts no further timeline step while its network goes down. */
class TimelineOnSignalTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void after_sigterm_no_step_starts_and_the_run_ends_without_a_verdict(@TempDir Path dir) throws Exception {
        assumeFalse(TerminationSignalsTestSupport.ignoredHere(15), "SIGTERM is ignored in this process");
        // Steps that end every few milliseconds, each printing its line: any step started after the signal shows.
        Path file = dir.resolve("steps.yaml");
        Files.writeString(file, """
                name: steps
                hosts:
                  h1: {ip: 10.0.0.1/24}
                  h2: {ip: 10.0.0.2/24}
                switches:
                  s1:
                links:
                  - {ends: [h1, s1]}
                  - {ends: [h2, s1]}
                timeline:
                  - repeat: 100000
                    steps:
                      - cut: [h2, s1]
                      - restore: [h2, s1]
                """);
        EmulationId id = EmulationId.fresh("sigsteps");
        List<String> argv = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", file.toString(), "--id", id.value(), "--autotest", "--no-results");
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            int steps = 0;
            for (String line; steps < 20 && (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("*** timeline ")) {
                    steps++;
                }
            }
            assertThat(steps).as(seen.toString()).isEqualTo(20);
            Signals.send(p.pid(), 15);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int signalLine = rest.indexOf("mignet: SIGTERM");
            assertThat(signalLine).as(rest).isNotNegative();
            String afterSignal = rest.substring(signalLine);
            // The step under way when the signal came may still print; none after it.
            assertThat(afterSignal.lines().filter(l -> l.startsWith("*** timeline ")).count()).as(rest)
                    .isLessThanOrEqualTo(1);
            assertThat(afterSignal).as(rest).contains("*** Network " + id + " down")
                    .doesNotContain("mignet: error").doesNotContain("Exception");
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Cleaner.removeEmulation(id, line -> { });
        }
    }
}
