package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DueTimeHistogramTest {
    @Test
    void quantiles_are_within_three_percent_from_nanoseconds_to_seconds() {
        for (long scale : new long[] {1_000, 1_000_000, 1_000_000_000}) {
            DueTimeHistogram h = new DueTimeHistogram();
            for (long i = 1; i <= 10_000; i++) {
                h.record(i * scale / 100); // uniform over (0, 100 x scale]
            }
            assertThat(h.count()).isEqualTo(10_000);
            assertThat((double) h.quantile(0.50)).isCloseTo(50.0 * scale, within(0.03 * 50 * scale));
            assertThat((double) h.quantile(0.99)).isCloseTo(99.0 * scale, within(0.03 * 99 * scale));
        }
    }

    @Test
    void small_values_are_exact_and_negative_ones_count_as_zero() {
        DueTimeHistogram h = new DueTimeHistogram();
        h.record(-5);
        h.record(3);
        h.record(7);
        assertThat(h.quantile(0.0)).isZero();
        assertThat(h.quantile(0.5)).isEqualTo(3);
        assertThat(h.quantile(1.0)).isEqualTo(7);
    }

    @Test
    void a_tail_shows_in_p99_not_in_p50_and_reset_forgets_it() {
        DueTimeHistogram h = new DueTimeHistogram();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            h.record(i % 50 == 0 ? 5_000_000 + random.nextInt(1000) : 8_000 + random.nextInt(1000));
        }
        DueTimeError e = h.snapshot();
        assertThat(e.p50Nanos()).isBetween(7_700L, 9_300L);
        assertThat(e.p99Nanos()).isBetween(4_800_000L, 5_200_000L);
        assertThat(e.toString()).isEqualTo("late p50 " + String.format(java.util.Locale.ROOT, "%.1fus",
                e.p50Nanos() / 1e3) + " p99 " + Math.round(e.p99Nanos() / 1e3) + "us");
        h.reset();
        assertThat(h.snapshot()).isEqualTo(DueTimeError.NONE);
        assertThat(h.snapshot().toString()).isEqualTo("late -");
    }

    @Test
    void buckets_grow_with_the_value_and_their_middles_fall_inside_them() {
        int previous = -1;
        for (long v = 0; v < 1L << 40; v = v < 64 ? v + 1 : v + v / 7) {
            int b = DueTimeHistogram.bucket(v);
            assertThat(b).isGreaterThanOrEqualTo(previous);
            assertThat(DueTimeHistogram.bucket(DueTimeHistogram.middle(b))).isEqualTo(b);
            previous = b;
        }
    }
}
