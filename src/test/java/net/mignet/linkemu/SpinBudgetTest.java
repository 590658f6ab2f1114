package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpinBudgetTest {

    @Test
    void empty_polls_use_up_the_budget_which_refills_at_its_share_of_wall_time() {
        SpinBudget b = new SpinBudget(10, 1_000, 0);
        long t = 0;
        assertThat(b.allows(t)).isTrue();
        b.empty(t);
        t += 600;
        assertThat(b.allows(t)).isTrue(); // 1 000 + 60 refilled, capped at 1 000
        b.empty(t); // charged 600
        t += 500;
        assertThat(b.allows(t)).isTrue(); // 400 + 50
        b.empty(t); // charged 500: -50
        assertThat(b.allows(t)).isFalse();
        b.endRun();
        t += 1_000; // asleep: +100, nothing charged
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
    void a_full_share_always_allows() {
        SpinBudget b = new SpinBudget(100, 0, 0);
        b.empty(0);
        b.empty(1_000_000);
        assertThat(b.allows(1_000_000)).isTrue();
    }
}
