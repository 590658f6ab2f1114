package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpinBudgetTest {

    @Test
    void empty_polls_use_up_the_budget_which_refills_at_its_share_of_wall_time() {
        SpinBudget b = new SpinBudget(10, 1_000_000, 0);
        long t = 0;
        int polls = 0;
        while (b.allows(t)) { // each poll 10 us after the previous: 10 us charged, 1 us refilled
            b.empty(t);
            t += 10_000;
            polls++;
        }
        assertThat(polls).isBetween(105, 115); // 1 ms saved up / 9 us net per poll
        b.endRun();
        t += 1_000_000; // asleep: 0.1 ms refilled, nothing charged
        assertThat(b.allows(t)).isTrue();
    }

    @Test
    void polls_that_find_work_are_not_charged() {
        SpinBudget b = new SpinBudget(10, 1_000, 0);
        for (long t = 0; t < 100_000; t += 100) {
            assertThat(b.allows(t)).isTrue();
            b.endRun(); // found frames
        }
    }

    @Test
    void a_long_gap_between_empty_polls_is_preemption_and_charged_only_up_to_a_step() {
        SpinBudget b = new SpinBudget(0, 100_000, 0);
        b.empty(0);
        b.empty(5_000_000); // preempted for 5 ms: charged 20 us
        assertThat(b.allows(5_000_000)).isTrue();
    }

    @Test
    void a_full_share_always_allows() {
        SpinBudget b = new SpinBudget(100, 0, 0);
        b.empty(0);
        b.empty(1_000_000);
        assertThat(b.allows(1_000_000)).isTrue();
    }
}
