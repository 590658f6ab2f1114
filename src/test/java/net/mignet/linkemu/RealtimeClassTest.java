package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.mignet.kernel.ThreadScheduling;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.ThreadSchedulingState;
import org.junit.jupiter.api.Test;

/** The engine thread's class as the kernel shows it, for each {@link EnginePriority}. */
class RealtimeClassTest {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;
    private static final int NICE_MINUS_10 = 110;
    private final List<String> log = new ArrayList<>();

    @Test
    void realTimeUntilAFloodAndAgainOnlyAfterALongSleep() throws Throwable {
        List<ThreadSchedulingState> seen = onOwnThread(() -> {
            List<ThreadSchedulingState> states = new ArrayList<>();
            RealtimeClass s = new RealtimeClass(EnginePriority.REALTIME_WHILE_SPARSE, log::add);
            s.start();
            if (s.refused()) {
                return List.of();
            }
            states.add(ThreadSchedulingState.ofThisThread());
            s.flooded(false);
            states.add(ThreadSchedulingState.ofThisThread());
            s.flooded(true);
            states.add(ThreadSchedulingState.ofThisThread());
            s.waited(RealtimeClass.SPARSE_AGAIN_NANOS - 1); // a sender's pause within the flood
            s.flooded(false);
            states.add(ThreadSchedulingState.ofThisThread());
            s.waited(RealtimeClass.SPARSE_AGAIN_NANOS);
            states.add(ThreadSchedulingState.ofThisThread());
            return states;
        });
        KernelAssumptions.assumeMachineState(!seen.isEmpty(), "this process may not use SCHED_FIFO " + log);
        assertThat(seen).extracting(ThreadSchedulingState::policy)
                .containsExactly(SCHED_FIFO, SCHED_FIFO, SCHED_OTHER, SCHED_OTHER, SCHED_FIFO);
        assertThat(seen.get(2).prio()).isEqualTo(NICE_MINUS_10);
    }

    @Test
    void alwaysRealTimeStaysSoThroughAFlood() throws Throwable {
        List<ThreadSchedulingState> seen = onOwnThread(() -> {
            RealtimeClass s = new RealtimeClass(EnginePriority.REALTIME, log::add);
            s.start();
            if (s.refused()) {
                return List.of();
            }
            ThreadSchedulingState started = ThreadSchedulingState.ofThisThread();
            s.flooded(true);
            return List.of(started, ThreadSchedulingState.ofThisThread());
        });
        KernelAssumptions.assumeMachineState(!seen.isEmpty(), "this process may not use SCHED_FIFO " + log);
        assertThat(seen).extracting(ThreadSchedulingState::policy).containsExactly(SCHED_FIFO, SCHED_FIFO);
    }

    @Test
    void leavesTheThreadAloneAtNice() throws Throwable {
        List<ThreadSchedulingState> seen = onOwnThread(() -> {
            ThreadSchedulingState before = ThreadSchedulingState.ofThisThread();
            RealtimeClass s = new RealtimeClass(EnginePriority.NICE, log::add);
            s.start();
            s.flooded(true);
            s.waited(RealtimeClass.SPARSE_AGAIN_NANOS);
            return List.of(before, ThreadSchedulingState.ofThisThread());
        });
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
        assertThat(seen.get(1).policy()).isEqualTo(ThreadScheduling.SCHED_OTHER);
        assertThat(log).isEmpty();
    }

    private interface Body {
        List<ThreadSchedulingState> run() throws Exception;
    }

    /** On a thread of its own, so the test runner's thread keeps its class whatever happens. */
    private static List<ThreadSchedulingState> onOwnThread(Body body) throws Throwable {
        AtomicReference<List<ThreadSchedulingState>> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.set(body.run());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }
}
