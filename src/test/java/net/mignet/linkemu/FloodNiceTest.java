package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloodNiceTest {
    private final List<Integer> set = new ArrayList<>();
    private final FloodNice nice = new FloodNice(n -> set.add(n), 0);

    @Test
    void a_thread_receiving_over_the_rate_drops_to_nice_0_and_back_when_the_rate_falls() {
        long t = 0;
        for (int i = 0; i < 20; i++) { // 12 frames every 0.1 ms: 120 000 frames/s
            t += 100_000;
            nice.received(t, 12);
        }
        assertThat(set).containsExactly(0);
        assertThat(nice.isFair()).isTrue();
        for (int i = 0; i < 20; i++) { // 2 frames every 0.1 ms: 20 000 frames/s, a TCP flow's rate
            t += 100_000;
            nice.received(t, 2);
        }
        assertThat(set).containsExactly(0, LoopMailbox.LOOP_NICE);
        assertThat(nice.isFair()).isFalse();
    }

    @Test
    void a_thread_below_the_rate_keeps_its_nice_value_and_changes_nothing() {
        long t = 0;
        for (int i = 0; i < 100; i++) {
            t += 100_000;
            nice.received(t, 9); // 90 000 frames/s
        }
        assertThat(set).isEmpty();
    }

    @Test
    void sleeping_ends_the_fair_share_and_starts_a_new_window() {
        nice.received(1_000_000, 500);
        assertThat(set).containsExactly(0);
        nice.slept(1_100_000);
        assertThat(set).containsExactly(0, LoopMailbox.LOOP_NICE);
        nice.received(1_200_000, 90); // a burst right after the sleep: the window has not ended yet
        assertThat(set).containsExactly(0, LoopMailbox.LOOP_NICE);
    }

    @Test
    void a_window_that_ends_late_is_judged_by_its_rate() {
        nice.received(5_000_000, 300); // preempted: 300 frames over 5 ms is 60 000 frames/s
        assertThat(set).isEmpty();
    }
}
