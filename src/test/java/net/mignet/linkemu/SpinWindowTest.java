package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpinWindowTest {

    @Test
    void starts_at_the_configured_window_then_covers_the_latest_sleeps_lateness_with_a_margin() {
        SpinWindow w = new SpinWindow(300_000);
        assertThat(w.nanos()).isEqualTo(300_000);
        w.sleptLate(100_000);
        w.sleptLate(150_000);
        w.sleptLate(80_000);
        assertThat(w.nanos()).isEqualTo(150_000 + SpinWindow.MARGIN_NANOS);
    }

    @Test
    void the_odd_sleep_far_later_than_the_rest_does_not_hold_the_window_open() {
        SpinWindow w = new SpinWindow(300_000);
        for (int i = 0; i < SpinWindow.SAMPLES - 2; i++) {
            w.sleptLate(100_000 + i * 1_000);
        }
        w.sleptLate(5_000_000);
        w.sleptLate(120_000);
        assertThat(w.nanos()).isBetween(120_000 + SpinWindow.MARGIN_NANOS, 130_000 + SpinWindow.MARGIN_NANOS);
    }

    @Test
    void an_old_late_sleep_stops_counting_once_enough_newer_ones_came() {
        SpinWindow w = new SpinWindow(300_000);
        w.sleptLate(500_000);
        assertThat(w.nanos()).isEqualTo(500_000 + SpinWindow.MARGIN_NANOS);
        for (int i = 0; i < SpinWindow.SAMPLES; i++) {
            w.sleptLate(100_000);
        }
        assertThat(w.nanos()).isEqualTo(100_000 + SpinWindow.MARGIN_NANOS);
    }

    @Test
    void stays_between_a_sixth_and_twice_the_configured_window() {
        SpinWindow w = new SpinWindow(300_000);
        w.sleptLate(-5_000); // ended early: counts as on time
        assertThat(w.nanos()).isEqualTo(50_000);
        w.sleptLate(50_000_000); // preempted for 50 ms on a busy machine
        assertThat(w.nanos()).isEqualTo(600_000);
    }

    @Test
    void a_zero_window_never_polls() {
        SpinWindow w = new SpinWindow(0);
        w.sleptLate(200_000);
        assertThat(w.nanos()).isZero();
    }
}
