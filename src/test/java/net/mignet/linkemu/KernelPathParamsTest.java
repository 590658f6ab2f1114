package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.mignet.topo.GilbertElliott;
import net.mignet.topo.LinkParams;
import org.junit.jupiter.api.Test;

class KernelPathParamsTest {
    @Test
    void loss_rates_limits_and_zero_delays_hold_nothing() {
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE)).isTrue();
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withLoss(5.0).withQueueLimit(10)
                .withDelay(Duration.ZERO))).isTrue();
        assertThat(KernelPathParams.lossFraction(LinkParams.NONE.withLoss(5.0))).isEqualTo(0.05);
        assertThat(KernelPathParams.lossFraction(LinkParams.NONE)).isZero();
    }

    @Test
    void anything_held_or_decided_with_state_needs_the_engine() {
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withDelay(Duration.ofNanos(1)))).isFalse();
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withJitter(Duration.ofMillis(1)))).isFalse();
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withDuplicate(1.0))).isFalse();
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withCorrupt(1.0))).isFalse();
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withReorder(1.0))).isFalse();
        assertThat(KernelPathParams.holdsNothing(LinkParams.NONE.withLossModel(new GilbertElliott(1, 10, 70, 0.1))))
                .isFalse();
    }
}
