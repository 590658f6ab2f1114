package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class FramePoolTest {

    private static void receive(FramePool pool, long n, byte fill) {
        pool.receiveBuffer().asSlice(0, n).fill(fill);
    }

    @Test
    void a_small_frame_is_copied_and_the_receive_buffer_kept() {
        try (FramePool pool = new FramePool()) {
            MemorySegment buffer = pool.receiveBuffer();
            assertThat(buffer.byteSize()).isEqualTo(FramePool.LARGE);
            receive(pool, 100, (byte) 7);
            Frame f = pool.keepReceived(100);
            assertThat(f.buffer.byteSize()).isEqualTo(FramePool.SMALL);
            assertThat(f.buffer.get(ValueLayout.JAVA_BYTE, 99)).isEqualTo((byte) 7);
            assertThat(pool.receiveBuffer()).isSameAs(buffer);
        }
    }

    @Test
    void small_frames_come_from_the_reserve_until_it_is_used_up() {
        try (FramePool pool = new FramePool()) {
            long start = pool.allocatedBytes();
            java.util.List<Frame> held = new java.util.ArrayList<>();
            for (int i = 0; i < FramePool.SMALL_RESERVE; i++) {
                held.add(pool.takeSmall());
            }
            assertThat(pool.allocatedBytes()).isEqualTo(start);
            held.add(pool.takeSmall());
            assertThat(pool.allocatedBytes()).isEqualTo(start + FramePool.SMALL);
            held.forEach(pool::give);
            assertThat(held.stream().map(f -> f.buffer.address()).distinct().count())
                    .isEqualTo(FramePool.SMALL_RESERVE + 1L);
        }
    }

    @Test
    void a_large_frame_keeps_the_receive_buffer_which_a_new_one_replaces_and_a_copy_leaves_it() {
        try (FramePool pool = new FramePool()) {
            MemorySegment first = pool.receiveBuffer();
            receive(pool, 5000, (byte) 3);
            Frame copy = pool.copyReceived(5000);
            assertThat(copy.buffer).isNotSameAs(first);
            assertThat(copy.buffer.get(ValueLayout.JAVA_BYTE, 4999)).isEqualTo((byte) 3);
            assertThat(pool.receiveBuffer()).isSameAs(first);

            Frame kept = pool.keepReceived(5000);
            assertThat(kept.buffer).isSameAs(first);
            assertThat(pool.receiveBuffer()).isNotSameAs(first);
            assertThat(pool.receiveBuffer().byteSize()).isEqualTo(FramePool.LARGE);
            assertThat(pool.allocatedBytes()).isEqualTo(3L * FramePool.LARGE
                    + (long) FramePool.SMALL_RESERVE * FramePool.SMALL);
        }
    }

    @Test
    void buffer_bytes_follow_the_size_classes() {
        assertThat(FramePool.bufferBytes(FramePool.SMALL)).isEqualTo(FramePool.SMALL);
        assertThat(FramePool.bufferBytes(FramePool.SMALL + 1)).isEqualTo(FramePool.LARGE);
    }
}
