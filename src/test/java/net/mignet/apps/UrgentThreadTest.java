package net.mignet.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import net.mignet.testing.ThreadSchedulingState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The handover threads' urgency: raised for a stretch, as the kernel shows it, and put back exactly. */
class UrgentThreadTest {

    @Test
    void raises_the_calling_thread_only_and_puts_it_back() throws Exception {
        // On a thread of its own: the test runner's thread is left alone whatever happens.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> kind = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                ThreadSchedulingState before = ThreadSchedulingState.ofThisThread();
                try (UrgentThread urgent = UrgentThread.raise()) {
                    kind.set(urgent.kind());
                    ThreadSchedulingState during = ThreadSchedulingState.ofThisThread();
                    switch (urgent.kind()) {
                        case "realtime" -> assertThat(during.policy()).isEqualTo(1); // SCHED_FIFO
                        case "nice" -> assertThat(during.prio()).isEqualTo(100); // nice -20
                        default -> assertThat(during).isEqualTo(before);
                    }
                }
                assertThat(ThreadSchedulingState.ofThisThread()).isEqualTo(before);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        Assumptions.assumeFalse("none".equals(kind.get()), "this process may not raise a thread's priority"
                + " (no CAP_SYS_NICE): the handover's threads run as ordinary ones here");
    }

    @Test
    void must_be_put_back_by_the_thread_it_raised() throws Exception {
        AtomicReference<UrgentThread> raised = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> raised.set(UrgentThread.raise()));
        t.join();
        Assumptions.assumeFalse("none".equals(raised.get().kind()), "this process may not raise a thread's"
                + " priority (no CAP_SYS_NICE)");
        assertThatThrownBy(() -> raised.get().close()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("by itself");
    }
}
