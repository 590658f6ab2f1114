package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.mignet.app.AppManager;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C ends {@code pingall} at once, with what it measured: on a big network with unreachable hosts it ran for
 * minutes, and Ctrl-C only said it could not be interrupted.
 */
class PingallInterruptTest {
    private static final Duration BACK = Duration.ofSeconds(3);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void ctrl_c_ends_pingall_with_what_it_measured_and_kills_the_ping_in_flight() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            String h1 = net.host("h1").namespace();
            // Echo requests to h3 vanish while ARP still works: each ping to h3 waits its whole 30 s for a reply.
            assertThat(run(shell, "flow s1 add priority=100,icmp,nw_dst=10.0.0.3 actions=drop")).startsWith("added");

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            CountDownLatch done = new CountDownLatch(1);
            Thread.ofPlatform().daemon().start(() -> {
                shell.execute("pingall 30", out);
                done.countDown();
            });
            awaitPing(h1, "10.0.0.3");
            long t0 = System.nanoTime();
            shell.interrupt();
            boolean back = done.await(BACK.toMillis(), TimeUnit.MILLISECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(back).as("pingall returned within %s of Ctrl-C; output: %s", BACK, bytes).isTrue();
            System.out.printf("pingall: Ctrl-C -> returned in %.0f ms%n", took.toNanos() / 1e6);
            assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                    *** Ping: testing ping reachability
                    h1 -> h2 ^C
                    *** Results: 0% dropped (1/1 received)
                    *** pingall interrupted by Ctrl-C: 5 of 6 pings not measured
                    """);
            awaitNoPing(h1); // SIGKILLed as pingall returned; gone once the kernel has reaped it
            assertThat(run(shell, "h1 echo next")).as("the next command is not interrupted").isEqualTo("next\n");
        }
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static List<NamespaceProcesses.Member> pings(String namespace) {
        return NamespaceProcesses.in(List.of(namespace)).stream().filter(m -> m.command().contains("ping")).toList();
    }

    private static void awaitNoPing(String namespace) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!pings(namespace).isEmpty()) {
            assertThat(System.nanoTime()).as("the ping in flight was killed: %s", pings(namespace))
                    .isLessThan(deadline);
            Thread.sleep(10); // polling /proc: there is nothing to be told by
        }
    }

    private static void awaitPing(String namespace, String target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (pings(namespace).stream().noneMatch(m -> m.command().contains(target))) {
            assertThat(System.nanoTime()).as("a ping to %s in %s", target, namespace).isLessThan(deadline);
            Thread.sleep(10); // polling /proc: there is nothing to be told by
        }
    }
}
