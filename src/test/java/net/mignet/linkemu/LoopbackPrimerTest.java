package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.NamespaceThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The frame that primes the kernel's path before a release: on the loopback only once armed, and only there. */
class LoopbackPrimerTest {
    private ScratchNamespace scratch;
    private String namespace;

    @BeforeEach
    void scratchNamespace() throws Exception {
        scratch = ScratchNamespace.create("mignet-primer");
        namespace = scratch.name;
        scratch.ip("link", "set", "lo", "up");
        // No IPv6 on the veth: its router solicitations and reports would land in the port's ring.
        scratch.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        scratch.ip("link", "add", "port0", "type", "veth", "peer", "name", "port1");
        scratch.ip("link", "set", "port0", "up");
        scratch.ip("link", "set", "port1", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (scratch != null) {
            scratch.close();
        }
    }

    @Test
    void unarmed_it_sends_nothing_and_armed_one_frame_of_its_own_kind_to_the_loopback_alone() throws Exception {
        try (Arena arena = Arena.ofShared();
                FramePool pool = new FramePool();
                LoopbackPrimer primer = new LoopbackPrimer(arena);
                PacketSocket lo = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("lo", 32));
                PacketSocket port = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("port1", 32))) {
            SendBatch batch = new SendBatch(arena);
            ReceiveContext context = new ReceiveContext(arena);

            assertThat(primer.prime(batch)).as("no socket yet").isEqualTo(-Native.EBADF);
            assertThat(lo.hasFrameInRing()).isFalse();

            primer.arm(NamespaceThread.call(namespace, () -> PacketSocket.openForSending("lo")));
            assertThat(primer.prime(batch)).isEqualTo(1);
            assertThat(batch.isEmpty()).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!lo.hasFrameInRing() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // delivered in the send's own softirq, unless ksoftirqd took it over
            }
            Frame f = lo.take(pool, context, System.nanoTime());
            assertThat(f).isNotNull();
            assertThat(f.length).isEqualTo(EngineLoop.WARM_UP_FRAME_BYTES);
            assertThat(f.buffer.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                    PacketSocket.VNET_HDR + 12)).isEqualTo((short) EngineLoop.EXPERIMENTAL_ETHERTYPE);
            assertThat(lo.take(pool, context, System.nanoTime())).as("one frame per prime").isNull();
            assertThat(port.hasFrameInRing()).as("no other device of the namespace sees it").isFalse();

            primer.close();
            assertThat(primer.prime(batch)).as("closed: its socket is gone").isEqualTo(-Native.EBADF);
        }
    }
}
