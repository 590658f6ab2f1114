package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmallFrameFloodTest {
    private final SmallFrameFlood flood = new SmallFrameFlood(0);

    @Test
    void a_thread_receiving_over_the_rate_is_flooded_until_the_rate_falls() {
        long t = 0;
        for (int i = 0; i < 20; i++) { // 12 frames every 0.1 ms: 120 000 frames/s
            t += 100_000;
            flood.received(t, 12);
        }
        assertThat(flood.isOn()).isTrue();
        for (int i = 0; i < 20; i++) { // 2 frames every 0.1 ms: 20 000 frames/s, a TCP flow's rate
            t += 100_000;
            flood.received(t, 2);
        }
        assertThat(flood.isOn()).isFalse();
    }

    @Test
    void a_thread_below_the_rate_is_never_flooded() {
        long t = 0;
        for (int i = 0; i < 100; i++) {
            t += 100_000;
            flood.received(t, 9); // 90 000 frames/s
            assertThat(flood.isOn()).isFalse();
        }
    }

    @Test
    void sleeping_ends_the_flood_and_starts_a_new_window() {
        flood.received(1_000_000, 500);
        assertThat(flood.isOn()).isTrue();
        flood.slept(1_100_000);
        assertThat(flood.isOn()).isFalse();
        flood.received(1_200_000, 90); // a burst right after the sleep: the window has not ended yet
        assertThat(flood.isOn()).isFalse();
        flood.received(2_100_000, 20); // 110 frames in the 1 ms after the sleep
        assertThat(flood.isOn()).isTrue();
    }

    @Test
    void a_window_that_ends_late_is_judged_by_its_rate() {
        flood.received(5_000_000, 300); // preempted: 300 frames over 5 ms is 60 000 frames/s
        assertThat(flood.isOn()).isFalse();
    }
}
