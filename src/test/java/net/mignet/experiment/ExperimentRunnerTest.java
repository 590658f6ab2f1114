package net.mignet.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.mignet.kernel.EmulationId;
import net.mignet.net.EmulationOptions;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.SweepRun;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Experiments run unattended: a timeline per sweep combination, on one network, and the clients' verdict. */
class ExperimentRunnerTest {
    /** The counter service on h2 or h3 (same address and MAC), its client on h1, state over 192.168.0.0/24. */
    private static final String LAB = """
            name: exp
            hosts:
              h1: {ip: 10.0.0.11/24}
              h2:
              h3:
            switches:
              s1:
                flows:
                  - in_port=s1-h1 actions=output:s1-h2
                  - in_port=s1-h2 actions=output:s1-h1
                  - in_port=s1-h3 actions=output:s1-h1
            links:
              - ends: ["h1:h1-s1", "s1:s1-h1"]
              - ends: [{node: h2, intf: h2-s1, ip: 10.0.0.12/24, mac: "00:00:00:00:00:12"}, "s1:s1-h2"]
              - ends: [{node: h3, intf: h3-s1, ip: 10.0.0.12/24, mac: "00:00:00:00:00:12"}, "s1:s1-h3"]
              - ends: [{node: h2, intf: h2-int, ip: 192.168.0.12/24}, "s1:s1-h2-int"]
                delay: ${delay}
              - ends: [{node: h3, intf: h3-int, ip: 192.168.0.13/24}, "s1:s1-h3-int"]
            apps:
              counter: {host: h2, command: counter-service --listen 10.0.0.12:8888, wait: udp:8888}
              client: {host: h1, command: counter-client --server 10.0.0.12:8888 --interval 50ms}
            """;
    /** A second counter service, which starts counting from 1 again. */
    private static final String FRESH = """
              fresh: {host: h2, command: counter-service --listen 10.0.0.12:8888, wait: udp:8888}
            """;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    private List<RunResult> run(String sweep, String apps, String timeline) throws InterruptedException {
        List<SweepRun> runs = YamlTopologyLoader.parseExperiment("sweep:\n" + sweep + LAB + apps + "timeline:\n"
                + timeline, "exp.yaml");
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        return new ExperimentRunner(EmulationId.fresh("exp"), EmulationOptions.DEFAULT, out).run(runs);
    }

    @Test
    void each_combination_runs_its_timeline_on_one_network_and_passes() throws Exception {
        List<RunResult> results = run("  delay: [1ms, 3ms]\n", "", """
                  - deploy: counter
                  - wait: {app: client, until: "log:^Current counter: 5$", timeout: 20s}
                  - migrate: counter
                    to: h3
                    strategy: handover
                  - after: 200ms
                    link: [h1, s1]
                    set: {delay: 2ms}
                  - repeat: 2
                    steps:
                      - after: 100ms
                        migrate: counter
                        to: h2
                      - after: 100ms
                        migrate: counter
                        to: h3
                  - wait: {app: client, until: "log:^Current counter: 30$", timeout: 20s}
                  - stop: client
                """);
        String output = log.toString(StandardCharsets.UTF_8);
        assertThat(results).hasSize(2);
        assertThat(results).extracting(RunResult::values)
                .containsExactly(Map.of("delay", "1ms"), Map.of("delay", "3ms"));
        assertThat(results).allSatisfy(r -> {
            assertThat(r.problems()).as(output).isEmpty();
            assertThat(r.timeline().migrations()).hasSize(5);
            assertThat(r.timeline().steps()).hasSize(10);
        });
        assertThat(output.lines().filter(l -> l.matches("\\*\\*\\* Network .* up.*"))).hasSize(1);
    }

    @Test
    void a_reset_counter_and_a_step_that_fails_fail_the_run_with_their_reason() throws Exception {
        List<RunResult> results = run("  delay: [1ms]\n", FRESH, """
                  - deploy: counter
                  - wait: {app: client, until: "log:^Current counter: 3$", timeout: 20s}
                  - stop: counter
                  - deploy: fresh
                  - wait: {app: client, until: "log:seq=([2-9]|[0-9]{2,}) counter=1 ", timeout: 20s}
                  - wait: {app: client, until: "log:^never printed$", timeout: 300ms}
                  - stop: client
                """);
        RunResult r = results.getFirst();
        assertThat(r.passed()).isFalse();
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("line ").contains("wait for client"));
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("client: counter 1 followed")
                .contains("a reset or repeat"));
        assertThat(r.timeline().steps()).hasSize(6);
    }

    @Test
    void an_app_that_fails_by_itself_fails_the_run_and_a_stopped_one_does_not() throws Exception {
        List<RunResult> results = run("  delay: [1ms]\n", """
                  probe: {host: h1, command: [sh, -c, "echo no route; exit 3"]}
                  idle: {host: h1, command: sleep 60}
                """, """
                  - wait: {app: probe, until: "log:^no route$", timeout: 10s}
                  - wait: 300ms
                  - at: 100ms
                    stop: idle
                  - stop: client
                """);
        RunResult r = results.getFirst();
        assertThat(log.toString(StandardCharsets.UTF_8))
                .containsPattern("line \\d+: due at 100 ms, starts \\d+ ms late");
        assertThat(r.passed()).isFalse();
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("probe on h1 exited with status 3")
                .contains("no route"));
        assertThat(r.problems()).noneMatch(p -> p.startsWith("idle") || p.startsWith("client on"));
    }

    @Test
    void faults_in_a_timeline_take_effect_and_the_next_run_starts_without_them() throws Exception {
        List<RunResult> results = run("  delay: [1ms, 2ms]\n", "", """
                  - deploy: counter
                  - wait: {app: client, until: "log:^Current counter: 5$", timeout: 20s}
                  - freeze: h2
                  - after: 300ms
                    thaw: h2
                  - flap: [h1, s1]
                    period: 400ms
                    count: 2
                  - wait: 1s
                  - migrate: counter
                    to: h3
                    strategy: handover
                  - wait: {app: client, until: "log:^Current counter: 40$", timeout: 30s}
                  - stop: client
                  - crash: h3
                """);
        String output = log.toString(StandardCharsets.UTF_8);
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.problems()).as(output).isEmpty());
        assertThat(output).contains("h2 frozen: ", "h2 thawed: ", "flapping h1 <-> s1", "h3 crashed: ",
                "*** flap h1 s1: 2 of 2 down/up cycles, 4 transitions, done").doesNotContain("Report[");
        // The second run migrated to h3 again: the crash of the first was undone between the runs.
        assertThat(results.get(1).timeline().migrations()).hasSize(1);
    }
}
