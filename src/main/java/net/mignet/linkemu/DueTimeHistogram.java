package net.mignet.linkemu;

/**
 * How late the engine sent frames against their due time, as a log-linear histogram: 16 buckets per power of two
 * (each about 6 % wide), so p50 and p99 are known within 3 % from 0 ns to hours, in a fixed 8 KB and without
 * allocating per frame. Used by one loop thread only.
 */
final class DueTimeHistogram {
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (63 - SUB_BITS + 1) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;

    /** Records a frame sent {@code lateNanos} after its due time (negative counts as 0). */
    void record(long lateNanos) {
        counts[bucket(Math.max(0, lateNanos))]++;
        total++;
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
    }

    long count() {
        return total;
    }

    /** The value below which a share {@code q} (0..1) of the recorded frames lie, in ns; 0 when none. */
    long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return middle(i);
            }
        }
        return middle(BUCKETS - 1);
    }

    DueTimeError snapshot() {
        return new DueTimeError(quantile(0.50), quantile(0.99), total);
    }

    static int bucket(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exponent - SUB_BITS)) & (SUB - 1);
        return (exponent - SUB_BITS + 1) * SUB + sub;
    }

    /** The middle of bucket {@code i}'s range of values. */
    static long middle(int i) {
        if (i < SUB) {
            return i;
        }
        int exponent = i / SUB + SUB_BITS - 1;
        long low = (long) (SUB + i % SUB) << (exponent - SUB_BITS);
        long width = 1L << (exponent - SUB_BITS);
        return low + width / 2;
    }
}
