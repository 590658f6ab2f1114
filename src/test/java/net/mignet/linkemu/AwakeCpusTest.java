package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.mignet.kernel.CpuWakeLatency;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

class AwakeCpusTest {
    private static final long SECOND = 1_000_000_000L;
    private final List<String> log = new ArrayList<>();

    /** Skips unless the kernel takes requests and nothing else asks for 0 us already (then none can show). */
    private static void assumeNoOtherRequest() throws java.io.IOException {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeKernelModule("CPU latency QoS (/dev/cpu_dma_latency)",
                java.nio.file.Path.of("/dev/cpu_dma_latency"));
        KernelAssumptions.assumeMachineState(CpuWakeLatency.currentLimitMicros() > 0,
                "another process already keeps the CPUs awake (CPU latency QoS 0 us)");
    }

    @Test
    void theStartUpLineSaysWhetherIdleCpusCanBeKeptAwake() {
        assertThat(AwakeCpus.startupNote(true, java.util.Optional.of("haltpoll")))
                .contains("kept from halting").contains("haltpoll");
        assertThat(AwakeCpus.startupNote(false, java.util.Optional.of("haltpoll"))).isEmpty();
        assertThat(AwakeCpus.startupNote(false, java.util.Optional.empty())).contains("no cpuidle driver")
                .doesNotContain("kept from halting");
        assertThat(AwakeCpus.startupNote(true, java.util.Optional.empty())).contains("halt anyway");
    }

    @Test
    void holdsWhileFramesComeAndLetsGoAfterTheHold() throws Exception {
        assumeNoOtherRequest();
        try (AwakeCpus awake = new AwakeCpus(true, log::add)) {
            long frameAt = 100 * SECOND;
            awake.update(frameAt - AwakeCpus.HOLD_NANOS, frameAt);
            assertThat(awake.isHeld()).as("a frame as old as the hold").isFalse();
            assertThat(awake.idleWaitNanos(frameAt - AwakeCpus.HOLD_NANOS, frameAt)).isEqualTo(Long.MAX_VALUE);

            awake.update(frameAt, frameAt + 1);
            assertThat(awake.isHeld()).isTrue();
            assertThat(CpuWakeLatency.currentLimitMicros()).isZero();
            assertThat(awake.idleWaitNanos(frameAt, frameAt + SECOND)).isEqualTo(AwakeCpus.HOLD_NANOS - SECOND);

            awake.update(frameAt, frameAt + AwakeCpus.HOLD_NANOS);
            assertThat(awake.isHeld()).isFalse();
            assertThat(CpuWakeLatency.currentLimitMicros()).isPositive();
        }
        assertThat(log).isEmpty();
    }

    @Test
    void neverHoldsWhenNotWanted() {
        try (AwakeCpus awake = new AwakeCpus(false, log::add)) {
            awake.update(5, 6);
            assertThat(awake.isHeld()).isFalse();
            assertThat(awake.idleWaitNanos(5, 6)).isEqualTo(Long.MAX_VALUE);
        }
        assertThat(log).isEmpty();
    }

    @Test
    void aRefusedRequestIsNotRetriedAndTheThreadGoesOn() {
        int[] attempts = {0};
        try (AwakeCpus awake = new AwakeCpus(true, log::add, micros -> {
            attempts[0]++;
            throw new java.io.IOException("/dev/cpu_dma_latency: No such file or directory");
        })) {
            awake.update(10, 11);
            awake.update(20, 21);
            assertThat(awake.isHeld()).isFalse();
            assertThat(awake.idleWaitNanos(20, 21)).isEqualTo(Long.MAX_VALUE);
        }
        assertThat(attempts[0]).isEqualTo(1);
        // Said once per process: another test may have said it already.
        assertThat(log).hasSizeLessThanOrEqualTo(1)
                .allSatisfy(line -> assertThat(line).contains("cannot keep idle CPUs awake", "No such file"));
    }

    @Test
    void closingEndsTheRequest() throws Exception {
        assumeNoOtherRequest();
        AwakeCpus awake = new AwakeCpus(true, log::add);
        try {
            awake.update(10, 11);
            assertThat(CpuWakeLatency.currentLimitMicros()).isZero();
        } finally {
            awake.close();
        }
        assertThat(awake.isHeld()).isFalse();
        assertThat(CpuWakeLatency.currentLimitMicros()).isPositive();
    }
}
