package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.kernel.NetnsPaths;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DemoTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    private static Process mignet(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    @Test
    void the_fast_autotest_demo_prints_three_setups_counts_strictly_and_leaves_nothing() throws Exception {
        EmulationId id = EmulationId.fresh("demo");
        Process p = mignet("demo", "--autotest", "--fast", "--id", id.value());
        p.getOutputStream().close();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("- Internal IP of h2: 192.168.0.12", "- Internal IP of h3: 192.168.0.13",
                "3 packets transmitted, 3 received", "*** Setup1: Current log of the client:",
                "*** Setup2: Current log of the client:", "The PID of the old service: ",
                "*** Setup3: Current log of the client:", "*** Check passed");
        // One line per migration with the measured downtime (or, with the fast demo's 100 ms client, that no request
        // fell into a migration that short).
        assertThat(out.lines().filter(l -> l.contains("Migrated counter") && (l.contains("client downtime")
                || l.contains("no client request fell into the migration")))).hasSize(2);
        // Setup3's log: 1, 2, 3, ... K, stamped like container logs.
        String setup3 = out.substring(out.indexOf("*** Setup3"));
        Matcher m = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT[\\d:.]{18}Z Current counter: (\\d+)").matcher(setup3);
        int expected = 1;
        while (m.find()) {
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(expected++);
        }
        assertThat(expected - 1).isGreaterThanOrEqualTo(30);
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
        assertThat(id.stateDirectory()).doesNotExist();
    }

    @Test
    void the_shell_migrates_a_deployed_service_and_prints_its_downtime() throws Exception {
        EmulationId id = EmulationId.fresh("shell-migrate");
        Process p = mignet("run", "examples/service-migration.yaml", "--id", id.value());
        String script = """
                deploy counter h2 counter-service --listen 10.0.0.12:8888
                deploy client h1 counter-client --interval 20ms
                h1 sleep 1
                migrate counter h3
                h1 sleep 0.5
                apps
                flows s1
                logs client 3
                exit
                """;
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Migrated counter h2 -> h3: client downtime")
                .contains("flow now: s1: in_port=s1-h1 actions=output:s1-h3")
                .containsPattern("counter +h3 +pid")
                .containsPattern("Z Current counter: \\d+");
        assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
        assertThat(NamespaceProcesses.in(NetnsPaths.list().stream()
                .filter(ns -> ns.startsWith(id.namespacePrefix())).toList())).isEmpty();
    }
}
