package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import net.mignet.flow.FlowAction;
import net.mignet.net.Emulation;
import net.mignet.net.FlowEntry;
import net.mignet.net.Host;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.FailMode;
import net.mignet.topo.OpenFlowAddress;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real controller, os-ken with the classic learning-switch app, as the only controller of {@code tree,2,3} in
 * fail-mode secure: every host reaches every other, the rules it learned are in the flow tables, and after the
 * controller is killed and started again the network works again.
 */
class OsKenControllerTest {
    private static final Duration CONNECT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeEach
    void needsKernelAndOsKen() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
        KernelAssumptions.assumeTool("osken-manager");
    }

    @Test
    void learning_switch_app_connects_everything_and_again_after_a_restart() throws Exception {
        Path app = appFile();
        int port = freePort();
        OpenFlowAddress controller = OpenFlowAddress.parse("127.0.0.1:" + port);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("tree,2,3"));
                OpenFlowAgents agents = OpenFlowAgents.start(net, new OpenFlowAgents.Options(null, controller,
                        FailMode.SECURE, null), s -> { })) {
            assertThat(agents.agents()).hasSize(4);
            // Secure and no controller yet: nothing gets through.
            assertThat(net.host("h1").ping(net.host("h9").ip().toString(), 1).received()).isZero();

            Process osken = startOsKen(app, port, dir.resolve("osken-1.log"));
            try {
                awaitReady(net, agents, dir.resolve("osken-1.log"));
                assertThat(pingAll(net)).as("pairs that could not ping").isEmpty();
                for (OpenFlowAgent a : agents.agents()) {
                    List<FlowEntry> rules = net.switchNamed(a.switchName()).flowTable().entries();
                    // The app's table-miss rule and rules it learned (in_port, eth_src, eth_dst), with counters.
                    assertThat(rules).anySatisfy(e -> {
                        assertThat(e.rule().priority()).isZero();
                        assertThat(e.rule().action()).isEqualTo(new FlowAction.Controller());
                    });
                    assertThat(rules).anySatisfy(e -> {
                        assertThat(e.rule().priority()).isEqualTo(1);
                        assertThat(e.rule().match().ethDst()).isNotNull();
                        assertThat(e.rule().match().inPort()).isNotNull();
                        assertThat(e.packets()).isPositive();
                    });
                }
            } finally {
                stop(osken);
            }
            awaitControllers(agents, 0, dir.resolve("osken-1.log"));

            Process again = startOsKen(app, port, dir.resolve("osken-2.log"));
            try {
                awaitReady(net, agents, dir.resolve("osken-2.log"));
                assertThat(pingAll(net)).as("pairs that could not ping after the restart").isEmpty();
            } finally {
                stop(again);
            }
        }
    }

    /** Every host pings every other once; the pairs that failed (after one retry). */
    private static List<String> pingAll(Emulation net) {
        List<String> failed = new ArrayList<>();
        for (Host src : net.hosts()) {
            for (Host dst : net.hosts()) {
                if (src == dst) {
                    continue;
                }
                if (!src.ping(dst.ip().toString(), 1).allReceived()) {
                    failed.add(src.name() + "->" + dst.name());
                }
            }
        }
        return failed;
    }

    private Path appFile() throws IOException, URISyntaxException {
        Path app = dir.resolve("simple_switch_13.py");
        try (var in = OsKenControllerTest.class.getResourceAsStream("simple_switch_13.py")) {
            Files.copy(in, app);
        }
        return app;
    }

    private static Process startOsKen(Path app, int port, Path log) throws IOException {
        return new ProcessBuilder("osken-manager", "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port",
                String.valueOf(port), app.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Kills the controller by its pid (SIGKILL, as a crash) and waits for it to be gone. */
    private static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("os-ken %d ended", p.pid()).isTrue();
    }

    private static void awaitControllers(OpenFlowAgents agents, int each, Path log) throws Exception {
        await(() -> agents.agents().stream().allMatch(a -> a.controllers() == each), CONNECT,
                () -> "every switch with " + each + " controller(s); now " + agents.describe() + "; os-ken said: "
                        + tail(log));
    }

    /** Connected, and the app has installed its table-miss rule everywhere (it does on FEATURES_REPLY). */
    private static void awaitReady(Emulation net, OpenFlowAgents agents, Path log) throws Exception {
        awaitControllers(agents, 1, log);
        await(() -> agents.agents().stream().allMatch(a -> net.switchNamed(a.switchName()).flowTable().rules()
                .stream().anyMatch(e -> e.rule().action() instanceof FlowAction.Controller)), CONNECT,
                () -> "the app's table-miss rule on every switch; os-ken said: "
                        + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what.get());
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
