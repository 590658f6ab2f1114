package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PollYieldTest {
    /** A clock that a yield moves forward by as long as the test says another process ran. */
    private long now = 1_000_000_000L;
    private long nextYieldTakes;
    private int yields;

    private PollYield pollYield() {
        return new PollYield(() -> now, () -> {
            yields++;
            now += nextYieldTakes;
        });
    }

    private static final long LONG = PollYield.LONG_YIELD_NANOS + 1;

    @Test
    void keepsPollingWhileYieldsComeBackSoon() {
        PollYield p = pollYield();
        nextYieldTakes = 25_000; // a woken echo responder's turn
        for (int i = 0; i < 100; i++) {
            p.betweenPolls(false);
            p.looked(false);
        }
        assertThat(yields).isEqualTo(100);
        assertThat(p.skipsPolls(false, now)).isFalse();
    }

    @Test
    void skipsPollsAfterALongYieldThatNoFrameFollowed() {
        PollYield p = pollYield();
        nextYieldTakes = LONG;
        p.betweenPolls(false);
        assertThat(p.skipsPolls(false, now)).as("not judged before the next look").isFalse();
        p.looked(false);
        assertThat(p.skipsPolls(false, now)).isTrue();
        assertThat(p.skipsPolls(true, now)).as("a flooded thread polls").isFalse();
        assertThat(p.skipsPolls(false, now + PollYield.SKIP_POLLS_NANOS - 1)).isTrue();
        assertThat(p.skipsPolls(false, now + PollYield.SKIP_POLLS_NANOS)).as("then tries again").isFalse();
    }

    @Test
    void aLongYieldThatAFrameFollowedWasAFlowsSender() {
        PollYield p = pollYield();
        nextYieldTakes = 2 * LONG;
        for (int i = 0; i < 10; i++) {
            p.betweenPolls(false);
            p.looked(true);
        }
        assertThat(p.skipsPolls(false, now)).isFalse();
    }

    @Test
    void onlyTheLookRightAfterALongYieldJudgesIt() {
        PollYield p = pollYield();
        nextYieldTakes = LONG;
        p.betweenPolls(false);
        p.looked(true);
        p.looked(false); // a later empty look: the yield was already judged
        assertThat(p.skipsPolls(false, now)).isFalse();
    }

    @Test
    void longYieldsWhileFloodedCountForNothing() {
        PollYield p = pollYield();
        nextYieldTakes = 10 * LONG; // the flood's receiver took its slice
        for (int i = 0; i < 10; i++) {
            p.betweenPolls(true);
            p.looked(false);
        }
        assertThat(yields).isEqualTo(10);
        assertThat(p.skipsPolls(false, now)).isFalse();
    }

    @Test
    void aYieldOfExactlyTheLimitIsNotLong() {
        PollYield p = pollYield();
        nextYieldTakes = PollYield.LONG_YIELD_NANOS;
        p.betweenPolls(false);
        p.looked(false);
        assertThat(p.skipsPolls(false, now)).isFalse();
    }
}
