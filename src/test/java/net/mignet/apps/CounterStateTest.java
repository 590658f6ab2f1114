package net.mignet.apps;

import net.mignet.app.AppEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CounterStateTest {

    private static CounterProtocol.Request req(String client, long seq) {
        return new CounterProtocol.Request(client, seq);
    }

    @Test
    void plain_requests_always_count_as_the_original_did() {
        CounterState s = new CounterState();
        CounterProtocol.Request plain = CounterProtocol.parseRequest("Show me the counter, please!");
        assertThat(s.answer(plain)).isEqualTo("1");
        assertThat(s.answer(plain)).isEqualTo("2");
    }

    @Test
    void a_retried_request_is_answered_from_the_cache_not_counted_again() {
        CounterState s = new CounterState();
        assertThat(s.answer(req("c1", 1))).isEqualTo("1 [c1:1]");
        assertThat(s.answer(req("c1", 1))).isEqualTo("1 [c1:1]");
        assertThat(s.answer(req("c2", 1))).isEqualTo("2 [c2:1]");
        assertThat(s.answer(req("c1", 2))).isEqualTo("3 [c1:2]");
        assertThat(s.answer(req("c1", 1))).as("stale duplicate").isNull();
        assertThat(s.counter()).isEqualTo(3);
    }

    @Test
    void the_state_survives_encoding_with_its_reply_cache() throws IOException {
        CounterState s = new CounterState();
        s.answer(req("c1", 1));
        s.answer(req("c1", 2));
        CounterState copy = CounterState.decode(s.encode());
        assertThat(copy.counter()).isEqualTo(2);
        assertThat(copy.answer(req("c1", 2))).as("a retry reaching the successor").isEqualTo("2 [c1:2]");
        assertThat(copy.answer(req("c1", 3))).isEqualTo("3 [c1:3]");
    }

    @Test
    void truncated_or_padded_state_is_refused() {
        CounterState s = new CounterState();
        s.answer(req("c1", 1));
        byte[] bytes = s.encode();
        assertThatThrownBy(() -> CounterState.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CounterState.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void protocol_round_trip() {
        CounterProtocol.Request r = CounterProtocol.parseRequest(req("c-7", 42).encode());
        assertThat(r).isEqualTo(req("c-7", 42));
        assertThat(CounterProtocol.parseReply("9 [c-7:42]")).isEqualTo(new CounterProtocol.Reply(9, "c-7", 42));
        assertThat(CounterProtocol.parseReply("9")).isEqualTo(new CounterProtocol.Reply(9, null, 0));
        assertThat(CounterProtocol.parseRequest("Show me the money [c1:1]")).isNull();
        assertThat(CounterProtocol.parseReply("nine")).isNull();
    }

    @Test
    void the_retry_timer_follows_the_round_trip_and_backs_off() {
        RetryTimer t = new RetryTimer(Duration.ofMillis(2), Duration.ofSeconds(1), Duration.ofMillis(200));
        assertThat(t.timeout()).isEqualTo(Duration.ofMillis(200));
        for (int i = 0; i < 50; i++) {
            t.sample(Duration.ofMillis(20));
        }
        assertThat(t.timeout()).isBetween(Duration.ofMillis(20), Duration.ofMillis(25));
        t.backOff();
        assertThat(t.timeout()).isBetween(Duration.ofMillis(40), Duration.ofMillis(50));
        for (int i = 0; i < 20; i++) {
            t.backOff();
        }
        assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(1));
        t.sample(Duration.ofNanos(10_000));
        assertThat(t.timeout()).isGreaterThanOrEqualTo(Duration.ofMillis(2));
    }

    @Test
    void events_parse_back() {
        AppEvents.Event e = AppEvents.parse("@mignet event=reply seq=4 sent=17 replied=19 retries=0");
        assertThat(e.name()).isEqualTo("reply");
        assertThat(e.longField("seq")).isEqualTo(4);
        assertThat(AppEvents.parse("Current counter: 4")).isNull();
        assertThat(AppEvents.instant(AppEvents.epochNanos(java.time.Instant.parse("2020-06-16T19:42:01.159265128Z"))))
                .isEqualTo(java.time.Instant.parse("2020-06-16T19:42:01.159265128Z"));
    }
}
