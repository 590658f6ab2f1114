package net.mignet.linkemu;

import java.util.SplittableRandom;
import net.mignet.topo.GilbertElliott;
import net.mignet.topo.JitterDistribution;
import net.mignet.topo.LinkParams;

/**
 * The decisions for one direction of one link: lose, duplicate, corrupt, and when to release. Pure and
 * deterministic for a seed, so tests can check the statistics. Parameters can change at run time without
 * resetting the random stream, the burst-loss state or the ordering guarantee.
 */
final class Impairment {
    private final SplittableRandom random;
    private volatile Settings settings;
    /** Release time of the previous frame, so that jitter never reorders unless reordering is allowed. */
    private long lastRelease = Long.MIN_VALUE;
    private boolean badState;

    /** The parameters in the units the hot path uses. */
    private record Settings(long delayNanos, long jitterNanos, boolean normal, double loss, GilbertElliott burst,
            double reorder, double duplicate, double corrupt, int limit) {
        static Settings of(LinkParams p) {
            return new Settings(p.delay() == null ? 0 : p.delay().toNanos(),
                    p.jitter() == null ? 0 : p.jitter().toNanos(),
                    p.jitterDistribution() == JitterDistribution.NORMAL,
                    fraction(p.lossPercent()), p.gilbertElliott(), fraction(p.reorderPercent()),
                    fraction(p.duplicatePercent()), fraction(p.corruptPercent()), p.effectiveQueueLimit());
        }

        private static double fraction(Double percent) {
            return percent == null ? 0 : percent / 100;
        }
    }

    Impairment(LinkParams params, long seed) {
        this.random = new SplittableRandom(seed);
        this.settings = Settings.of(params);
    }

    void update(LinkParams params) {
        settings = Settings.of(params);
    }

    int queueLimit() {
        return settings.limit;
    }

    /** Whether the next frame is lost, by random or Gilbert-Elliott loss. */
    boolean lose() {
        Settings s = settings;
        if (s.burst != null) {
            // As netem's loss_gilb_ell: the loss chance is the state's before this frame's transition.
            GilbertElliott g = s.burst;
            if (badState) {
                if (random.nextDouble() * 100 < g.r()) {
                    badState = false;
                }
                return random.nextDouble() * 100 < g.oneMinusH();
            }
            if (random.nextDouble() * 100 < g.p()) {
                badState = true;
            }
            return random.nextDouble() * 100 < g.oneMinusK();
        }
        return s.loss > 0 && random.nextDouble() < s.loss;
    }

    boolean duplicate() {
        double d = settings.duplicate;
        return d > 0 && random.nextDouble() < d;
    }

    boolean corrupt() {
        double c = settings.corrupt;
        return c > 0 && random.nextDouble() < c;
    }

    /**
     * When a frame that arrived at {@code now} leaves: now + delay + jitter, but never before the previous frame
     * unless reordering is allowed; with reordering, that share of frames leaves at once (netem's reorder).
     */
    long releaseTime(long now) {
        Settings s = settings;
        boolean mayReorder = s.reorder > 0;
        if (mayReorder && random.nextDouble() < s.reorder) {
            return now;
        }
        long delay = s.delayNanos;
        if (s.jitterNanos > 0) {
            double spread = s.normal ? random.nextGaussian() : random.nextDouble() * 2 - 1;
            delay = Math.max(0, delay + Math.round(spread * s.jitterNanos));
        }
        long release = now + delay;
        if (!mayReorder) {
            release = Math.max(release, lastRelease);
            lastRelease = release;
        }
        return release;
    }

    /** A random index in {@code [from, to)}, for the bit to flip in a corrupted frame. */
    int randomIndex(int from, int to) {
        return random.nextInt(from, to);
    }
}
