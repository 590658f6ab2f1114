package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.app.AppManager;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Mininet's iperf and iperfudp verbs measure what the links are set to. */
class TrafficCommandsTest {
    private static final Pattern RECEIVED = Pattern.compile("h2 received ([0-9.]+) Mbits/sec");

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("iperf3");
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void iperf_measures_a_rate_limited_link_and_iperfudp_its_loss() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            run(shell, "link h2 s1 set bw=20");
            String tcp = run(shell, "iperf h1 h2 3");
            Matcher m = RECEIVED.matcher(tcp);
            assertThat(m.find()).as(tcp).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as(tcp).isBetween(12.0, 22.0);

            // (UDP offered over the rate is not lost here: the frames queued at the switch port hold the sender's
            // socket memory, so the sender itself is held back to the rate, as in Mininet.)
            run(shell, "link h2 s1 set bw=none loss=10%");
            String udp = run(shell, "iperfudp 10M h1 h2 2");
            Matcher loss = Pattern.compile("lost (\\d+)/(\\d+) datagrams").matcher(udp);
            assertThat(loss.find()).as(udp).isTrue();
            double lost = Double.parseDouble(loss.group(1)) / Double.parseDouble(loss.group(2));
            assertThat(lost).as(udp).isBetween(0.05, 0.16);

            assertThat(run(shell, "iperf h1 h1")).contains("two different hosts").doesNotContain("testing");
            assertThat(run(shell, "iperf h1 h9")).contains("no host named 'h9'");
            assertThat(run(shell, "iperf h1 h2 600")).contains("1 to 60 s");
            assertThat(run(shell, "iperfudp fast h1 h2")).contains("bandwidth 'fast'");
            assertThat(run(shell, "pingall 2")).contains("*** Results: ");
            assertThat(run(shell, "pingall soon")).contains("usage: pingall [timeout]");
            assertThat(run(shell, "s1 ip link")).contains("s1 is a switch: switches run no commands");
            assertThat(run(shell, "dump")).contains("<Host h1: h1-eth0:10.0.0.1/8 netns=")
                    .contains("<Switch s1: s1-h1,s1-h2,s1-h3 netns=");
        }
    }

    @Test
    void ctrl_c_ends_an_iperf_at_once_and_leaves_no_iperf3_on_either_host() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread.ofPlatform().daemon().start(() -> {
                shell.execute("iperf h1 h2 30", out);
                done.countDown();
            });
            awaitIperf3(net.host("h1").namespace(), true);
            shell.interrupt();
            assertThat(done.await(3, java.util.concurrent.TimeUnit.SECONDS)).as("returned within 3 s of Ctrl-C: %s",
                    bytes).isTrue();
            assertThat(bytes.toString(StandardCharsets.UTF_8)).endsWith(
                    "*** iperf interrupted by Ctrl-C: nothing measured\n");
            awaitIperf3(net.host("h1").namespace(), false);
            awaitIperf3(net.host("h2").namespace(), false);
            assertThat(run(shell, "h1 echo next")).as("the next command is not interrupted").isEqualTo("next\n");
        }
    }

    private static void awaitIperf3(String namespace, boolean running) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (NamespaceProcesses.in(java.util.List.of(namespace)).stream()
                .anyMatch(m -> m.command().contains("iperf3")) != running) {
            assertThat(System.nanoTime()).as("iperf3 %s in %s", running ? "running" : "gone", namespace)
                    .isLessThan(deadline);
            Thread.sleep(10); // polling /proc: there is nothing to be told by
        }
    }
}
