package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientObservationTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant ms(double millis) {
        return T0.plusNanos(Math.round(millis * 1e6));
    }

    @Test
    void downtime_is_the_longest_extra_wait_beyond_the_usual_round_trip() {
        List<ClientObservation.Reply> replies = new ArrayList<>();
        long seq = 1;
        for (int i = 0; i < 10; i++) { // before: every 10 ms, 2 ms round trips
            replies.add(new ClientObservation.Reply(seq, seq, ms(i * 10), ms(i * 10 + 2), 0));
            seq++;
        }
        // The migration runs 100..110 ms: one request waits 9 ms with a retry, the next 3 ms.
        replies.add(new ClientObservation.Reply(seq, seq, ms(100), ms(109), 1));
        seq++;
        replies.add(new ClientObservation.Reply(seq, seq, ms(110), ms(113), 0));
        seq++;
        replies.add(new ClientObservation.Reply(seq, seq, ms(200), ms(202), 0)); // after, untouched
        ClientObservation o = ClientObservation.compute(replies, ms(100), ms(110));
        assertThat(o.usualRtt()).isEqualTo(Duration.ofMillis(2));
        assertThat(o.downtime()).isEqualTo(Duration.ofMillis(7));
        assertThat(o.retries()).isEqualTo(1);
        assertThat(o.requests()).isEqualTo(2);
        assertThat(o.largestGap()).as("92 ms -> 109 ms").isEqualTo(Duration.ofMillis(17));
    }
}
