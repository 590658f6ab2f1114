package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mignet run FILE --autotest} starts the OpenFlow agent the file asks for, as the shell does. */
class AutotestOpenFlowTest {
    @TempDir
    Path tmp;

    @Test
    void ovs_ofctl_reaches_the_files_listener_while_the_experiment_runs() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ovs-ofctl");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // Secure: the client reaches the service only through the file's two rules.
        Path file = tmp.resolve("ofrun.yaml");
        Files.writeString(file, """
                name: ofrun
                hosts:
                  h1: {ip: 10.0.0.11/24}
                  h2: {ip: 10.0.0.12/24}
                switches:
                  s1:
                    openflow: {listen: 127.0.0.1:PORT}
                    fail-mode: secure
                    flows:
                      - in_port=s1-h1 actions=output:s1-h2
                      - in_port=s1-h2 actions=output:s1-h1
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                apps:
                  counter: {host: h2, command: counter-service --listen 10.0.0.12:8888, wait: udp:8888}
                  client: {host: h1, command: counter-client --server 10.0.0.12:8888 --interval 50ms}
                timeline:
                  - deploy: counter
                  - wait: {app: client, until: "log:^Current counter: 60$", timeout: 30s}
                  - stop: client
                """.replace("PORT", Integer.toString(port)));
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", file.toString(), "--autotest", "--no-results"));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(tmp.resolve("out").toFile())
                .start();
        p.getOutputStream().close();
        try {
            String flows = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (flows == null && p.isAlive() && System.nanoTime() < deadline) {
                CommandResult r = Command.run(List.of("ovs-ofctl", "-O", "OpenFlow13", "--names", "dump-flows",
                        "tcp:127.0.0.1:" + port), null, Duration.ofSeconds(10));
                if (r.ok()) {
                    flows = r.stdout();
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8);
            assertThat(flows).as("ovs-ofctl dump-flows during the run; mignet said:\n" + out).isNotNull()
                    .contains("in_port=\"s1-h1\" actions=output:\"s1-h2\"");
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("autotest passed").containsPattern(
                    "\\*\\*\\* OpenFlow s1 .*listening on tcp:127.0.0.1:" + port + "  fail-mode secure");
        } finally {
            stop(p);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
