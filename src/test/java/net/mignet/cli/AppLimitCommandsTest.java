package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.EmulationId;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell's per-app limits: deploy --cpu/--memory/--pids, an app's cpu:/memory: in the file, limit, info, apps. */
class AppLimitCommandsTest {
    @BeforeEach
    void needsCgroups() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeCgroupLimits();
    }

    @Test
    void apps_get_limits_of_their_own_within_their_hosts(@TempDir Path dir) throws Exception {
        Path topo = dir.resolve("l.yaml");
        Files.writeString(topo, """
                hosts:
                  h1: {ip: 10.0.0.1/24, cpu: 0.5, memory: 256m}
                  h2: {ip: 10.0.0.2/24}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                apps:
                  web: {host: h1, command: sleep 120, cpu: 0.2, memory: 64m}
                """);
        EmulationId id = EmulationId.fresh("alim");
        String script = """
                deploy --memory 32m --pids 10 worker h2 sleep 120
                deploy --cpu 1 greedy h1 sleep 120
                limit h1
                limit web pids=20
                limit h2 worker cpu=0.25
                limit h1 cpu=0.1
                limit web memory=48m
                limit web cpu=0.3
                info h1
                apps
                limit nosuch cpu=1
                h1 python3 -c "b = bytearray(400 * 1024 * 1024)"
                exit
                """;
        Process p = start("run", topo.toString(), "--id", id.value());
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.err.println(out);
        assertThat(out)
                .contains("deployed worker on h2")
                .contains("app greedy may not have more than its host h1").contains("cpu=1 (above cpu=0.5)")
                .contains("h1: cpu=0.5 memory=256m\n  web on h1: cpu=0.2 memory=64m\n")
                .contains("web on h1: cpu=0.2 memory=64m pids=20\n")
                .contains("worker on h2: cpu=0.25 memory=32m pids=10\n")
                .contains("h1: cpu=0.1 memory=256m\n  web on h1: cpu=0.2 memory=64m pids=20 (held to cpu=0.1"
                        + " by its host's)\n")
                .contains("web on h1: cpu=0.2 memory=48m pids=20 (held to cpu=0.1 by its host's)\n")
                .contains("app web may not have more than its host h1 (cpu=0.1 memory=256m): cpu=0.3 (above"
                        + " cpu=0.1)")
                .contains("limits   cpu=0.1 memory=256m")
                .containsPattern("app      web on h1: cpu=0.2 memory=48m pids=20 \\(held to [^)]*\\); cpu \\d")
                .containsPattern("worker +h2 +pid \\d+ +running .*\\(limits cpu=0.25 memory=32m pids=10\\)")
                .contains("'nosuch' is neither a host")
                .contains("(exit 137)\n(killed by h1's memory limit, memory=256m; see info h1)");
        assertThat(p.exitValue()).isZero();
        assertThat(net.mignet.net.ImageHostTest.cgroupsOf(id)).isEmpty();
    }

    private static Process start(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
