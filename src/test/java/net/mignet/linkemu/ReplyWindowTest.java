package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplyWindowTest {

    @Test
    void polls_for_the_first_reply_up_to_the_cap_then_as_long_as_replies_took_with_a_margin() {
        ReplyWindow w = new ReplyWindow(500_000);
        assertThat(w.nanos()).isEqualTo(500_000);
        w.answered(150_000);
        w.answered(200_000);
        w.answered(180_000);
        assertThat(w.nanos()).isEqualTo(200_000 + ReplyWindow.MARGIN_NANOS);
    }

    @Test
    void never_longer_than_the_cap() {
        ReplyWindow w = new ReplyWindow(100_000);
        w.answered(95_000);
        assertThat(w.nanos()).isEqualTo(100_000);
    }

    @Test
    void stops_polling_while_most_sends_go_unanswered_and_starts_again_when_replies_come_back() {
        ReplyWindow w = new ReplyWindow(500_000);
        w.unanswered();
        assertThat(w.nanos()).isZero();
        for (int i = 0; i < ReplyWindow.SAMPLES; i++) {
            w.unanswered();
        }
        assertThat(w.nanos()).isZero();
        for (int i = 0; i < ReplyWindow.SAMPLES / 2; i++) {
            w.answered(100_000);
        }
        assertThat(w.nanos()).isEqualTo(100_000 + ReplyWindow.MARGIN_NANOS);
    }

    @Test
    void a_cap_of_zero_never_polls() {
        ReplyWindow w = new ReplyWindow(0);
        w.answered(10_000);
        assertThat(w.nanos()).isZero();
    }
}
