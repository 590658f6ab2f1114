package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Command;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NetnsPaths;
import net.mignet.linkemu.HoldReport;
import net.mignet.linkemu.Traffic;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Frame holds on real namespaces, on the reference scenario: h1 the client, h2 and h3 sharing 10.0.0.12 and its
 * MAC, the rule {@code in_port=s1-h1 actions=output:s1-h2} steering the client's frames.
 */
class FrameHoldTest {
    private static final InetSocketAddress SERVICE = new InetSocketAddress("10.0.0.12", 7000);

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    /** The reference file as it is: every link has a delay, so the userspace link engine sits on each. */
    private static Topology scenario() {
        return YamlTopologyLoader.load(Path.of("examples/service-migration.yaml"));
    }

    /** The same hosts and rules on plain veths: the hosts' frames reach the switch with partial checksums. */
    private static Topology plainScenario() {
        return Topology.builder("hold").addHost("h1", "10.0.0.11/24").addHost("h2").addHost("h3").addSwitch("s1")
                .addLink("h1", "s1")
                .addLink("h2", "s1", o -> o.ip1("10.0.0.12/24").mac1("00:00:00:00:00:12"))
                .addLink("h3", "s1", o -> o.ip1("10.0.0.12/24").mac1("00:00:00:00:00:12"))
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h2"))
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h2 actions=output:s1-h1"))
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h3 actions=output:s1-h1"))
                .build();
    }

    @Test
    void held_frames_arrive_nowhere_then_all_in_order_at_the_new_port() throws Exception {
        try (Emulation net = Emulation.start(scenario());
                DatagramChannel h1 = Traffic.udp(net, "h1", new InetSocketAddress(0));
                DatagramChannel h2 = Traffic.udp(net, "h2", SERVICE);
                DatagramChannel h3 = Traffic.udp(net, "h3", SERVICE)) {
            Switch s1 = net.switchNamed("s1");
            send(h1, 1_000_000, 1_000_001); // resolves ARP before the hold
            assertThat(receive(h2, 1, Duration.ofSeconds(5))).containsExactly(1_000_000);
            long ruleId = ruleFromH1(s1).id();
            long packetsBefore = ruleFromH1(s1).packets();

            FrameHold hold = s1.hold("s1-h2");
            assertThat(ruleFromH1(s1).heldPorts()).containsExactly("s1-h2");
            send(h1, 0, 300);
            assertThat(hold.awaitFirstFrame(Duration.ofSeconds(5))).isTrue();
            assertThat(receive(h2, 1, Duration.ofMillis(300))).as("h2 while held").isEmpty();
            assertThat(receive(h3, 1, Duration.ofMillis(10))).as("h3 while held").isEmpty();
            assertThat(hold.held()).isEqualTo(300);

            HoldReport report = hold.release("s1-h3");
            System.out.println("release of 300 held frames: " + report);
            assertThat(receive(h3, 300, Duration.ofSeconds(5))).as("h3 after release")
                    .containsExactlyElementsOf(range(0, 300));
            assertThat(receive(h2, 1, Duration.ofMillis(100))).isEmpty();
            assertThat(report.framesHeld()).isEqualTo(300);
            assertThat(report.released()).isEqualTo(300);
            assertThat(report.droppedByOverflow()).isZero();
            assertThat(report.bytesHeld()).isEqualTo(300L * (14 + 20 + 8 + 64));
            assertThat(report.longestHeld()).isGreaterThanOrEqualTo(report.medianHeld());
            assertThat(report.releasedTo()).isEqualTo("s1-h3");

            // The rule kept its id and its counter, now outputs to s1-h3, and can be put back by id.
            FlowEntry moved = ruleFromH1(s1);
            assertThat(moved.id()).isEqualTo(ruleId);
            assertThat(moved.held()).isFalse();
            assertThat(moved.rule().action()).isEqualTo(new FlowAction.Output(List.of("s1-h3")));
            assertThat(moved.packets()).isGreaterThanOrEqualTo(packetsBefore + 300);
            assertThat(hold.previousActions()).isEqualTo(Map.of(ruleId, new FlowAction.Output(List.of("s1-h2"))));
            send(h1, 500, 501);
            assertThat(receive(h3, 1, Duration.ofSeconds(5))).containsExactly(500);
            s1.flowTable().replaceActions(hold.previousActions());
            send(h1, 501, 502);
            assertThat(receive(h2, 1, Duration.ofSeconds(5))).containsExactly(501);
            assertThatThrownBy(() -> hold.release("s1-h3")).hasMessageContaining("ended already");
        }
    }

    @Test
    void a_stream_moves_without_loss_and_in_order_through_hold_and_release() throws Exception {
        try (Emulation net = Emulation.start(plainScenario());
                DatagramChannel h1 = Traffic.udp(net, "h1", new InetSocketAddress(0));
                DatagramChannel h2 = Traffic.udp(net, "h2", SERVICE);
                DatagramChannel h3 = Traffic.udp(net, "h3", SERVICE)) {
            Switch s1 = net.switchNamed("s1");
            send(h1, 1_000_000, 1_000_001);
            assertThat(receive(h2, 1, Duration.ofSeconds(5))).containsExactly(1_000_000);
            // A sender at about 20 000 datagrams/s through the whole hold and release.
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread sender = Thread.ofPlatform().start(() -> {
                int n = 0;
                while (sending.get()) {
                    send(h1, n, n + 10);
                    n += 10;
                    sent.set(n);
                    spin(500_000);
                }
            });
            try {
                awaitAtLeast(sent, 2_000);
                FrameHold hold = s1.hold("s1-h2");
                int atHold = sent.get();
                awaitAtLeast(sent, atHold + 2_000);
                HoldReport report = hold.release("s1-h3");
                int atRelease = sent.get();
                awaitAtLeast(sent, atRelease + 2_000);
                sending.set(false);
                sender.join();
                List<Integer> toH2 = receive(h2, Integer.MAX_VALUE, Duration.ofMillis(300));
                List<Integer> toH3 = receive(h3, Integer.MAX_VALUE, Duration.ofMillis(300));
                int total = sent.get();
                System.out.printf("stream of %d datagrams: %d to h2 before the hold, %d to h3 (%d held, %d in flight "
                        + "at the rule change); out of order at h3: %d; %s%n", total, toH2.size(), toH3.size(),
                        report.framesHeld(), report.inFlight(), outOfOrder(toH3), report);
                System.out.println("inversions at h3 (index: value after max): " + inversions(toH3)
                        + "; sent when the release began: " + atRelease);
                // Every datagram reached exactly one of the two, h2 only before the hold started.
                List<Integer> all = new ArrayList<>(toH2);
                all.addAll(toH3);
                assertThat(all).hasSize(total).doesNotHaveDuplicates();
                assertThat(toH2).isEqualTo(range(0, toH2.size()));
                assertThat(toH2.size()).isLessThanOrEqualTo(atHold + 10);
                assertThat(report.lost()).isZero();
                // The held ones, then the ones sent directly. Frames the hold sent just before the rule change
                // can still wait in the kernel's per-CPU backlog when softirq work is deferred (ksoftirqd, under
                // load), and direct frames overtake them: measured 0 in 38 of 40 runs, 10 and 20 in the others.
                // Releasing after the rule change would put the whole held queue (2 000 frames) behind.
                assertThat(outOfOrder(toH3)).as(inversions(toH3).toString()).isLessThanOrEqualTo(100);
            } finally {
                sending.set(false);
                sender.join();
            }
        }
    }

    @Test
    void overflow_is_counted_and_restore_sends_the_held_frames_to_the_old_port() throws Exception {
        try (Emulation net = Emulation.start(plainScenario());
                DatagramChannel h1 = Traffic.udp(net, "h1", new InetSocketAddress(0));
                DatagramChannel h2 = Traffic.udp(net, "h2", SERVICE);
                DatagramChannel h3 = Traffic.udp(net, "h3", SERVICE)) {
            Switch s1 = net.switchNamed("s1");
            send(h1, 1_000_000, 1_000_001);
            assertThat(receive(h2, 1, Duration.ofSeconds(5))).containsExactly(1_000_000);
            HoldReport report;
            try (FrameHold hold = s1.hold("s1-h2", 50)) {
                assertThatThrownBy(() -> s1.hold("s1-h2")).hasMessageContaining("held already");
                assertThatThrownBy(() -> hold.release("s1-h9")).hasMessageContaining("has no port 's1-h9'");
                send(h1, 0, 80);
                awaitHeld(hold, 50);
                assertThat(receive(h2, 1, Duration.ofMillis(200))).isEmpty();
                report = hold.restore();
            }
            System.out.println("restore with overflow: " + report);
            assertThat(receive(h2, 80, Duration.ofSeconds(5))).containsExactlyElementsOf(range(0, 50));
            assertThat(receive(h3, 1, Duration.ofMillis(100))).isEmpty();
            assertThat(report.droppedByOverflow()).isEqualTo(30);
            assertThat(report.framesHeld()).isEqualTo(50);
            assertThat(report.released()).isEqualTo(50);
            assertThat(report.releasedTo()).isEqualTo("s1-h2");
            assertThat(ruleFromH1(s1).rule().action()).isEqualTo(new FlowAction.Output(List.of("s1-h2")));

            // A hold closed without release or restore is restored; the device is reused by the next hold.
            try (FrameHold hold = s1.hold("s1-h2")) {
                send(h1, 100, 110);
                awaitHeld(hold, 10);
            }
            assertThat(receive(h2, 10, Duration.ofSeconds(5))).containsExactlyElementsOf(range(100, 110));
            assertThat(ruleFromH1(s1).held()).isFalse();
        }
    }

    @Test
    void tcp_segments_cross_a_hold_intact() throws Exception {
        // TCP from h1's veth carries partial checksums and GSO frames up to 64 KiB: they must survive userspace.
        try (Emulation net = Emulation.start(plainScenario());
                ServerSocketChannel server = NamespaceThread.call(net.host("h2").namespace(), () -> {
                    try {
                        return ServerSocketChannel.open().bind(new InetSocketAddress("10.0.0.12", 7100));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                SocketChannel client = NamespaceThread.call(net.host("h1").namespace(), () -> {
                    try {
                        return SocketChannel.open(new InetSocketAddress("10.0.0.12", 7100));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                SocketChannel accepted = server.accept()) {
            byte[] data = new byte[4 << 20];
            new Random(7).nextBytes(data);
            CRC32 sentCrc = new CRC32();
            sentCrc.update(data);
            FrameHold hold = net.switchNamed("s1").hold("s1-h2");
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    client.write(ByteBuffer.wrap(data));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(hold.awaitFirstFrame(Duration.ofSeconds(5))).isTrue();
            awaitHeld(hold, 3); // a window's worth, then TCP waits for acknowledgements
            HoldReport report = hold.restore();
            System.out.println("TCP through a hold: " + report);
            byte[] got = new byte[data.length];
            new DataInputStream(Channels.newInputStream(accepted)).readFully(got);
            writer.join();
            CRC32 gotCrc = new CRC32();
            gotCrc.update(got);
            assertThat(gotCrc.getValue()).isEqualTo(sentCrc.getValue());
            assertThat(report.lost()).isZero();
        }
    }

    @Test
    void a_hold_left_open_is_removed_when_the_emulation_closes() throws Exception {
        Emulation net = Emulation.start(plainScenario());
        String fabric = net.id().fabricNamespace();
        try (DatagramChannel h1 = Traffic.udp(net, "h1", new InetSocketAddress(0))) {
            send(h1, 0, 1); // ARP: answered by nobody bound, but h2 answers ARP
            FrameHold hold = net.switchNamed("s1").hold("s1-h2");
            send(h1, 1, 20);
            assertThat(hold.awaitFirstFrame(Duration.ofSeconds(5))).isTrue();
            assertThat(Command.run(List.of("ip", "-n", fabric, "link", "show", "_hold0")).ok()).isTrue();
        } finally {
            net.close();
        }
        assertThat(NetnsPaths.exists(fabric)).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("mignet-hold") && t.isAlive());
        assertThatThrownBy(() -> net.switchNamed("s1").hold("s1-h2")).hasMessageContaining("closed");
    }

    private static FlowEntry ruleFromH1(Switch s1) {
        return s1.flowTable().entries().stream().filter(e -> "s1-h1".equals(e.rule().match().inPort()))
                .findFirst().orElseThrow();
    }

    private static void awaitHeld(FrameHold hold, int frames) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (hold.held() < frames) {
            assertThat(System.nanoTime()).as("%d frames held within 5 s (%d)", frames, hold.held()).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void awaitAtLeast(AtomicInteger counter, int value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (counter.get() < value) {
            assertThat(System.nanoTime()).as("sender reached %d", value).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** Sends datagrams numbered {@code from} (inclusive) to {@code to} (exclusive), 64 bytes each. */
    static void send(DatagramChannel from, int first, int end) {
        ByteBuffer out = ByteBuffer.allocate(64);
        try {
            for (int i = first; i < end; i++) {
                out.clear();
                out.putInt(i);
                out.position(64);
                out.flip();
                from.send(out, SERVICE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The numbers received, in order, until {@code max} came or {@code quiet} passed without one. */
    static List<Integer> receive(DatagramChannel ch, int max, Duration quiet) throws IOException {
        List<Integer> got = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            ByteBuffer buf = ByteBuffer.allocate(2048);
            while (got.size() < max) {
                buf.clear();
                if (ch.receive(buf) != null) {
                    buf.flip();
                    got.add(buf.getInt());
                    continue;
                }
                if (selector.select(Math.max(1, quiet.toMillis())) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
            }
            key.cancel();
            selector.selectNow();
        }
        ch.configureBlocking(true);
        return got;
    }

    static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }

    /** Where the numbers went backwards: "index: value < highest so far", the first 20. */
    static List<String> inversions(List<Integer> values) {
        List<String> found = new ArrayList<>();
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < values.size() && found.size() < 20; i++) {
            if (values.get(i) < max) {
                found.add(i + ": " + values.get(i) + " < " + max);
            }
            max = Math.max(max, values.get(i));
        }
        return found;
    }

    /** Datagrams that arrived after one with a higher number. */
    static int outOfOrder(List<Integer> values) {
        int count = 0;
        int max = Integer.MIN_VALUE;
        for (int v : values) {
            if (v < max) {
                count++;
            }
            max = Math.max(max, v);
        }
        return count;
    }
}
