package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.net.Link;
import net.mignet.net.PingResult;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.LinkParams;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Link directions that hold nothing go through the kernel ({@link KernelPath}), and come back to the engine. */
class KernelPathTest {
    private static final EmulationOptions USERSPACE =
            EmulationOptions.DEFAULT.withLinkEngine(LinkEngineChoice.USERSPACE);
    private static final InetSocketAddress H2 = new InetSocketAddress("10.0.0.2", 7000);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    private static Topology twoHosts() {
        return TwoHosts.named("kp");
    }

    /** The numbers that did not arrive when h1 sent {@code n} datagrams through h1-s1 with {@code loss} percent. */
    private static LossRun lossRun(int n, double loss) throws Exception {
        try (Emulation net = Emulation.start(twoHosts(), USERSPACE);
                DatagramChannel h1 = Traffic.udp(net, "h1", new InetSocketAddress(0));
                DatagramChannel h2 = Traffic.udp(net, "h2", H2)) {
            // No ARP at all: the engine's insertion takes the switch port down and up, which flushes h1's entry,
            // and datagrams sent while ARP resolves go out of order (those queued behind it, and those after).
            String mac = net.host("h2").exec("cat", "/sys/class/net/h2-eth0/address").orThrow().stdout().strip();
            net.host("h1").exec("ip", "neigh", "replace", "10.0.0.2", "lladdr", mac, "dev", "h1-eth0", "nud",
                    "permanent").orThrow();
            Link link = net.links().getFirst();
            link.setFrom("h1", LinkParams.NONE.withLoss(loss));
            // From one CPU, so that the frames reach the decisions in the order they were sent: from a thread
            // that moves, they go through two CPUs' backlogs at once, and the draws fall to them in another order.
            List<Integer> got;
            try (Arena arena = Arena.ofConfined()) {
                CpuPin pin = new CpuPin(arena);
                pin.pin();
                try {
                    got = Traffic.sendNumbered(h1, h2, H2, n, 100, 100, 500);
                } finally {
                    pin.release();
                }
            }
            TreeSet<Integer> missing = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                missing.add(i);
            }
            got.forEach(missing::remove);
            return new LossRun(missing, got, link.engineStats().getFirst());
        }
    }

    private record LossRun(TreeSet<Integer> missing, List<Integer> got, DirectionStats forward) {
    }

    @Test
    void a_loss_only_link_loses_in_the_kernel_exactly_the_frames_the_engine_would() throws Exception {
        int n = 3000;
        LossRun kernel = lossRun(n, 20.0);
        LossRun engine;
        String before = System.getProperty("mignet.linkemu.kernelPath");
        System.setProperty("mignet.linkemu.kernelPath", "false");
        try {
            engine = lossRun(n, 20.0);
        } finally {
            if (before == null) {
                System.clearProperty("mignet.linkemu.kernelPath");
            } else {
                System.setProperty("mignet.linkemu.kernelPath", before);
            }
        }
        assertThat(kernel.forward.kernelFrames()).as(kernel.forward.toString()).isEqualTo(n);
        assertThat(kernel.forward.inKernel()).as(kernel.forward.toString()).isTrue();
        assertThat(kernel.forward.lost()).isEqualTo(kernel.missing.size());
        assertThat(engine.forward.kernelFrames()).as(engine.forward.toString()).isZero();
        int[] interval = UserspaceEngineTest.binomialInterval(n, 0.20, 0.99);
        assertThat(kernel.missing.size()).isBetween(interval[0], interval[1]);
        // The same seed, the same frames in the same order: the same losses, frame by frame, whichever path
        // decided.
        assertThat(kernel.missing).as("%s; %s", kernel.forward, engine.forward).isEqualTo(engine.missing);
        assertThat(kernel.got).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void a_link_that_gains_and_loses_a_delay_switches_paths_without_reordering_losing_or_doubling() throws Exception {
        int n = 40_000;
        try (Emulation net = Emulation.start(twoHosts(), USERSPACE);
                DatagramChannel h1 = Traffic.udp(net, "h1", new InetSocketAddress(0));
                DatagramChannel h2 = Traffic.udp(net, "h2", H2)) {
            net.host("h1").ping("10.0.0.2", 1);
            Link link = net.links().getFirst();
            LinkParams delayed = LinkParams.NONE.withDelay(Duration.ofMillis(2));
            LinkParams nothing = LinkParams.NONE.withDelay(Duration.ZERO);
            link.set(delayed);
            CompletableFuture<List<Integer>> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return Traffic.sendNumbered(h1, h2, H2, n, 100, 200, 500);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<String> seen = new ArrayList<>();
            boolean slow = true;
            while (!got.isDone()) {
                slow = !slow;
                link.set(slow ? delayed : nothing);
                DirectionStats s = link.engineStats().getFirst();
                seen.add(s.kernelFrames() + "/" + s.received());
                Thread.sleep(15);
            }
            List<Integer> arrived = got.get();
            DirectionStats forward = link.engineStats().getFirst();
            assertThat(seen.size()).as("path switches during the stream").isGreaterThanOrEqualTo(6);
            assertThat(forward.kernelFrames()).as(forward.toString()).isPositive()
                    .isLessThan(forward.received());
            assertThat(arrived).as("%s; %s", forward, seen).hasSize(n).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void a_link_with_nothing_left_to_hold_adds_next_to_nothing_and_its_delay_comes_back() {
        try (Emulation net = Emulation.start(twoHosts(), USERSPACE)) {
            Link link = net.links().getFirst();
            net.host("h1").ping("10.0.0.2", 1);
            link.set(LinkParams.NONE.withDelay(Duration.ofMillis(5)));
            PingResult delayed = net.host("h1").ping("10.0.0.2", 5, Duration.ofMillis(20));
            link.set(LinkParams.NONE.withDelay(Duration.ZERO));
            PingResult plain = net.host("h1").ping("10.0.0.2", 20, Duration.ofMillis(5));
            List<DirectionStats> stats = link.engineStats();
            assertThat(stats).allSatisfy(s -> assertThat(s.inKernel()).as(s.toString()).isTrue());
            assertThat(stats).allSatisfy(s -> assertThat(s.kernelFrames()).as(s.toString()).isGreaterThanOrEqualTo(20));
            link.set(LinkParams.NONE.withDelay(Duration.ofMillis(5)));
            PingResult again = net.host("h1").ping("10.0.0.2", 5, Duration.ofMillis(20));
            assertThat(link.engineStats()).allSatisfy(s -> assertThat(s.inKernel()).as(s.toString()).isFalse());
            assertThat(delayed.rttMillis()).as(delayed.output()).hasSize(5).allSatisfy(r -> assertThat(r)
                    .isGreaterThanOrEqualTo(10.0));
            assertThat(again.rttMillis()).as(again.output()).hasSize(5).allSatisfy(r -> assertThat(r)
                    .isGreaterThanOrEqualTo(10.0));
            assertThat(plain.rttMillis()).as(plain.output()).hasSize(20).allSatisfy(r -> assertThat(r)
                    .isLessThan(10.0));
        }
    }
}
