package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

class CpuWakeLatencyTest {
    @Test
    void aRequestHoldsUntilClosed() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeKernelModule("CPU latency QoS (/dev/cpu_dma_latency)",
                CpuWakeLatency.DEVICE);
        int before = CpuWakeLatency.currentLimitMicros();
        // Another process may hold a stricter request; then this one cannot show, and the test says so.
        KernelAssumptions.assumeMachineState(before > 7,
                "another process already asks for wake-ups within " + before + " us");
        try (CpuWakeLatency held = CpuWakeLatency.request(7)) {
            assertThat(CpuWakeLatency.currentLimitMicros()).isEqualTo(7);
        }
        assertThat(CpuWakeLatency.currentLimitMicros()).isEqualTo(before);
    }

    @Test
    void aNegativeLatencyIsRefused() {
        assertThatThrownBy(() -> CpuWakeLatency.request(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
