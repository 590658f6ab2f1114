package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {

    private static Frame frame(long releaseAt, int tag) {
        Frame f = new Frame(MemorySegment.NULL);
        f.releaseAt = releaseAt;
        f.length = tag;
        return f;
    }

    @Test
    void frames_leave_by_release_time_and_equal_times_in_arrival_order() {
        TimerQueue q = new TimerQueue();
        q.add(frame(30, 1));
        q.add(frame(10, 2));
        q.add(frame(20, 3));
        q.add(frame(10, 4));
        q.add(frame(10, 5));
        assertThat(q.nextRelease()).isEqualTo(10);

        assertThat(q.pollDue(9)).isNull();
        List<Integer> out = new ArrayList<>();
        Frame f;
        while ((f = q.pollDue(20)) != null) {
            out.add(f.length);
        }
        assertThat(out).containsExactly(2, 4, 5, 3);
        assertThat(q.nextRelease()).isEqualTo(30);
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.pollDue(100).length).isEqualTo(1);
        assertThat(q.nextRelease()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void many_frames_with_non_decreasing_times_leave_in_order() {
        TimerQueue q = new TimerQueue();
        for (int i = 0; i < 10_000; i++) {
            q.add(frame(i / 100, i));
        }
        int expected = 0;
        Frame f;
        while ((f = q.pollDue(Long.MAX_VALUE - 1)) != null) {
            assertThat(f.length).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(10_000);
    }
}
