package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.mignet.topo.GilbertElliott;
import net.mignet.topo.JitterDistribution;
import net.mignet.topo.LinkParams;
import org.junit.jupiter.api.Test;

class ImpairmentTest {
    private static final long MS = 1_000_000L;

    @Test
    void release_time_is_arrival_plus_delay() {
        Impairment im = new Impairment(LinkParams.NONE.withDelay(Duration.ofMillis(5)), 1);
        assertThat(im.releaseTime(1000 * MS)).isEqualTo(1005 * MS);
        assertThat(im.releaseTime(1001 * MS)).isEqualTo(1006 * MS);
    }

    @Test
    void jitter_without_reorder_never_releases_a_frame_before_its_predecessor() {
        Impairment im = new Impairment(LinkParams.NONE.withDelay(Duration.ofMillis(10))
                .withJitter(Duration.ofMillis(5)), 7);
        long previous = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long now = i * 10_000L; // a frame every 10 us: jitter would reorder most of them
            long release = im.releaseTime(now);
            assertThat(release).isGreaterThanOrEqualTo(previous);
            previous = release;
            min = Math.min(min, release - now);
            max = Math.max(max, release - now);
        }
        assertThat(min).isGreaterThanOrEqualTo(5 * MS);
        assertThat(max).isGreaterThan(14 * MS);
    }

    @Test
    void jitter_with_reorder_lets_frames_overtake_and_sends_the_reorder_share_at_once() {
        Impairment im = new Impairment(LinkParams.NONE.withDelay(Duration.ofMillis(10))
                .withJitter(Duration.ofMillis(5)).withReorder(25.0), 7);
        int overtaking = 0;
        int immediate = 0;
        long previous = Long.MIN_VALUE;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            long now = i * 10_000L;
            long release = im.releaseTime(now);
            if (release < previous) {
                overtaking++;
            }
            if (release == now) {
                immediate++;
            }
            previous = release;
        }
        assertThat(overtaking).isGreaterThan(n / 10);
        assertThat(immediate).isBetween((int) (n * 0.22), (int) (n * 0.28));
    }

    @Test
    void normal_jitter_has_the_jitter_as_standard_deviation() {
        Impairment im = new Impairment(LinkParams.NONE.withDelay(Duration.ofMillis(20))
                .withJitter(Duration.ofMillis(2)).withJitterDistribution(JitterDistribution.NORMAL), 3);
        // Frames far apart, so the ordering clamp never applies and the raw distribution shows.
        double sum = 0;
        double sumSq = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long now = i * 100 * MS;
            double d = (im.releaseTime(now) - now) / (double) MS;
            sum += d;
            sumSq += d * d;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        assertThat(mean).isBetween(19.9, 20.1);
        assertThat(sd).isBetween(1.9, 2.1);
    }

    @Test
    void random_loss_matches_the_configured_share_and_is_repeatable_for_a_seed() {
        LinkParams p = LinkParams.NONE.withLoss(10.0);
        Impairment a = new Impairment(p, 42);
        Impairment b = new Impairment(p, 42);
        int lost = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            boolean l = a.lose();
            assertThat(b.lose()).isEqualTo(l);
            lost += l ? 1 : 0;
        }
        assertThat(lost).isBetween(9_600, 10_400);
    }

    @Test
    void gilbert_elliott_loss_comes_in_bursts_at_the_stationary_rate() {
        // p=1 %, r=10 %, all lost in bad, none in good: stationary bad share p/(p+r) = 9.1 %, mean burst 10.
        Impairment im = new Impairment(LinkParams.NONE.withLossModel(new GilbertElliott(1, 10, 100, 0)), 5);
        int n = 200_000;
        int lost = 0;
        int bursts = 0;
        boolean previous = false;
        for (int i = 0; i < n; i++) {
            boolean l = im.lose();
            if (l) {
                lost++;
                if (!previous) {
                    bursts++;
                }
            }
            previous = l;
        }
        double share = lost / (double) n;
        double meanBurst = lost / (double) bursts;
        assertThat(share).isBetween(0.08, 0.10);
        assertThat(meanBurst).isBetween(8.0, 12.0);
    }

    @Test
    void duplicate_and_corrupt_follow_their_shares() {
        Impairment im = new Impairment(LinkParams.NONE.withDuplicate(20.0).withCorrupt(5.0), 9);
        int dup = 0;
        int bad = 0;
        for (int i = 0; i < 100_000; i++) {
            dup += im.duplicate() ? 1 : 0;
            bad += im.corrupt() ? 1 : 0;
        }
        assertThat(dup).isBetween(19_500, 20_500);
        assertThat(bad).isBetween(4_700, 5_300);
    }

    @Test
    void new_parameters_apply_to_the_next_frame_without_releasing_earlier_than_held_frames() {
        Impairment im = new Impairment(LinkParams.NONE.withDelay(Duration.ofMillis(100)), 1);
        long first = im.releaseTime(0);
        im.update(LinkParams.NONE.withDelay(Duration.ofMillis(1)));
        // Lowering the delay must not let the next frame overtake one still held.
        assertThat(im.releaseTime(MS)).isEqualTo(first);
        assertThat(im.releaseTime(200 * MS)).isEqualTo(201 * MS);
        assertThat(im.queueLimit()).isEqualTo(LinkParams.DEFAULT_QUEUE_LIMIT);
    }
}
