package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.NamespaceThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine thread's JIT warm-up: a frame circulating through a namespace's loopback. */
class EngineWarmUpTest {
    private ScratchNamespace scratch;
    private String namespace;

    @BeforeEach
    void scratchNamespace() throws Exception {
        scratch = ScratchNamespace.create("mignet-warmup");
        namespace = scratch.name;
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (scratch != null) {
            scratch.close();
        }
    }

    @Test
    void a_frame_circulates_through_loopback_as_often_as_asked_and_leaves_the_thread_clean() throws Exception {
        scratch.ip("link", "set", "lo", "up");
        try (EngineLoop loop = new EngineLoop(m -> { }, EngineSettings.automatic(), "warm-up-test");
                PacketSocket lo = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("lo", 32))) {
            // A turn that sleeps sends the frame due at its start and, at once, the frame that woke it.
            assertThat(loop.warmUp(lo, null, 3_000, TimeUnit.SECONDS.toNanos(20))).isBetween(3_000L, 3_001L);
            assertThat(loop.bufferBytes()).as("one frame's buffer from the reserve, recycled").isEqualTo(
                    (long) FramePool.SMALL_RESERVE * FramePool.SMALL + FramePool.LARGE);
        }
    }

    @Test
    void a_lost_frame_ends_the_warm_up_at_once() throws Exception {
        // lo left down: the send fails and nothing comes back
        try (EngineLoop loop = new EngineLoop(m -> { }, EngineSettings.automatic(), "warm-up-test");
                PacketSocket lo = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("lo", 32))) {
            long t0 = System.nanoTime();
            assertThat(loop.warmUp(lo, null, 3_000, TimeUnit.SECONDS.toNanos(20))).isZero();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
        }
    }

    @Test
    void touching_the_send_path_sends_nothing_and_the_kernel_refuses_the_bare_header() throws Exception {
        scratch.ip("link", "set", "lo", "up");
        try (Arena arena = Arena.ofShared();
                PacketSocket lo = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("lo", 32))) {
            SendBatch batch = new SendBatch(arena);
            assertThat(batch.touch(lo.fd())).isEqualTo(-Native.EINVAL);
            assertThat(batch.isEmpty()).isTrue();
            assertThat(lo.hasFrameInRing()).as("nothing reached lo").isFalse();
        }
    }

    @Test
    void a_socket_bound_to_an_ethertype_no_one_sends_stays_idle_beside_a_busy_one() throws Exception {
        scratch.ip("link", "set", "lo", "up");
        try (EngineLoop loop = new EngineLoop(m -> { }, EngineSettings.automatic(), "warm-up-test");
                PacketSocket lo = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("lo", 32));
                PacketSocket idle = NamespaceThread.call(namespace, () -> PacketSocket.openWithRing("lo", 32,
                        EngineLoop.IDLE_ETHERTYPE))) {
            assertThat(loop.warmUp(lo, idle, 1_000, TimeUnit.SECONDS.toNanos(20))).isBetween(1_000L, 1_001L);
            assertThat(idle.hasFrameInRing()).isFalse();
        }
    }
}
