package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell with image hosts: commands inside them, limit, info, deploy --image; and the containers example. */
class ContainerCommandsTest {
    @BeforeEach
    void needsImages() {
        KernelAssumptions.assumeTool("nft");
        TestImages.assumeDebian13();
    }

    @Test
    void the_shell_runs_commands_in_image_hosts_and_changes_their_limits(@TempDir Path dir) throws Exception {
        Path topo = dir.resolve("c.yaml");
        Files.writeString(topo, """
                hosts:
                  h1: {ip: 10.0.0.1/24, image: debian:13}
                  h2: {ip: 10.0.0.2/24, image: debian:13, memory: 256m}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                """);
        EmulationId id = EmulationId.fresh("ccli");
        Process p = start("run", topo.toString(), "--id", id.value());
        String script = """
                h1 hostname
                h1 grep VERSION_ID /etc/os-release
                h1 ping -c1 h2
                limit h1 cpu=0.5 memory=128m
                limit h1 pids=64
                limit h1 disk=1g
                info h1
                deploy --image debian:13 box h2 sleep 30
                apps
                exit
                """;
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("h1\n").contains("VERSION_ID=\"13\"").contains("1 received")
                .contains("h1: cpu=0.5 memory=128m").contains("h1: cpu=0.5 memory=128m pids=64")
                .contains("unknown limit 'disk=1g'").contains("image    debian:13")
                .contains("limits   cpu=0.5 memory=128m pids=64").contains("use      cpu ")
                .containsPattern("box +h2 +pid \\d+ +running +cpu");
        assertThat(p.exitValue()).isZero();
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
    }

    @Test
    void the_containers_example_counts_strictly_across_migrations() throws Exception {
        Process p = start("run", "examples/containers.yaml", "--autotest");
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("autotest passed");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void clean_after_kill_9_removes_image_hosts_their_cgroups_and_processes(@TempDir Path dir) throws Exception {
        Path topo = dir.resolve("k.yaml");
        Files.writeString(topo, """
                hosts:
                  h1: {ip: 10.0.0.1/24, image: debian:13, cpu: 0.5}
                  h2: {ip: 10.0.0.2/24, memory: 256m}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                """);
        EmulationId id = EmulationId.fresh("ckill");
        Process p = start("run", topo.toString(), "--id", id.value());
        try {
            p.getOutputStream().write("h1 hostname\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null && !line.strip().endsWith("h1"); ) {
                // up to the host's answer: the network and its containers are up
            }
            List<Long> inits = net.mignet.kernel.NamespaceProcesses.in(List.of(id.hostNamespace("h1"))).stream()
                    .map(net.mignet.kernel.NamespaceProcesses.Member::pid).toList();
            assertThat(inits).isNotEmpty();
            assertThat(net.mignet.net.ImageHostTest.cgroupsOf(id)).isNotEmpty();
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no teardown runs
            Process clean = start("clean", "--id", id.value());
            assertThat(clean.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(clean.exitValue()).isZero();
            assertThat(net.mignet.net.ImageHostTest.cgroupsOf(id)).isEmpty();
            assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
            assertThat(inits).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertThat(id.stateDirectory()).doesNotExist();
        } finally {
            p.destroyForcibly();
            net.mignet.kernel.Cleaner.removeEmulation(id, line -> { });
        }
    }

    private static Process start(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
