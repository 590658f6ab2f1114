package net.mignet.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.EmulationId;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.openflow.OpenFlowAgents;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.SweepRun;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An unattended experiment whose switch is an OpenFlow switch by the file's keys, as {@code mignet run FILE
 * --autotest} runs it: its listener takes ovs-ofctl during the run, and fail-mode secure holds (nothing the
 * flow table does not carry gets through, so the client counts only once ovs-ofctl has given the flows).
 */
class ExperimentOpenFlowTest {
    private static final String LAB = """
            sweep:
              delay: [1ms, 2ms]
            name: ofexp
            hosts:
              h1: {ip: 10.0.0.11/24}
              h2: {ip: 10.0.0.12/24}
              h3: {ip: 10.0.0.13/24}
            switches:
              s1:
                openflow: {listen: 127.0.0.1:PORT}
                fail-mode: secure
            links:
              - ends: [h1, s1]
                delay: ${delay}
              - ends: [h2, s1]
              - ends: [h3, s1]
            apps:
              counter: {host: h2, command: counter-service --listen 10.0.0.12:8888, wait: udp:8888}
              client: {host: h1, command: counter-client --server 10.0.0.12:8888 --interval 50ms}
            timeline:
              - deploy: counter
              - wait: {app: client, until: "log:^Current counter: 5$", timeout: TIMEOUT}
              - stop: client
            """;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void needsKernelAndOvsOfctl() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
        KernelAssumptions.assumeTool("ovs-ofctl");
    }

    @Test
    void the_files_listener_takes_ovs_ofctl_during_the_runs_and_secure_holds() throws Exception {
        int port = freePort();
        List<String> seen = new ArrayList<>();
        List<RunResult> results = runner().observedBy(new RunObserver() {
            @Override
            public void networkStarted(Emulation net) {
                // Secure, and no controller: what no rule takes is dropped, the learning bridge is not used.
                assertThat(net.switchNamed("s1").flowTable().tableMiss()).isEqualTo(new FlowAction.Drop());
                assertThat(net.host("h1").ping(net.host("h2").ip().toString(), 1).received()).isZero();
                seen.add("network");
            }

            @Override
            public void runStarting(int index, Map<String, String> sweepValues) {
                // Each run starts from the file's flows (none): ovs-ofctl gives the client's way again.
                assertThat(ofctl(port, "dump-flows")).doesNotContain("actions=");
                ofctl(port, "add-flow", "in_port=s1-h1,actions=output:s1-h2");
                ofctl(port, "add-flow", "in_port=s1-h2,actions=output:s1-h1");
                assertThat(ofctl(port, "dump-flows")).contains("in_port=\"s1-h1\" actions=output:\"s1-h2\"");
                seen.add("run " + index);
            }
        }).run(runs(port, "20s"));
        String output = log.toString(StandardCharsets.UTF_8);
        assertThat(seen).containsExactly("network", "run 1", "run 2");
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.problems()).as(output).isEmpty());
        assertThat(output.lines().filter(l -> l.startsWith("*** OpenFlow s1 ")))
                .singleElement().asString().contains("listening on tcp:127.0.0.1:" + port, "fail-mode secure");
        // The agent stopped with the network: its port is free again.
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void without_the_flows_secure_keeps_the_client_from_the_service() throws Exception {
        int port = freePort();
        List<SweepRun> runs = runs(port, "2s");
        List<RunResult> results = runner().run(runs.subList(0, 1));
        assertThat(results.getFirst().passed()).isFalse();
        assertThat(results.getFirst().problems()).anySatisfy(p -> assertThat(p).contains("wait for client"));
    }

    private ExperimentRunner runner() {
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        return new ExperimentRunner(EmulationId.fresh("ofexp"), EmulationOptions.DEFAULT, out)
                .withOpenFlow(OpenFlowAgents.Options.NONE);
    }

    private static List<SweepRun> runs(int port, String timeout) {
        return YamlTopologyLoader.parseExperiment(LAB.replace("PORT", Integer.toString(port))
                .replace("TIMEOUT", timeout), "ofexp.yaml");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String ofctl(int port, String command, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow13", "--names", command,
                "tcp:127.0.0.1:" + port));
        argv.addAll(List.of(args));
        CommandResult r = Command.run(argv, null, Duration.ofSeconds(20));
        assertThat(r.ok()).as("%s: %s%s", String.join(" ", argv), r.stdout(), r.stderr()).isTrue();
        return r.stdout();
    }
}
