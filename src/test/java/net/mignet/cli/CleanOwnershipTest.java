package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.EmulationRecord;
import net.mignet.kernel.NetnsPaths;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Reproduces the report of 2026-11-30: plain {@code mignet clean} destroyed an emulation whose owner was alive,
 * and its shell went on against namespaces that were gone.
 */
class CleanOwnershipTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void clean_removes_only_the_orphan_and_clean_id_stops_the_live_owner_cleanly() throws Exception {
        List<String> foreignOrphans = EmulationRecord.all().stream().filter(r -> !r.state().ownerAlive())
                .map(r -> r.id().value()).toList();
        assumeTrue(foreignOrphans.isEmpty(), "plain mignet clean would remove other orphaned emulations on this"
                + " machine: " + foreignOrphans);
        EmulationId live = EmulationId.fresh("live");
        EmulationId killed = EmulationId.fresh("killed");
        Process owner = null;
        Process victim = null;
        try {
            owner = startMignet(live);
            victim = startMignet(killed);
            victim.destroyForcibly(); // SIGKILL: no shutdown hook runs, everything stays behind
            assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(EmulationRecord.of(killed).state()).isEqualTo(EmulationRecord.State.ORPHANED);
            assertThat(EmulationRecord.of(live).state()).isEqualTo(EmulationRecord.State.RUNNING);
            assertThat(run("ls")).contains(killed.value()).contains(live.value()).contains("orphaned")
                    .contains("running");

            String clean = run("clean");
            // Other emulations may run on this machine meanwhile (other test runs): they are left alone too.
            assertThat(clean).contains("removed 3 namespaces of 1 emulation(s): " + killed);
            assertThat(clean.lines().filter(l -> l.contains("running emulation(s) alone: ")))
                    .singleElement().asString().contains(live.value());
            assertThat(namespacesOf(killed)).isEmpty();
            assertThat(namespacesOf(live)).hasSize(3);
            assertThat(pingall(owner)).contains("Results: 0% dropped");

            String stop = run("clean", "--id", live.value());
            assertThat(stop).contains("owner pid " + owner.pid() + " of " + live + " tore it down and exited");
            assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(owner.exitValue()).as("the owner stopped by clean exits cleanly").isZero();
            assertThat(new String(owner.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("SIGTERM from mignet clean");
            assertThat(namespacesOf(live)).isEmpty();
            assertThat(live.stateDirectory()).doesNotExist();
        } finally {
            for (Process p : new Process[] {owner, victim}) {
                if (p != null) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            Cleaner.removeEmulation(live, line -> { });
            Cleaner.removeEmulation(killed, line -> { });
        }
    }

    private static List<String> namespacesOf(EmulationId id) {
        return NetnsPaths.list().stream().filter(ns -> ns.startsWith(id.namespacePrefix())).toList();
    }

    /** Starts {@code mignet run --topo single,2} in a child JVM and waits until its network is up. */
    private static Process startMignet(EmulationId id) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--topo", "single,2", "--id", id.value()));
        Process p = new ProcessBuilder(argv).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        for (String line; (line = err.readLine()) != null; ) {
            if (line.startsWith("*** Network " + id + " up")) {
                return p;
            }
        }
        throw new AssertionError("mignet run ended before its network was up, exit " + p.waitFor());
    }

    private static String pingall(Process owner) throws Exception {
        Writer in = new java.io.OutputStreamWriter(owner.getOutputStream(), StandardCharsets.UTF_8);
        in.write("pingall\n");
        in.flush();
        BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.contains("Results:")) {
                return line;
            }
        }
        return "(no result)";
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(out, true));
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            cli.execute(args);
        } finally {
            System.setOut(oldOut);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
