package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.mignet.app.AppManager;
import net.mignet.kernel.EmulationId;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** examples/router.yaml in the shell: every host reaches every other across r1, and the start says no warning. */
class RouterExampleTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pingall_crosses_the_router_and_dump_shows_the_routes() {
        Topology t = YamlTopologyLoader.load(Path.of("examples/router.yaml"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (Emulation net = Emulation.start(t, EmulationId.fresh(t.name()), log::add);
                AppManager apps = new AppManager(net)) {
            assertThat(log).noneMatch(l -> l.startsWith("!!!"));
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            String pingall = run(shell, "pingall");
            assertThat(pingall).as(pingall).contains("h1 -> h2 h3 r1").contains("h3 -> h1 h2 r1")
                    .contains("*** Results: 0% dropped (12/12 received)");
            assertThat(run(shell, "dump"))
                    .contains("<Host h1: h1-eth0:10.0.1.10/24 netns=" + net.host("h1").namespace()
                            + " routes=[default via 10.0.1.1]>")
                    .contains("<Host r1: r1-eth0:10.0.1.1/24,r1-eth1:10.0.2.1/24 netns="
                            + net.host("r1").namespace() + ">");
        }
    }
}
