package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void onlyARealCpuidleDriverCanHonourARequest(@TempDir Path dir) throws Exception {
        Path driver = dir.resolve("current_driver");
        assertThat(CpuWakeLatency.idleDriver(driver)).as("no cpuidle at all").isEmpty();
        Files.writeString(driver, "none\n");
        assertThat(CpuWakeLatency.idleDriver(driver)).isEmpty();
        Files.writeString(driver, "haltpoll\n");
        assertThat(CpuWakeLatency.idleDriver(driver)).contains("haltpoll");
    }

    @Test
    void aNegativeLatencyIsRefused() {
        assertThatThrownBy(() -> CpuWakeLatency.request(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
